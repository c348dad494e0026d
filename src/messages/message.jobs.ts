import type { Pool, PoolClient } from 'pg';

/** Messages per send_messages job: they share their loading queries and the sender's SMTP pool. */
export const SEND_BATCH_SIZE = 50;
/** Transactional mail goes ahead of campaign mail in the shared queue (lower runs first). */
export const TRANSACTIONAL_PRIORITY = 0;
export const CAMPAIGN_PRIORITY = 10;
/** SMTP attempts per message for transient failures (4xx, timeouts, refused connections). */
export const SEND_MAX_ATTEMPTS = 6;
/** graphile-worker's own retries of a job that crashed (e.g. database unreachable), not SMTP retries. */
const JOB_MAX_ATTEMPTS = 10;

declare global {
  namespace GraphileWorker {
    interface Tasks {
      send_messages: { messageIds: string[] };
    }
  }
}

/**
 * Adds send_messages jobs for these messages, SEND_BATCH_SIZE to a job, in one statement. Given a
 * transaction's client, the jobs commit (or not) with the messages.
 */
export async function enqueueSends(
  db: Pool | PoolClient,
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
    [JSON.stringify(specs), runAt, JOB_MAX_ATTEMPTS],
  );
}
