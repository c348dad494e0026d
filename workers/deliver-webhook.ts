import type { Task } from 'graphile-worker';
import { isUuid } from '../src/db/ids.js';
import type { WorkerServices } from './worker-services.js';

/** events -> deliveries -> this job -> the endpoint (signed POST), retried with backoff. */
export function deliverWebhookTask(services: WorkerServices): Task<'deliver_webhook'> {
  return async (payload, helpers) => {
    const deliveryId = (payload as { deliveryId?: unknown } | null)?.deliveryId;
    if (typeof deliveryId !== 'string' || !isUuid(deliveryId)) {
      helpers.logger.error(`deliver_webhook job ${helpers.job.id} has a bad payload; dropping it`);
      return;
    }
    await services.webhookSender.deliver(deliveryId);
  };
}
