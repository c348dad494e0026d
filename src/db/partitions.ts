import type { Pool, PoolClient } from 'pg';

const DAY_MS = 86_400_000;
/** Partitions made ahead of today, so that inserts never wait for one. */
export const PARTITIONS_AHEAD_DAYS = 7;

/**
 * Creates the day partitions of tracking_event covering [from, to] (UTC days), through
 * mailtrace_ensure_event_partitions() (migrations/); returns how many were new.
 */
export async function ensureEventPartitions(pool: Pool | PoolClient, from: Date, to: Date): Promise<number> {
  const result = await pool.query<{ created: number }>(
    'select mailtrace_ensure_event_partitions($1::date, $2::date) as created',
    [from.toISOString().slice(0, 10), to.toISOString().slice(0, 10)],
  );
  return result.rows[0].created;
}

/** Yesterday's partition to a week ahead: what start-up and the daily purge keep in place. */
export function ensureComingPartitions(pool: Pool | PoolClient, now = new Date()): Promise<number> {
  return ensureEventPartitions(
    pool,
    new Date(now.getTime() - DAY_MS),
    new Date(now.getTime() + PARTITIONS_AHEAD_DAYS * DAY_MS),
  );
}
