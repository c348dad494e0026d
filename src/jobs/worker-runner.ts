import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { makeWorkerUtils, type Runner, run, type TaskList, type WorkerUtils } from 'graphile-worker';
import type { Pool } from 'pg';
import { graphileLogger } from '../db/migrate.js';
import type { Logger } from '../logger.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { projectPath } from '../project-path.js';
import { beat, forgetProcess, forgetWorkers, silentWorkers } from './worker-heartbeat.sql.js';

/** The schedules of recurring jobs, kept as a file beside the tasks. */
const CRONTAB = projectPath('workers/crontab');

export interface WorkerRunnerOptions {
  pool: Pool;
  taskList: TaskList;
  concurrency: number;
  /** How often this process says its workers are alive; three missed beats make a worker dead. */
  heartbeatMs: number;
  metrics: ServiceMetrics;
  logger: Logger;
}

export interface WorkerRunner {
  stop(): Promise<void>;
}

/**
 * graphile-worker plus liveness. graphile-worker leaves the jobs of a worker that died (killed,
 * crashed, machine lost) locked for four hours; here every process beats a heartbeat for its
 * workers, and unlocks the jobs of workers that stopped beating, so another process takes them over
 * within seconds. Messages such a worker held in SENDING are claimed again by the retried job.
 */
export async function startWorkerRunner(options: WorkerRunnerOptions): Promise<WorkerRunner> {
  const { pool, logger, heartbeatMs } = options;
  const processId = `${hostname()}:${process.pid}`;
  const workerIds = new Set<string>();
  const events = new EventEmitter();
  events.on('worker:create', ({ worker }) => workerIds.add(worker.workerId));
  events.on('worker:stop', ({ worker }) => workerIds.delete(worker.workerId));
  // batched job fetches lock jobs in the pool's name, not a worker's: it must beat too, or its own
  // process would find those jobs held by a worker that never beats and hand them out twice
  events.on('pool:create', ({ workerPool }) => workerIds.add(workerPool.id));
  events.on('pool:release', ({ workerPool }) => workerIds.delete(workerPool.id));
  const count =
    (outcome: string) =>
    ({ job }: { job: { task_identifier: string } }) =>
      options.metrics.jobs.inc({ task: job.task_identifier, outcome });
  events.on('job:success', count('success'));
  events.on('job:error', count('error'));
  events.on('job:failed', count('failed'));
  const utils = await makeWorkerUtils({ pgPool: pool, logger: graphileLogger(logger) });
  const runner: Runner = await run({
    pgPool: pool,
    concurrency: options.concurrency,
    taskList: options.taskList,
    events,
    noHandleSignals: true,
    crontabFile: CRONTAB,
    logger: graphileLogger(logger),
  });

  let beating: Promise<void> = Promise.resolve();
  const beatAndRecover = async () => {
    try {
      await beat(pool, [...workerIds], processId);
      const recovered = await recoverDeadWorkers(pool, utils, heartbeatMs * 3, logger);
      options.metrics.workerTakeovers.inc(recovered);
    } catch (error) {
      logger.warn({ err: error }, 'worker heartbeat failed');
    }
  };
  beating = beatAndRecover();
  const timer = setInterval(() => {
    beating = beating.then(beatAndRecover);
  }, heartbeatMs);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await beating;
      await runner.stop();
      await forgetProcess(pool, processId).catch(() => {});
      await utils.release();
    },
  };
}

/** Unlocks the jobs of workers that stopped beating (see silentWorkers); returns how many. */
async function recoverDeadWorkers(
  pool: Pool,
  utils: WorkerUtils,
  deadAfterMs: number,
  logger: Logger,
): Promise<number> {
  const dead = await silentWorkers(pool, deadAfterMs);
  if (dead.length === 0) return 0;
  await utils.forceUnlockWorkers(dead);
  await forgetWorkers(pool, dead);
  logger.warn({ workers: dead }, 'unlocked the jobs of workers that stopped responding');
  return dead.length;
}
