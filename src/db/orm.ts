import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { migrationsList } from '../../migrations/index.js';
import type { Logger } from '../logger.js';

/** The entity classes, from src/entities.ts: the caller names them, so that db/ knows no domain. */
type Entities =
  NonNullable<Parameters<typeof defineConfig>[0]['entities']> extends readonly (infer E)[] ? E[] : never;

export function ormConfig(databaseUrl: string, poolSize: number, entities: Entities) {
  return defineConfig({
    clientUrl: databaseUrl,
    entities,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    pool: { min: 0, max: poolSize },
    ensureDatabase: false,
    // Requests fork their own entity manager; a query on the global one is a bug.
    allowGlobalContext: false,
    // graphile-worker owns its schema; MikroORM's schema diff must not try to drop it.
    schemaGenerator: { ignoreSchema: ['graphile_worker'] },
    migrations: {
      migrationsList,
      snapshot: false,
      snapshotOnMigrate: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
  });
}

export function initOrm(databaseUrl: string, poolSize: number, entities: Entities): Promise<MikroORM> {
  return MikroORM.init(ormConfig(databaseUrl, poolSize, entities));
}

/** A plain pg pool for the hot paths (tracking inserts) and graphile-worker. */
export function createPool(databaseUrl: string, max: number, logger: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 30_000 });
  // A dropped connection must be logged, not crash the process; the pool replaces it.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
  pool.on('connect', (client) =>
    client.on('error', (error) => logger.warn({ err: error }, 'database connection failed')),
  );
  return pool;
}

/** Creates the URL's database when it does not exist yet (the embedded default starts with none). */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const probe = new pg.Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return;
  } catch (error) {
    // 3D000: the database does not exist; anything else (auth, network) is the caller's to see
    if ((error as { code?: string }).code !== '3D000') throw error;
  } finally {
    await probe.end().catch(() => {});
  }
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
