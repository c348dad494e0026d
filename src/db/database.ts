import { join } from 'node:path';
import pg from 'pg';
import { type Config, embeddedPgPassword } from '../config.js';
import type { Logger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded.js';
import { ensureDatabaseExists } from './orm.js';

export interface Database {
  url: string;
  /** Stops the embedded cluster if this process started it; a no-op otherwise. */
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'mailtrace';

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR, started here unless
 * another mailtrace process (say `npm start` while you run the CLI) already runs it.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl) {
    await ensureDatabaseExists(config.databaseUrl);
    return { url: config.databaseUrl, close: async () => {} };
  }
  const password = embeddedPgPassword(config);
  const serverUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${config.embeddedPgPort}`;
  const url = `${serverUrl}/${EMBEDDED_DATABASE}`;
  if (await canConnect(`${serverUrl}/postgres`)) {
    logger.debug('using the embedded PostgreSQL that is already running');
    await ensureDatabaseExists(url);
    return { url, close: async () => {} };
  }
  const embedded = await startEmbeddedPostgres({
    dir: join(config.dataDir, 'pg'),
    port: config.embeddedPgPort,
    password,
    logger,
  });
  await ensureDatabaseExists(url);
  logger.info(
    { port: config.embeddedPgPort, dir: join(config.dataDir, 'pg') },
    'embedded PostgreSQL started',
  );
  return { url, close: () => embedded.stop() };
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
