import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { MetricsSnapshot } from '../observability/metrics.js';
import type { Env } from '../config.js';

export interface WorkerThreadData {
  databaseUrl: string;
}
export type ToWorkerThread = { type: 'stop' } | { type: 'metrics'; id: number };
export type FromWorkerThread =
  | { type: 'ready' }
  | { type: 'stopped' }
  | { type: 'failed'; message: string }
  | { type: 'metrics'; id: number; metrics: MetricsSnapshot };

export interface WorkerThread {
  metrics(): Promise<MetricsSnapshot>;
  /** Lets running jobs finish (the thread's own graceful stop), then ends the thread. */
  stop(): Promise<void>;
}

/**
 * Starts src/jobs/worker-thread.ts and waits until its workers run. The thread loads its
 * configuration from `env`: the variables the host's own configuration came from.
 */
export async function startWorkerThread(
  databaseUrl: string,
  env: Env,
  logger: Logger,
): Promise<WorkerThread> {
  const thread = new Worker(new URL('./worker-thread.js', import.meta.url), {
    workerData: { databaseUrl } satisfies WorkerThreadData,
    env,
  });
  const waiters = new Set<{
    pick: (message: FromWorkerThread) => unknown;
    resolve: (value: never) => void;
    reject: (error: Error) => void;
  }>();
  const next = <T>(pick: (message: FromWorkerThread) => T | undefined) =>
    new Promise<T>(
      (resolve, reject) => void waiters.add({ pick, resolve: resolve as (v: never) => void, reject }),
    );
  thread.on('message', (message: FromWorkerThread) => {
    for (const waiter of [...waiters]) {
      const value = message.type === 'failed' ? undefined : waiter.pick(message);
      if (message.type !== 'failed' && value === undefined) continue;
      waiters.delete(waiter);
      if (message.type === 'failed')
        waiter.reject(new Error(`the job worker thread failed: ${message.message}`));
      else waiter.resolve(value as never);
    }
  });
  thread.on('error', (error) => logger.error({ err: error }, 'the job worker thread crashed'));
  thread.on('exit', (code) => {
    for (const waiter of waiters) waiter.reject(new Error(`the job worker thread exited with code ${code}`));
    waiters.clear();
  });
  await next((m) => (m.type === 'ready' ? true : undefined));
  let asked = 0;
  return {
    metrics() {
      const id = ++asked;
      const answer = next((m) => (m.type === 'metrics' && m.id === id ? m.metrics : undefined));
      thread.postMessage({ type: 'metrics', id } satisfies ToWorkerThread);
      return answer;
    },
    async stop() {
      const stopped = next((m) => (m.type === 'stopped' ? true : undefined));
      thread.postMessage({ type: 'stop' } satisfies ToWorkerThread);
      await stopped;
      await thread.terminate();
    },
  };
}
