import type { Pool, PoolClient } from 'pg';

declare global {
  namespace GraphileWorker {
    interface Tasks {
      deliver_webhook: { deliveryId: string };
    }
  }
}

/**
 * One job per delivery, in the endpoint's own queue: an endpoint's deliveries go out one at a time
 * and in order, and a slow endpoint holds up nobody else's.
 */
export async function enqueueDelivery(
  db: Pool | PoolClient,
  deliveryId: string,
  webhookId: string,
  runAt: Date | null,
) {
  await db.query(
    `select graphile_worker.add_job('deliver_webhook', json_build_object('deliveryId', $1::text),
       queue_name => 'webhook:' || $2, run_at => $3, max_attempts => 5)`,
    [deliveryId, webhookId, runAt],
  );
}
