import { makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import { type App, bootstrap } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { freePort } from './ports.js';

export const TEST_SECRETS = {
  TRACKING_SECRET: 'test-tracking-secret-0123456789abcdef',
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** The API's rate limits as shipped (the suite raises them elsewhere): the browser tests run within them. */
export const SHIPPED_API_LIMITS = {
  API_LIMIT_REQUESTS_PER_MINUTE: '',
  API_LIMIT_ANONYMOUS_PER_MINUTE: '',
  API_LIMIT_FAILED_AUTH_PER_MINUTE: '',
  API_LIMIT_COST_PER_MINUTE: '',
};

export interface TestApp {
  app: App;
  config: Config;
  db: TestDatabase;
  baseUrl: string;
  stop(): Promise<void>;
}

/** The real service (HTTP and, unless told otherwise, workers) on its own fresh database. */
export async function startTestApp(
  options: { worker?: boolean; env?: Record<string, string>; database?: TestDatabase } = {},
): Promise<TestApp> {
  const db = options.database ?? (await createTestDatabase());
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: (process.env.TEST_LOG_LEVEL as string) || 'silent',
    WORKER_CONCURRENCY: '4',
    DB_POOL_SIZE: '5',
    // the abuse limits have tests of their own; elsewhere they would only get in the way
    TRACKING_LIMIT_OPENS_PER_MINUTE: '1000000',
    TRACKING_LIMIT_CLICKS_PER_MINUTE: '1000000',
    TRACKING_LIMIT_PER_IP_PER_MINUTE: '1000000',
    TRACKING_LIMIT_PER_MESSAGE_PER_MINUTE: '1000000',
    // so are the API's (test/api-rate-limits.test.ts)
    API_LIMIT_REQUESTS_PER_MINUTE: '1000000',
    API_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
    API_LIMIT_FAILED_AUTH_PER_MINUTE: '1000000',
    API_LIMIT_COST_PER_MINUTE: '1000000000',
    // the SMTP peers of the tests listen on loopback (test/smtp-ssrf.test.ts turns this off)
    SMTP_ALLOW_PRIVATE_ADDRESSES: 'true',
    ...TEST_SECRETS,
    ...options.env,
  });
  const app = await bootstrap(config, createLogger(config.logLevel), db.url);
  await app.listen();
  if (options.worker ?? true) await app.startWorker();
  return {
    app,
    config,
    db,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await app.stop();
      if (!options.database) await db.drop();
    },
  };
}

/** Creates an account directly through the service (what the CLI does) and returns its API key. */
export async function createAccount(app: App, name: string): Promise<{ accountId: string; key: string }> {
  const { account, key } = await app.services.accounts.create(app.services.orm.em.fork(), name);
  return { accountId: account.id, key: key.secret };
}

export interface GraphqlResult<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
  /** The JSON `detail` of an answer refused before GraphQL (413 and the like). */
  detail?: string;
}

export async function gql<T = Record<string, any>>(
  baseUrl: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlResult<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: GraphqlResult['errors']; detail?: string };
  return { status: response.status, data: body.data ?? null, errors: body.errors, detail: body.detail };
}

/** The data of a query that must succeed; fails the test with the errors otherwise. */
export async function gqlOk<T = Record<string, any>>(
  baseUrl: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const result = await gql<T>(baseUrl, key, query, variables);
  if (result.errors?.length || !result.data)
    throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** Polls until `check` returns a value (not undefined/false) or the timeout passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

const workerUtils = new WeakMap<TestApp, Promise<WorkerUtils>>();

/** Makes every job scheduled for later (backoff, limits) due now, through graphile-worker's own API. */
export async function runLaterJobsNow(t: TestApp): Promise<void> {
  const { rows } = await t.app.services.pool.query<{ id: string }>(
    'select id from graphile_worker.jobs where run_at > now()',
  );
  if (rows.length === 0) return;
  if (!workerUtils.has(t)) workerUtils.set(t, makeWorkerUtils({ pgPool: t.app.services.pool }));
  const utils = await workerUtils.get(t)!;
  await utils.rescheduleJobs(
    rows.map((r) => r.id),
    { runAt: new Date() },
  );
}

/**
 * `eventually`, making scheduled jobs due before every check: a retry may be scheduled only after
 * the state the test waited for is visible, so one bump before waiting could miss it.
 */
export function eventuallyWithJobsDue<T>(
  t: TestApp,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  return eventually(async () => {
    await runLaterJobsNow(t);
    return check();
  }, timeoutMs);
}
