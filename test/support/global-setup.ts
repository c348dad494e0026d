import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { createPool, ensureDatabaseExists, initOrm } from '../../src/db/orm.js';
import { ENTITIES } from '../../src/entities.js';
import { createLogger } from '../../src/logger.js';
import { freePort } from './ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL without a database name, e.g. postgres://u:p@host:5432 */
    pgServerUrl: string;
    /** A migrated database that each test file clones. */
    templateDatabase: string;
  }
}

/**
 * The compiled service (dist/, as npm start runs it), one PostgreSQL for the run (embedded, or the server in DATABASE_URL) and one migrated template
 * database; each test file clones the template, which takes milliseconds.
 */
export default async function setup(project: TestProject) {
  const logger = createLogger('warn');
  // the tests that run the service as npm start runs it (test/npm-start, test/worker-crash) need dist/
  const build = promisify(execFile)(process.execPath, [
    'node_modules/typescript/bin/tsc',
    '-p',
    'tsconfig.build.json',
  ]);
  let stopEmbedded = async () => {};
  let serverUrl: string;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '';
    serverUrl = url.toString().replace(/\/$/, '');
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'mailtrace-test-pg-'));
    chmodSync(dir, 0o755); // the cluster runs as the postgres user when we are root
    const port = await freePort();
    const embedded = await startEmbeddedPostgres({
      dir: join(dir, 'pg'),
      port,
      password: 'test',
      logger,
      persistent: false,
    });
    serverUrl = `postgres://postgres:test@127.0.0.1:${port}`;
    stopEmbedded = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const templateDatabase = `mailtrace_template_${process.pid}`;
  try {
    const templateUrl = `${serverUrl}/${templateDatabase}`;
    await ensureDatabaseExists(templateUrl);
    const orm = await initOrm(templateUrl, 2, ENTITIES);
    const pool = createPool(templateUrl, 2, logger);
    try {
      await migrate(orm, pool, logger);
    } finally {
      await pool.end();
      await orm.close();
    }
  } catch (error) {
    // A failed setup must not leave the cluster running, or the run hangs.
    await stopEmbedded();
    throw error;
  }
  try {
    await build;
  } catch (error) {
    await stopEmbedded();
    throw new Error(`the build failed: ${(error as { stdout?: string }).stdout ?? error}`);
  }
  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    const { dropDatabase } = await import('./db.js');
    await dropDatabase(serverUrl, templateDatabase).catch(() => {});
    await stopEmbedded();
  };
}
