import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { createTaskList } from '../workers/task-list.js';
import type { Config, Env } from './config.js';
import { migrate } from './db/migrate.js';
import { createPool, initOrm } from './db/orm.js';
import { ENTITIES } from './entities.js';
import { buildGraphqlSchema } from './graphql/schema.js';
import { createHttpApp, type HttpApp } from './http/server.js';
import { startWorkerRunner, type WorkerRunner } from './jobs/worker-runner.js';
import { startWorkerThread, type WorkerThread } from './jobs/worker-thread-host.js';
import { SubscriptionHub } from './live/subscription-hub.js';
import { type MetricsServer, startMetricsServer } from './observability/metrics-server.js';
import type { Logger } from './logger.js';
import { createServices, type Services } from './services.js';
import { enqueueEventProcessing } from './jobs/enqueue.js';

export interface App {
  services: Services;
  /** The GraphQL schema this service serves, built once from its resolvers. */
  schema(): Promise<GraphQLSchema>;
  /** Starts the HTTP server (API and tracking routes); returns the port it listens on. */
  listen(): Promise<number>;
  /** Live subscriptions open in this process. */
  liveSubscribers(): number;
  /** Starts the job workers in this process. */
  startWorker(): Promise<void>;
  /** Graceful: stops taking requests, writes buffered events, lets running jobs finish. */
  stop(): Promise<void>;
}

/** Builds the whole service against one database; `main` and the tests boot the same thing. */
export async function bootstrap(config: Config, logger: Logger, databaseUrl: string): Promise<App> {
  const orm = await initOrm(databaseUrl, config.dbPoolSize, ENTITIES);
  const pool = createPool(databaseUrl, config.dbPoolSize, logger);
  await migrate(orm, pool, logger);
  const services = createServices(config, logger, orm, pool);
  let http: HttpApp | null = null;
  let runner: WorkerRunner | null = null;
  let live: SubscriptionHub | null = null;
  let metricsServer: MetricsServer | null = null;
  let schema: Promise<GraphQLSchema> | null = null;
  const builtSchema = () => (schema ??= buildGraphqlSchema(services.resolvers));
  /** With METRICS_PORT, whichever part starts first (API or workers) opens its listener. */
  const serveMetrics = async () => {
    if (config.metricsPort !== null)
      metricsServer ??= await startMetricsServer(services.metrics, config.metricsHost, config.metricsPort);
  };

  return {
    services,
    schema: builtSchema,
    async listen() {
      await serveMetrics();
      live = new SubscriptionHub(databaseUrl, pool, services.events, services.notifier, logger);
      await live.start();
      http = await createHttpApp(await builtSchema(), services, config, logger, live);
      const server = http.server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      return (server.address() as AddressInfo).port;
    },
    liveSubscribers: () => live?.subscriberCount() ?? 0,
    async startWorker() {
      await serveMetrics();
      runner = await startWorkerRunner({
        pool,
        taskList: createTaskList(services),
        concurrency: config.workerConcurrency,
        heartbeatMs: config.workerHeartbeatMs,
        metrics: services.metrics,
        logger,
      });
      // events stored while no worker ran are waiting for it
      await enqueueEventProcessing(pool);
    },
    async stop() {
      await http?.apollo.stop();
      await live?.stop();
      const drained = await services.eventBuffer.drain(10_000);
      services.eventWriter.close();
      if (!drained) logger.error(services.eventBuffer.stats(), 'stopped with tracking events not yet stored');
      await runner?.stop();
      await metricsServer?.close();
      services.transports.closeAll();
      await services.closeGeo();
      await pool.end();
      await orm.close();
    },
  };
}

/**
 * The job workers of a process, as `npm start` runs them: ROLE=all gives them a thread of their own
 * (the same service on the same database), so that their work never holds the event loop that
 * answers the tracking routes and the API, and /metrics shows both threads; ROLE=worker runs them
 * here; ROLE=api none. `env` holds the variables `config` was loaded from, for the thread's own.
 * Returns the thread, to be stopped after the app.
 */
export async function startWorkersFor(
  app: App,
  { config, env, databaseUrl, logger }: { config: Config; env: Env; databaseUrl: string; logger: Logger },
): Promise<WorkerThread | null> {
  if (config.role === 'worker') await app.startWorker();
  if (config.role !== 'all') return null;
  const workers = await startWorkerThread(databaseUrl, env, logger);
  app.services.metrics.labelThread('api');
  app.services.metrics.include(() => workers.metrics());
  return workers;
}
