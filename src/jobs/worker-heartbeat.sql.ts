import type { Pool } from 'pg';

/**
 * The statements of the workers' liveness (table worker_heartbeat, keyed by worker_id; a process
 * has a few workers, so every statement here touches a handful of rows).
 */

/** This process's workers are alive now. */
export async function beat(pool: Pool, workerIds: readonly string[], processId: string): Promise<void> {
  await pool.query(
    `insert into worker_heartbeat (worker_id, process_id, last_seen) select id, $2, now() from unnest($1::text[]) as id
     on conflict (worker_id) do update set last_seen = now()`,
    [workerIds, processId],
  );
}

/**
 * Workers whose heartbeat is older than `deadAfterMs`, or that never beat and have held a job that
 * long (a process that died right after starting).
 */
export async function silentWorkers(pool: Pool, deadAfterMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ worker_id: string }>(
    `select worker_id from worker_heartbeat where last_seen < now() - make_interval(secs => $1 / 1000.0)
     union
     select distinct locked_by from graphile_worker.jobs
     where locked_by is not null and locked_at < now() - make_interval(secs => $1 / 1000.0)
       and locked_by not in (select worker_id from worker_heartbeat)`,
    [deadAfterMs],
  );
  return rows.map((r) => r.worker_id);
}

export async function forgetWorkers(pool: Pool, workerIds: readonly string[]): Promise<void> {
  await pool.query('delete from worker_heartbeat where worker_id = any($1::text[])', [workerIds]);
}

export async function forgetProcess(pool: Pool, processId: string): Promise<void> {
  await pool.query('delete from worker_heartbeat where process_id = $1', [processId]);
}
