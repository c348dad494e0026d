/**
 * `npm run bench:tracking`: requests/s of the tracking routes against a bare node:http server that
 * answers the same way, measured in the same run, alternating the two, and the ratio of the medians.
 * - open (the pixel): `GET /api/v1/tracking/open/:token`, 200 and the GIF; target: at least 40% of bare.
 * - click: `GET /api/v1/tracking/click/:token?url=<url>`, a 302 to the url after one indexed lookup of
 *   the message; target: at least 30% of bare.
 * Then checks, for each route, that every request answered became a stored tracking_event row of its
 * type (OPEN, CLICK), and, as npm start runs it, that every stored event was processed within 10 s
 * of the load's end.
 *
 * - mailtrace runs in this process, first as `npm start` runs it (the HTTP server here, the job
 *   workers in a thread of their own, processing while the load runs; nothing is ever sent), then
 *   as the API alone (ROLE=api); the bare server runs in a child process; the load generator (wrk,
 *   else autocannon) is a third process.
 * - Its own embedded PostgreSQL under BENCH_DATA_DIR (default .data/bench-tracking) on BENCH_PG_PORT (default
 *   54341), unless DATABASE_URL is set.
 * - BENCH_ROUTES (open,click), BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_WARMUP_SECONDS (3),
 *   BENCH_CONNECTIONS (64), BENCH_MESSAGES (1000), BENCH_ADDRESSES (997 client addresses, sent as
 *   X-Forwarded-For with TRUST_PROXY=1), BENCH_CLICK_TARGETS (links per message, 3), BENCH_MODES
 *   (`npm start,api`), BENCH_LOAD_TOOL (wrk when installed, else autocannon).
 * - On Linux it also reports the CPU each process used during a run (from /proc): the server's,
 *   PostgreSQL's and the load generator's; with few cores they compete, which the ratio reflects.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type App, bootstrap, startWorkersFor } from '../src/app.js';
import type { WorkerThread } from '../src/jobs/worker-thread-host.js';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { NO_CACHE_HEADERS, PIXEL_GIF } from '../src/tracking/http/pixel.js';
import { TRACKING_PREFIX } from '../src/tracking/tracking-urls.js';
import {
  clientAddresses,
  type LoadFiles,
  type LoadResult,
  pickLoadTool,
  runLoad,
  track,
  writeLoadFiles,
} from './load-generator.js';
import { BENCH_LIMITS, envInt, markBenchMessagesSent, median, NO_LIMIT, raisedLimits } from './support.js';
import { PENDING_EVENTS } from '../src/tracking/processing/event-processing.sql.js';

const SECONDS = envInt('BENCH_SECONDS', 10);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const WARMUP_SECONDS = envInt('BENCH_WARMUP_SECONDS', 3);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 64);
const MESSAGES = envInt('BENCH_MESSAGES', 1_000);
/** Client addresses the hits come from (X-Forwarded-For, TRUST_PROXY=1), public ones in 5.0.0.0/8. */
const ADDRESSES = envInt('BENCH_ADDRESSES', 997);
const addresses = clientAddresses(ADDRESSES);
const CLICK_TARGETS = envInt('BENCH_CLICK_TARGETS', 3);
const ROUTE_NAMES = envRoutes('BENCH_ROUTES');
/**
 * How the service runs: as `npm start` runs it (the API here, the job workers in a thread of their
 * own, processing as the load arrives), then the API alone (ROLE=api, no workers), as before.
 */
type ServiceMode = 'npm start' | 'api';
const MODE_LABELS: Record<ServiceMode, string> = {
  'npm start': 'the service as npm start runs it: API and job workers (in their own thread)',
  api: 'the API alone (ROLE=api, no job workers)',
};
const MODES = (process.env.BENCH_MODES?.split(',').map((m) => m.trim()) ?? [
  'npm start',
  'api',
]) as ServiceMode[];
/** After the load, everything answered must be processed within this long for a run to count. */
const PROCESSED_WITHIN_MS = 10_000;
/** Issue 13's targets for the service as npm start runs it: the pixel at 40% of bare, the click at 30%. */
const TARGET_PERCENT = { open: 40, click: 30 } as const;
const USER_AGENT = 'Mozilla/5.0 (mailtrace-bench)';
const HERE = dirname(fileURLToPath(import.meta.url));
/**
 * The tracking routes' abuse limits (per minute: all opens, per client IP, per message) would keep
 * all but a few hundred of the bench's hits, which come from one address to 100 messages. The bench
 * raises them to the highest value unless they are set: the limit check still runs on every batch.
 */
const LIMIT_VARIABLES = BENCH_LIMITS.filter((name) => name.startsWith('TRACKING_'));

/** The routes this bench can load. */
type RouteName = 'open' | 'click';

/** One route under test: its requests, and what an answered request stores. */
interface Route {
  name: RouteName;
  /** Its name in the output. */
  label: string;
  /** The tracking_event type each answered request stores. */
  eventType: 'OPEN' | 'CLICK';
  /** Request paths (with query), cycled through by each load. */
  paths: string[];
  /** The load generator's inputs: the wrk script and the paths as JSON (autocannon). */
  files: LoadFiles;
  /** The minimum ratio of the medians, when there is one. */
  targetPercent: number | null;
}

interface Run {
  route: RouteName;
  target: 'bare' | 'mailtrace';
  result: LoadResult;
  rps: number;
  /** CPU time of the server's process per response, in microseconds; null where /proc is missing. */
  cpuUsPerRequest: number | null;
}

function envRoutes(name: string): RouteName[] {
  const raw = process.env[name]?.trim() || 'open,click';
  const names = [...new Set(raw.split(',').map((part) => part.trim().toLowerCase()))].filter(Boolean);
  for (const route of names) {
    if (route !== 'open' && route !== 'click')
      throw new Error(`${name} lists open and/or click, not "${route}"`);
  }
  if (names.length === 0) throw new Error(`${name} must list open and/or click`);
  return names as RouteName[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(2)} ms`);
const pct = (n: number) => `${n.toFixed(1)}%`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Clock ticks per second, the unit of /proc/<pid>/stat times. */
const CLOCK_TICKS = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(out.stdout?.trim()) || 100;
})();

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. With
 * `children`, those of its children that have exited and been waited for (here: each finished wrk).
 */
function procCpuSeconds(pid: number | string, children = false): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after "pid (comm) ": state is field 3; utime, stime, cutime, cstime are fields 14 to 17
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const at = children ? 13 : 11;
    return (Number(fields[at]) + Number(fields[at + 1])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by this process's job workers' thread (Node names a worker thread's
 * task WorkerThread in /proc); null without /proc.
 */
function workersThreadCpuSeconds(): number | null {
  try {
    let total = 0;
    for (const task of readdirSync('/proc/self/task')) {
      if (readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() !== 'WorkerThread') continue;
      total += procCpuSeconds(`self/task/${task}`) ?? 0;
    }
    return total;
  } catch {
    return null;
  }
}

/** CPU seconds the whole host has been busy so far (all cores, from /proc/stat); null elsewhere. */
function hostBusySeconds(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - cpu[3] - cpu[4]) / CLOCK_TICKS; // less idle and iowait
  } catch {
    return null;
  }
}

/** CPU seconds used so far by each PostgreSQL process on this host; null without /proc. */
function postgresCpuSeconds(): Map<string, number> | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const byPid = new Map<string, number>();
  for (const pid of entries) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const seconds = procCpuSeconds(pid);
    if (seconds !== null) byPid.set(pid, seconds);
  }
  return byPid;
}

/** CPU seconds PostgreSQL used between two snapshots (a process gone by the second one is not counted). */
function postgresCpuBetween(before: Map<string, number> | null, after: Map<string, number> | null) {
  if (!before || !after || after.size === 0) return null;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/**
 * A wrk script that cycles through the paths and prints its summary as one JSON line. wrk's
 * errors.status counts the responses of status 400 and above: a 302 is a success, as for the click.
 */

/** Starts the bare server in its own process and returns its port. */
async function startBareServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = track(
    spawn(process.execPath, [join(HERE, 'bare-pixel-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bare server did not start within 10 s')), 10_000);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /listening (\d+)/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bare server exited with code ${code}`));
    });
  });
  return { child, port };
}

/**
 * app.stop(), then waits until its pool's connections have really closed: pg's Pool.end() resolves
 * before they have, and stopping the database right after would cut them (one warning each).
 */
async function stopApp(app: App): Promise<void> {
  const { pool } = app.services;
  let open = pool.totalCount;
  pool.on('connect', () => open++);
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      if (--open <= 0) resolve();
    });
  });
  await app.stop();
  await Promise.race([closed, sleep(3_000, undefined, { ref: false })]);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** One GET must answer 200 with exactly the pixel, or the numbers would compare different work. */
async function checkPixel(name: string, url: string): Promise<void> {
  const response = await fetch(url, { headers: { 'user-agent': USER_AGENT } });
  const body = Buffer.from(await response.arrayBuffer());
  if (
    response.status !== 200 ||
    response.headers.get('content-type') !== 'image/gif' ||
    !body.equals(PIXEL_GIF)
  ) {
    throw new Error(`${name} did not answer the pixel at ${url}: status ${response.status}`);
  }
}

/** The headers of mailtrace's click redirect besides Location. */
const CLICK_HEADERS: Record<string, string> = {
  ...NO_CACHE_HEADERS,
  'X-Robots-Tag': 'noindex, nofollow',
  'Content-Length': '0',
};

/** One GET must answer the click's 302 to `location` with the same headers, for the same reason. */
async function checkClick(name: string, url: string, location: string): Promise<void> {
  const response = await fetch(url, { headers: { 'user-agent': USER_AGENT }, redirect: 'manual' });
  const body = Buffer.from(await response.arrayBuffer());
  const wrong = Object.entries(CLICK_HEADERS)
    .filter(([header, value]) => response.headers.get(header) !== value)
    .map(([header]) => header);
  if (response.status !== 302 || response.headers.get('location') !== location) {
    throw new Error(
      `${name} did not redirect to ${location} at ${url}: status ${response.status}, ` +
        `location ${response.headers.get('location')}`,
    );
  }
  if (wrong.length > 0 || body.length > 0) {
    throw new Error(`${name} redirected with other headers (${wrong.join(', ')}) or a body at ${url}`);
  }
}

/** What one route's runs measured, and what they stored. */
interface RouteOutcome {
  route: Route;
  runs: Run[];
  /** Successful mailtrace responses, warmup included (each should have stored one event). */
  answered: number;
  /** New tracking_event rows of the route's type. */
  stored: number;
  /** New rows of any other type (should be none). */
  storedOther: number;
  /** Hits the abuse limits kept from being stored. */
  rateLimited: number;
  drained: boolean;
}

async function main(): Promise<void> {
  const tool = pickLoadTool();
  const external = Boolean(process.env.DATABASE_URL);
  const port = await freePort();
  const raised = raisedLimits(LIMIT_VARIABLES);
  const env = {
    ...process.env,
    ...raised,
    DATA_DIR: external ? process.env.DATA_DIR : process.env.BENCH_DATA_DIR || '.data/bench-tracking',
    EMBEDDED_PG_PORT: process.env.BENCH_PG_PORT || '54341',
    LOG_LEVEL: 'warn',
    ROLE: 'api',
    TRUST_PROXY: '1',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const tempDir = mkdtempSync(join(tmpdir(), 'mailtrace-bench-'));
  let database: Database | null = null;
  let app: App | null = null;
  let bare: ChildProcess | null = null;
  let workers: WorkerThread | null = null;

  try {
    console.log(
      `database: ${external ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}, port ${config.embeddedPgPort}`}`,
    );
    database = await openDatabase(config, logger);
    app = await bootstrap(config, logger, database.url);
    const { services } = app;

    // The data: one account, one sender (never used: no workers run), MESSAGES queued messages,
    // each with its pixel and CLICK_TARGETS links.
    const em = services.orm.em.fork();
    const { account } = await services.accounts.create(em, `bench ${new Date().toISOString()}`);
    const sender = await services.senders.create(em, account.id, {
      key: 'bench',
      email: 'bench@example.com',
      password: 'not-used',
      smtpHost: '127.0.0.1',
      smtpPort: 2525,
      smtpSecure: false,
    });
    const linkOf = (n: number) => `https://example.com/offer/${n}`;
    const pixelPaths: string[] = [];
    /** Per link number, its path for each message: in turn, each request goes to another message. */
    const clickPaths: string[][] = Array.from({ length: CLICK_TARGETS }, () => []);
    for (let i = 0; i < MESSAGES; i++) {
      const message = await services.messages.queue(em, account.id, {
        senderId: sender.id,
        recipient: `reader${i}@example.com`,
        subject: `Bench message ${i}`,
        body: 'Hello from the tracking bench.',
        isHtml: false,
      });
      pixelPaths.push(new URL(services.urls.openPixel(message.id)).pathname);
      for (let n = 1; n <= CLICK_TARGETS; n++) {
        const click = new URL(services.urls.click(message.id, linkOf(n)));
        clickPaths[n - 1].push(click.pathname + click.search);
      }
    }
    await markBenchMessagesSent(services.pool);
    const routes: Route[] = ROUTE_NAMES.map((name) => {
      const paths = name === 'open' ? pixelPaths : clickPaths.flat();
      const files = writeLoadFiles(tempDir, name, paths, addresses, USER_AGENT);
      return name === 'open'
        ? { name, label: 'pixel', eventType: 'OPEN', paths, files, targetPercent: TARGET_PERCENT.open }
        : { name, label: 'click', eventType: 'CLICK', paths, files, targetPercent: TARGET_PERCENT.click };
    });

    const appPort = await app.listen();
    const bareServer = await startBareServer();
    bare = bareServer.child;
    const urls = { bare: `http://127.0.0.1:${bareServer.port}`, mailtrace: `http://127.0.0.1:${appPort}` };
    for (const route of routes) {
      for (const target of ['bare', 'mailtrace'] as const) {
        const name = target === 'bare' ? 'the bare server' : 'mailtrace';
        if (route.name === 'open') await checkPixel(name, urls[target] + route.paths[0]);
        else await checkClick(name, urls[target] + route.paths[0], linkOf(1));
      }
    }
    await services.eventBuffer.drain(30_000);

    /** The bench account's stored events, by type. */
    const countEvents = async () => {
      const { rows } = await services.pool.query<{ type: string; n: number }>(
        'select type, count(*)::int as n from tracking_event where account_id = $1 group by type',
        [account.id],
      );
      return new Map(rows.map((row) => [row.type, row.n]));
    };

    console.log(
      `load: ${tool}, 1 thread, ${CONNECTIONS} connections; warmup ${WARMUP_SECONDS} s each, ` +
        `then ${ROUNDS} rounds of ${SECONDS} s, bare then mailtrace, for each route in turn`,
    );
    console.log(
      `host: ${availableParallelism()} CPUs shared by the load generator, the server under test` +
        `${external ? '' : ' and PostgreSQL'}`,
    );
    if (Object.keys(raised).length > 0) {
      console.log(`abuse limits raised to ${int(Number(NO_LIMIT))}/min (${Object.keys(raised).join(', ')})`);
    }

    // CPU seconds of each server's process so far: mailtrace is this process
    const serverCpu = {
      bare: () => (bare?.pid ? procCpuSeconds(bare.pid) : null),
      mailtrace: () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1e6;
      },
    };

    /** Unprocessed events of the bench account: none left means locations, clients and verdicts are in. */
    const unprocessed = async () =>
      (
        await services.pool.query<{ n: number }>(
          `select count(*)::int as n from ${PENDING_EVENTS} where e.account_id = $1`,
          [account.id],
        )
      ).rows[0].n;

    /** Waits until every stored event is processed or the deadline passes; the seconds it took, or null. */
    const untilProcessed = async (deadlineMs: number): Promise<{ seconds: number; left: number }> => {
      const started = performance.now();
      let left = await unprocessed();
      while (left > 0 && performance.now() - started < deadlineMs) {
        await sleep(200);
        left = await unprocessed();
      }
      return { seconds: (performance.now() - started) / 1000, left };
    };

    const measure = async (route: Route, target: Run['target'], seconds: number, label: string) => {
      // the job workers finish the last run's events first: the bare server gets the machine to itself
      if (target === 'bare' && workers) await untilProcessed(60_000);
      const cpuBefore = serverCpu[target]();
      const workersBefore = target === 'mailtrace' && workers ? workersThreadCpuSeconds() : null;
      const loadBefore = procCpuSeconds('self', true);
      const pgBefore = postgresCpuSeconds();
      const hostBefore = hostBusySeconds();
      const result = await runLoad(tool, urls[target], route.files, seconds, CONNECTIONS);
      const cpuAfter = serverCpu[target]();
      const workersAfter = workersBefore !== null ? workersThreadCpuSeconds() : null;
      const loadAfter = procCpuSeconds('self', true);
      const hostAfter = hostBusySeconds();
      const pgCpu = postgresCpuBetween(pgBefore, postgresCpuSeconds());
      const rps = result.responses / result.seconds;
      const cpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
      const cpuUsPerRequest = cpu !== null && result.responses > 0 ? (cpu * 1e6) / result.responses : null;
      let line =
        `${route.label.padEnd(5)} ${label.padEnd(8)} ${target.padEnd(9)} ${int(rps).padStart(8)} req/s` +
        `   p50 ${ms(result.p50Ms)}   p99 ${ms(result.p99Ms)}   ${int(result.responses)} responses`;
      if (result.badStatus > 0) line += `, ${int(result.badStatus)} with an error status`;
      if (result.socketErrors > 0) line += `, ${int(result.socketErrors)} socket errors`;
      if (cpu !== null && cpuUsPerRequest !== null) {
        line += `\n${''.padEnd(25)}server process ${pct((cpu / result.seconds) * 100)} of a core (${cpuUsPerRequest.toFixed(1)} µs/request)`;
        if (workersBefore !== null && workersAfter !== null && result.responses > 0) {
          const workersCpu = workersAfter - workersBefore;
          line += ` of which the workers' thread ${((workersCpu * 1e6) / result.responses).toFixed(1)} µs`;
        }
      }
      if (pgCpu !== null) {
        line += `, postgres ${pct((pgCpu / result.seconds) * 100)}`;
        if (result.responses > 0) line += ` (${((pgCpu * 1e6) / result.responses).toFixed(1)} µs/request)`;
      }
      if (loadBefore !== null && loadAfter !== null) {
        line += `, ${tool} ${pct(((loadAfter - loadBefore) / result.seconds) * 100)}`;
      }
      if (hostBefore !== null && hostAfter !== null) {
        line += `; host busy ${pct(((hostAfter - hostBefore) / result.seconds) * 100)} of ${availableParallelism() * 100}%`;
      }
      if (target === 'mailtrace') {
        // Let the buffer catch up before the next run, so that its inserts do not compete with it.
        const pending = services.eventBuffer.stats().pending;
        const start = performance.now();
        const drained = await services.eventBuffer.drain(60_000);
        line += `; events pending at the end ${int(pending)}, ${drained ? 'written' : 'NOT written'} in ${int(performance.now() - start)} ms`;
      }
      console.log(line);
      const run: Run = { route: route.name, target, result, rps, cpuUsPerRequest };
      return run;
    };

    const runMode = async (mode: ServiceMode) => {
      console.log('');
      console.log(`=== ${MODE_LABELS[mode]} ===`);
      const outcomes: RouteOutcome[] = [];
      for (const route of routes) {
        console.log('');
        console.log(
          route.name === 'open'
            ? `${route.label}: GET ${TRACKING_PREFIX}open/:token, ${route.paths.length} URLs in turn`
            : `${route.label}: GET ${TRACKING_PREFIX}click/:token?url=..., ${route.paths.length} URLs in turn ` +
                `(${MESSAGES} messages x ${CLICK_TARGETS} links), answered with a 302`,
        );
        const eventsBefore = await countEvents();
        const limitedBefore = services.eventWriter.rateLimited();
        const warmups = [
          await measure(route, 'bare', WARMUP_SECONDS, 'warmup'),
          await measure(route, 'mailtrace', WARMUP_SECONDS, 'warmup'),
        ];
        const runs: Run[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
          runs.push(await measure(route, 'bare', SECONDS, `round ${round}`));
          runs.push(await measure(route, 'mailtrace', SECONDS, `round ${round}`));
        }
        const drained = await services.eventBuffer.drain(30_000);
        const eventsAfter = await countEvents();
        let stored = 0;
        let storedOther = 0;
        for (const [type, n] of eventsAfter) {
          const added = n - (eventsBefore.get(type) ?? 0);
          if (type === route.eventType) stored += added;
          else storedOther += added;
        }
        const answered = [...warmups, ...runs]
          .filter((run) => run.target === 'mailtrace')
          .reduce((sum, run) => sum + run.result.responses - run.result.badStatus, 0);
        const rateLimited = services.eventWriter.rateLimited() - limitedBefore;
        outcomes.push({ route, runs, answered, stored, storedOther, rateLimited, drained });
      }

      const stats = services.eventBuffer.stats();
      const medianOf = (runs: Run[], pick: (run: Run) => number | null) => {
        const values = runs.map(pick).filter((v): v is number => v !== null);
        return values.length > 0 ? median(values) : null;
      };

      console.log('');
      console.log('summary');
      const rateLines: string[] = [];
      const eventLines: string[] = [];
      for (const { route, runs, answered, stored, storedOther, rateLimited, drained } of outcomes) {
        const bareRuns = runs.filter((r) => r.target === 'bare');
        const appRuns = runs.filter((r) => r.target === 'mailtrace');
        const bareRps = median(bareRuns.map((r) => r.rps));
        const appRps = median(appRuns.map((r) => r.rps));
        const ratio = (appRps / bareRps) * 100;
        const p50 = (of: Run[]) => ms(medianOf(of, (r) => r.result.p50Ms));
        const cpu = (of: Run[]) => {
          const value = medianOf(of, (r) => r.cpuUsPerRequest);
          return value === null ? 'n/a' : `${value.toFixed(1)} µs`;
        };
        console.log(
          `  ${route.label} latency p50 (median of rounds): bare ${p50(bareRuns)}, mailtrace ${p50(appRuns)}; ` +
            `server CPU per request (median): bare ${cpu(bareRuns)}, mailtrace ${cpu(appRuns)}`,
        );
        let rateLine =
          `  ${route.label}: bare node:http ${int(bareRps)} req/s (median of ${ROUNDS}), ` +
          `mailtrace ${int(appRps)} req/s, ratio ${pct(ratio)}`;
        if (route.targetPercent !== null) {
          rateLine += ` (target >= ${route.targetPercent}%) ${ratio >= route.targetPercent ? 'ok' : 'BELOW TARGET'}`;
        }
        rateLines.push(rateLine);

        // Can pass 100%: the server also answered the requests in flight when each wrk run stopped.
        const share = answered > 0 ? (stored / answered) * 100 : 0;
        let eventLine =
          `  ${route.label} events: requests answered ${int(answered)}, ${route.eventType} events stored ` +
          `${int(stored)} (${pct(share)})`;
        if (rateLimited > 0) eventLine += `, ${int(rateLimited)} over the abuse limits`;
        if (storedOther > 0) eventLine += `, ${int(storedOther)} events of other types`;
        if (!drained) eventLine += ', buffer NOT drained within 30 s';
        eventLines.push(eventLine);
        const lost = answered - stored - rateLimited;
        if (lost > 0) {
          process.exitCode = 1;
          eventLines.push(
            `  ${int(lost)} answered ${route.label} requests were neither stored nor over the abuse limits: LOST`,
          );
        }
      }
      for (const line of [...rateLines, ...eventLines]) console.log(line);
      console.log(
        `  event buffer: written ${int(stats.written)}, pending ${int(stats.pending)}, dropped ${int(stats.dropped)}, ` +
          `failed flushes ${int(stats.failedFlushes)}, over the abuse limits ${int(services.eventWriter.rateLimited())}`,
      );
      if (mode === 'npm start') {
        // a run counts only when everything answered is also processed soon after the load
        const { seconds, left } = await untilProcessed(PROCESSED_WITHIN_MS);
        console.log(
          left === 0
            ? `  every stored event processed ${seconds.toFixed(1)} s after the load ended (limit ${PROCESSED_WITHIN_MS / 1000} s): the run counts`
            : `  ${int(left)} events still unprocessed ${PROCESSED_WITHIN_MS / 1000} s after the load ended: the run does NOT count`,
        );
        if (left > 0) process.exitCode = 1;
      }
    };

    for (const mode of MODES) {
      if (mode === 'npm start')
        workers = await startWorkersFor(app, {
          config: { ...config, role: 'all' },
          env,
          databaseUrl: database.url,
          logger,
        });
      await runMode(mode);
      await workers?.stop();
      workers = null;
    }
  } finally {
    await workers?.stop();
    if (bare) await stopChild(bare);
    if (app) await stopApp(app);
    await database?.close();
    rmSync(tempDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:tracking failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
