import type { Pool, PoolClient } from 'pg';

/**
 * The one door to the job queue: every task's payload, and a typed function per task that adds it.
 * Nothing else writes graphile-worker SQL. Given a transaction's client, a job commits (or not)
 * with the rows it is about.
 */
declare global {
  namespace GraphileWorker {
    interface Tasks {
      send_messages: { messageIds: string[] };
      fan_out_campaign: { campaignId: string };
      process_events: Record<string, never>;
      deliver_webhook: { deliveryId: string };
      purge_expired: Record<string, unknown>;
    }
  }
}

type Db = Pool | PoolClient;

/** Messages per send_messages job: they share their loading queries and the sender's SMTP pool. */
const SEND_BATCH_SIZE = 50;
/** Transactional mail goes ahead of campaign mail in the shared queue (lower runs first). */
const TRANSACTIONAL_PRIORITY = 0;
const CAMPAIGN_PRIORITY = 10;
/** graphile-worker's own retries of a job that crashed (e.g. database unreachable), not SMTP retries. */
const SEND_JOB_MAX_ATTEMPTS = 10;

/** send_messages jobs for these messages, SEND_BATCH_SIZE to a job, in one statement. */
export async function enqueueSends(
  db: Db,
  messages: readonly { id: string; campaignId: string | null }[],
  runAt: Date | null = null,
): Promise<void> {
  const specs: { payload: { messageIds: string[] }; priority: number }[] = [];
  for (const [isCampaign, group] of Map.groupBy(messages, (m) => m.campaignId !== null)) {
    for (let i = 0; i < group.length; i += SEND_BATCH_SIZE) {
      specs.push({
        payload: { messageIds: group.slice(i, i + SEND_BATCH_SIZE).map((m) => m.id) },
        priority: isCampaign ? CAMPAIGN_PRIORITY : TRANSACTIONAL_PRIORITY,
      });
    }
  }
  if (specs.length === 0) return;
  await db.query(
    `select graphile_worker.add_jobs(array(
       select row('send_messages', spec->'payload', null, $2::timestamptz, $3::smallint, null,
                  (spec->>'priority')::smallint, null)::graphile_worker.job_spec
       from json_array_elements($1::json) as spec))`,
    [JSON.stringify(specs), runAt, SEND_JOB_MAX_ATTEMPTS],
  );
}

/** The campaign's fan-out, once (job key): a second sendCampaign cannot start another. */
export async function enqueueFanOut(db: Db, campaignId: string): Promise<void> {
  await db.query(
    `select graphile_worker.add_job('fan_out_campaign', json_build_object('campaignId', $1::text),
       job_key => 'fan_out_campaign:' || $1, max_attempts => 25)`,
    [campaignId],
  );
}

/**
 * One pending process_events job at a time (job key); a running one does not absorb the request,
 * and its own queue runs them one after another over every worker process (the cursor has one
 * reader; jobs waiting on each other would hold a worker slot and a connection each).
 */
export async function enqueueEventProcessing(db: Db): Promise<void> {
  await db.query(
    `select graphile_worker.add_job('process_events', '{}'::json, queue_name => 'process_events',
       job_key => 'process_events', job_key_mode => 'preserve_run_at', max_attempts => 25)`,
  );
}

/**
 * One job per webhook delivery, in the endpoint's own queue: an endpoint's deliveries go out one at
 * a time and in order, and a slow endpoint holds up nobody else's.
 */
export async function enqueueWebhookDelivery(
  db: Db,
  deliveryId: string,
  webhookId: string,
  runAt: Date | null,
): Promise<void> {
  await db.query(
    `select graphile_worker.add_job('deliver_webhook', json_build_object('deliveryId', $1::text),
       queue_name => 'webhook:' || $2, run_at => $3, max_attempts => 5)`,
    [deliveryId, webhookId, runAt],
  );
}
