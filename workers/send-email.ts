import type { Task } from 'graphile-worker';
import { isUuid } from '../src/db/ids.js';
import type { WorkerServices } from './task-list.js';

declare global {
  namespace GraphileWorker {
    interface Tasks {
      send_email: { messageId: string };
    }
  }
}

/** mutation -> this job -> SMTP -> message status. */
export function sendEmailTask(services: WorkerServices): Task<'send_email'> {
  return async (payload, helpers) => {
    // Old jobs outlive code changes: check the payload's shape at run time.
    const messageId = (payload as { messageId?: unknown } | null)?.messageId;
    if (typeof messageId !== 'string' || !isUuid(messageId)) {
      helpers.logger.error(`send_email job ${helpers.job.id} has a bad payload; dropping it`);
      return;
    }
    await services.delivery.deliver(services.orm.em.fork(), messageId, {
      attempt: helpers.job.attempts,
      maxAttempts: helpers.job.max_attempts,
    });
  };
}
