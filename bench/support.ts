/** What every bench shares: numeric settings, medians, and a service on a database of its own. */
import 'reflect-metadata';
import { type App, bootstrap, startWorkersFor } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import type { Pool } from 'pg';
import type { Services } from '../src/services.js';

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The benches, each with its own embedded cluster (data dir and port), so that none sees another's rows. */
const EMBEDDED_PORTS = {
  tracking: 54341,
  campaign: 54342,
  metrics: 54343,
  live: 54344,
  flood: 54345,
  clickflood: 54346,
} as const;

export interface BenchService {
  config: Config;
  database: Database;
  app: App;
  /** Listens, and starts the job workers as `npm start` does (ROLE=all: in a thread of their own); the port. */
  startAsNpmStart(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The whole service for a bench: on DATABASE_URL when set, else on an embedded PostgreSQL under
 * BENCH_DATA_DIR (default .data/bench-<name>) on BENCH_PG_PORT (default per bench).
 */
export async function startBenchService(
  name: keyof typeof EMBEDDED_PORTS,
  env: Record<string, string> = {},
): Promise<BenchService> {
  const external = Boolean(process.env.DATABASE_URL);
  const variables = {
    ...process.env,
    DATA_DIR: external ? process.env.DATA_DIR : process.env.BENCH_DATA_DIR || `.data/bench-${name}`,
    EMBEDDED_PG_PORT: process.env.BENCH_PG_PORT || String(EMBEDDED_PORTS[name]),
    LOG_LEVEL: 'warn',
    ...env,
  };
  const config = loadConfig(variables);
  console.log(
    `database: ${external ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}, port ${config.embeddedPgPort}`}`,
  );
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  const app = await bootstrap(config, logger, database.url);
  let workers: Awaited<ReturnType<typeof startWorkersFor>> = null;
  return {
    config,
    database,
    app,
    async startAsNpmStart() {
      const port = await app.listen();
      workers = await startWorkersFor(app, {
        config: { ...config, role: 'all' },
        env: variables,
        databaseUrl: database.url,
        logger,
      });
      return port;
    },
    async close() {
      await app.stop();
      await workers?.stop();
      await database.close();
    },
  };
}

/** A fresh account with a key and one sender that points at the capture port (the benches never send). */
export async function benchAccount(services: Services, label: string) {
  const em = services.orm.em.fork();
  const { account, key } = await services.accounts.create(em, `bench ${label} ${new Date().toISOString()}`);
  const sender = await services.senders.create(em, account.id, {
    key: 'bench',
    email: 'bench@example.com',
    password: 'x',
    smtpHost: '127.0.0.1',
    smtpPort: 2525,
  });
  return { em, account, key, sender };
}

/**
 * The benches queue messages only to have tracking links: as `npm start` runs the job workers, they
 * would try to send them (to nowhere) and compete with the load. Marked SENT an hour ago, their send
 * jobs find nothing to claim, and clicks are not judged as clicks before an open.
 */
export async function markBenchMessagesSent(pool: Pool): Promise<void> {
  await pool.query(
    `update message set status = 'SENT', sent_at = now() - interval '1 hour' where status = 'QUEUED'`,
  );
}

/** Every per-minute limit a bench may need out of its way (it would otherwise measure the limiter). */
export const BENCH_LIMITS = [
  'TRACKING_LIMIT_OPENS_PER_MINUTE',
  'TRACKING_LIMIT_CLICKS_PER_MINUTE',
  'TRACKING_LIMIT_PER_IP_PER_MINUTE',
  'TRACKING_LIMIT_PER_MESSAGE_PER_MINUTE',
  'API_LIMIT_ANONYMOUS_PER_MINUTE',
  'API_LIMIT_REQUESTS_PER_MINUTE',
  'API_LIMIT_COST_PER_MINUTE',
] as const;
export const NO_LIMIT = '100000000';

/** These limits raised to NO_LIMIT unless the environment sets them: the checks still run. */
export function raisedLimits(names: readonly string[] = BENCH_LIMITS): Record<string, string> {
  return Object.fromEntries(names.filter((name) => !process.env[name]).map((name) => [name, NO_LIMIT]));
}
