import type { Pool } from 'pg';

/**
 * The statements of subscription_presence: which API processes have live subscribers of which
 * accounts. The table holds a row per watched account and process (primary key (account_id,
 * process_id)), a few rows, so reading or sweeping it whole costs nothing.
 */

/**
 * Makes the process's rows exactly `accountIds`, each expiring `ttlSeconds` from now: one
 * statement renews the watched accounts (primary key) and deletes the others.
 */
export async function setPresence(
  pool: Pool,
  processId: string,
  accountIds: readonly string[],
  ttlSeconds: number,
): Promise<void> {
  await pool.query(
    `with watched as (select unnest($1::uuid[]) as account_id),
          renewed as (
            insert into subscription_presence (account_id, process_id, expires_at)
            select account_id, $2, now() + make_interval(secs => $3) from watched
            on conflict (account_id, process_id) do update set expires_at = excluded.expires_at)
     delete from subscription_presence where process_id = $2 and account_id <> all($1::uuid[])`,
    [accountIds, processId, ttlSeconds],
  );
}

/** The process stops: its rows go at once instead of expiring. */
export async function clearPresence(pool: Pool, processId: string): Promise<void> {
  await pool.query('delete from subscription_presence where process_id = $1', [processId]);
}

/** The accounts some process still watches (rows not expired). */
export async function watchedAccounts(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ account_id: string }>(
    'select distinct account_id from subscription_presence where expires_at > now()',
  );
  return rows.map((r) => r.account_id);
}
