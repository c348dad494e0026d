import type { Task } from 'graphile-worker';
import type { WorkerServices } from './worker-services.js';

/** Cron (workers/crontab): partitions ahead, expired partitions dropped, expired messages deleted. */
export function purgeExpiredTask(services: WorkerServices): Task<'purge_expired'> {
  return async () => {
    await services.retention.purge();
  };
}
