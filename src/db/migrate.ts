import type { MikroORM } from '@mikro-orm/postgresql';
import { Logger as GraphileLogger, runMigrations } from 'graphile-worker';
import type { Pool } from 'pg';
import type { Logger } from '../logger.js';
import { ensureComingPartitions } from './partitions.js';

/**
 * Brings a database up to date: our migrations (migrations/), graphile-worker's own schema, and the
 * tracking_event partitions of the coming week. Safe to run from several processes at once.
 */
export async function migrate(orm: MikroORM, pool: Pool, logger: Logger): Promise<void> {
  const client = await pool.connect();
  try {
    // Two processes starting together must not both run the same migration.
    await client.query('select pg_advisory_lock(hashtext($1))', ['mailtrace:migrate']);
    const applied = await orm.migrator.up();
    if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
    await runMigrations({ pgPool: pool, logger: graphileLogger(logger) });
    await ensureComingPartitions(pool);
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', ['mailtrace:migrate']).catch(() => {});
    client.release();
  }
}

/** graphile-worker's log lines, through our pino logger. */
export function graphileLogger(logger: Logger): GraphileLogger {
  const child = logger.child({ component: 'graphile-worker' });
  return new GraphileLogger(() => (level, message, meta) => {
    const method =
      level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'info' ? 'info' : 'debug';
    child[method](meta ?? {}, message);
  });
}
