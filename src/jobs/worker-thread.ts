/**
 * The job workers of `npm start`, in a thread of their own: event processing, sending and webhooks
 * never hold the event loop that answers the tracking routes and the API. The thread boots the
 * same service on the same database (role worker) and answers its host's messages.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { bootstrap } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import type { FromWorkerThread, ToWorkerThread, WorkerThreadData } from './worker-thread-host.js';

const port = parentPort!;
const send = (message: FromWorkerThread) => port.postMessage(message);
const { databaseUrl } = workerData as WorkerThreadData;

try {
  // its metrics reach /metrics through the main thread's registry, never a listener of its own
  const config = { ...loadConfig(), role: 'worker' as const, metricsPort: null };
  const logger = createLogger(config.logLevel).child({ thread: 'workers' });
  const app = await bootstrap(config, logger, databaseUrl);
  app.services.metrics.labelThread('workers');
  await app.startWorker();
  port.on('message', (message: ToWorkerThread) => {
    if (message.type === 'metrics') {
      void app.services.metrics
        .snapshot()
        .then((metrics) => send({ type: 'metrics', id: message.id, metrics }));
    } else {
      void app.stop().then(
        () => send({ type: 'stopped' }),
        (error: unknown) => send({ type: 'failed', message: (error as Error).message }),
      );
    }
  });
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'failed', message: (error as Error).message });
}
