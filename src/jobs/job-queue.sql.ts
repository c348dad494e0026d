import type { Pool } from 'pg';

/** Jobs due and not taken, by task: the queue every worker process shares. */
export async function waitingJobs(pool: Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ task: string; n: number }>(
    `select task_identifier as task, count(*)::int as n from graphile_worker.jobs
     where locked_at is null and run_at <= now() and attempts < max_attempts group by task_identifier`,
  );
  return new Map(rows.map((r) => [r.task, r.n]));
}
