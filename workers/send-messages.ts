import type { Task } from 'graphile-worker';
import { isUuid } from '../src/db/ids.js';
import type { WorkerServices } from './worker-services.js';

/** mutation -> this job -> SMTP -> message status. One job carries up to SEND_BATCH_SIZE messages. */
export function sendMessagesTask(services: WorkerServices): Task<'send_messages'> {
  return async (payload, helpers) => {
    // Old jobs outlive code changes: check the payload's shape at run time.
    const ids = (payload as { messageIds?: unknown } | null)?.messageIds;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && isUuid(id))) {
      helpers.logger.error(`send_messages job ${helpers.job.id} has a bad payload; dropping it`);
      return;
    }
    await services.delivery.deliver(services.orm.em.fork(), ids as string[]);
  };
}
