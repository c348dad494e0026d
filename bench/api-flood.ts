/**
 * `npm run bench:api-flood`: does an abusive GraphQL client stall the pixel? The service runs as
 * `npm start` runs it (the API in this process's main thread, the job workers in a thread of their
 * own, on its own embedded PostgreSQL unless
 * DATABASE_URL is set). A probe process times pixel hits one after another while a flood process
 * keeps BENCH_FLOOD_CONCURRENCY (20) hostile requests in flight, for BENCH_SECONDS (10) a phase:
 * - baseline: no flood (the pixel's latency in the same run);
 * - aliases-5.9MB: issue 12's attack, 300,000 aliases of __typename without a key (413 by size);
 * - aliases-1MiB: 50,000 aliases that fit the body limit, without a key (the token limit);
 * - key-me-aliases: 20,000 aliases of `me { id name }` with a valid key.
 * The API and tracking rate limits are raised (unless set) so that every flood request reaches the parser and the
 * query limits instead of stopping at the per-minute counter: the worst case, not the usual one.
 * Prints the pixel's p50/p99 per phase beside the baseline, and what the flood got back.
 */
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  benchAccount,
  envInt,
  markBenchMessagesSent,
  median,
  percentile,
  raisedLimits,
  startBenchService,
} from './support.js';

const SECONDS = envInt('BENCH_SECONDS', 10);
const CONCURRENCY = envInt('BENCH_FLOOD_CONCURRENCY', 20);
const HERE = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);
const PHASES = ['baseline', 'aliases-5.9MB', 'aliases-1MiB', 'key-me-aliases'] as const;

async function client<T>(...args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [join(HERE, 'api-flood-load.js'), ...args], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main() {
  const service = await startBenchService('flood', {
    ...raisedLimits(),
    HOST: '127.0.0.1',
    PORT: '0',
  });
  try {
    const { app } = service;
    const { services } = app;
    const { em, account, key, sender } = await benchAccount(services, 'flood');
    const message = await services.messages.queue(em, account.id, {
      senderId: sender.id,
      recipient: 'flood@example.com',
      subject: 'Flood',
      body: 'Hello',
    });
    await markBenchMessagesSent(services.pool);
    const port = await service.startAsNpmStart();
    const base = `http://127.0.0.1:${port}`;
    const pixel = base + new URL(services.urls.openPixel(message.id)).pathname;
    console.log(
      `pixel probe one hit at a time; ${CONCURRENCY} flood requests in flight; ${SECONDS} s per phase`,
    );
    console.log(
      'phase            pixel hits   p50       p99       max      | service loop: busy, delay p99, max | flood answers (status: count), flood p50',
    );
    let baselineP99 = 0;
    for (const phase of PHASES) {
      const probe = client<{ latenciesMs: number[]; failures: number }>('probe', pixel, String(SECONDS));
      const flood =
        phase === 'baseline'
          ? null
          : client<{ statuses: Record<string, number>; latenciesMs: number[]; bodyBytes: number }>(
              'flood',
              `${base}/graphql`,
              phase,
              String(CONCURRENCY),
              String(SECONDS),
              ...(phase === 'key-me-aliases' ? [key.secret] : []),
            );
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const loopBefore = performance.eventLoopUtilization();
      const [hits, attack] = await Promise.all([probe, flood]);
      delay.disable();
      const loop = performance.eventLoopUtilization(loopBefore);
      const loopLine = `${(loop.utilization * 100).toFixed(0)}%, ${ms(delay.percentile(99) / 1e6)}, ${ms(delay.max / 1e6)}`;
      const p99 = percentile(hits.latenciesMs, 99);
      if (phase === 'baseline') baselineP99 = p99;
      const floodLine = attack
        ? `${Object.entries(attack.statuses)
            .map(([status, n]) => `${status}: ${n}`)
            .join(', ')}, ${ms(median(attack.latenciesMs))} (${(attack.bodyBytes / 1e6).toFixed(1)} MB each)`
        : '-';
      console.log(
        `${phase.padEnd(16)} ${String(hits.latenciesMs.length).padStart(10)}   ${ms(median(hits.latenciesMs)).padEnd(9)} ${ms(p99).padEnd(9)} ${ms(Math.max(...hits.latenciesMs)).padEnd(8)} | ${loopLine} | ${floodLine}` +
          (hits.failures ? ` | ${hits.failures} pixel failures` : '') +
          (phase === 'baseline' ? '' : ` | p99 ${(p99 / baselineP99).toFixed(2)}x baseline`),
      );
    }
    await services.eventBuffer.drain(30_000);
  } finally {
    await service.close();
  }
}

await main();
