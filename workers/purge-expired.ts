import type { Task } from 'graphile-worker';
import type { WorkerServices } from './task-list.js';

declare global {
  namespace GraphileWorker {
    interface Tasks {
      purge_expired: Record<string, unknown>;
    }
  }
}

/** Cron (workers/crontab): partitions ahead, expired partitions dropped, expired messages deleted. */
export function purgeExpiredTask(services: WorkerServices): Task<'purge_expired'> {
  return async () => {
    await services.retention.purge();
  };
}
