/**
 * `npm run bench:click-flood`: does a flood of clicks stall anything? The service runs as `npm start`
 * runs it (API here, job workers in their own thread, own embedded PostgreSQL unless DATABASE_URL).
 * Two scenarios, one after the other:
 * - BENCH_FLOOD_SECONDS (60) of clicks at full speed (wrk, 64 connections) on 100 messages;
 * - the same on 1 message (at these rates, well over 100,000 clicks of one message).
 * During each flood a probe process times, one request after another, pixel hits on 100 other
 * messages and the GraphQL `me` query with a key (targets: p99 under 50 ms and 250 ms). Then it
 * measures how long until every stored click is processed (target: within 30 s of the flood's
 * end), and reads the deadlocks PostgreSQL counted and the workers that lost their heartbeat
 * (mailtrace_worker_takeovers_total): both must stay 0. The tracking and API limits are raised.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { clientAddresses, pickLoadTool, runLoad, writeLoadFiles } from './load-generator.js';
import {
  benchAccount,
  envInt,
  markBenchMessagesSent,
  percentile,
  raisedLimits,
  startBenchService,
} from './support.js';
import { PENDING_EVENTS } from '../src/tracking/processing/event-processing.sql.js';

const SECONDS = envInt('BENCH_FLOOD_SECONDS', 60);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 64);
const PROCESSED_WITHIN_S = 30;
const HERE = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);
const addresses = clientAddresses(997);
const ms = (value: number) => `${value.toFixed(1)} ms`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const service = await startBenchService('clickflood', {
    ...raisedLimits(),
    HOST: '127.0.0.1',
    PORT: '0',
    TRUST_PROXY: '1',
  });
  const tempDir = mkdtempSync(join(tmpdir(), 'mailtrace-flood-'));
  try {
    const { services } = service.app;
    const { em, account, key, sender } = await benchAccount(services, 'click flood');
    const queue = async (n: number, label: string) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const message = await services.messages.queue(em, account.id, {
          senderId: sender.id,
          recipient: `${label}${i}@example.com`,
          subject: 'Flood',
          body: 'Hello',
        });
        ids.push(message.id);
      }
      return ids;
    };
    const flooded = await queue(100, 'clicked');
    const probed = await queue(100, 'probed');
    await markBenchMessagesSent(services.pool);
    const port = await service.startAsNpmStart();
    const base = `http://127.0.0.1:${port}`;
    const tool = pickLoadTool();
    const pixelsFile = join(tempDir, 'pixels.json');
    writeFileSync(
      pixelsFile,
      JSON.stringify(probed.map((id) => base + new URL(services.urls.openPixel(id)).pathname)),
    );
    console.log(
      `load: ${tool}, ${CONNECTIONS} connections, ${SECONDS} s a flood; probe: one request at a time`,
    );

    const unprocessed = async () =>
      (
        await services.pool.query<{ n: number }>(
          `select count(*)::int as n from ${PENDING_EVENTS} where e.account_id = $1`,
          [account.id],
        )
      ).rows[0].n;
    const deadlocks = async () =>
      Number(
        (
          await services.pool.query(
            'select deadlocks from pg_stat_database where datname = current_database()',
          )
        ).rows[0].deadlocks,
      );
    const takeovers = async () => {
      const text = (await services.metrics.scrape()).body;
      return text
        .split('\n')
        .filter((line) => line.startsWith('mailtrace_worker_takeovers_total'))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    };

    for (const [label, messages] of [
      ['100 messages', flooded],
      ['1 message', flooded.slice(0, 1)],
    ] as const) {
      const paths = messages.flatMap((id) =>
        [1, 2, 3].map((n) => {
          const url = new URL(services.urls.click(id, `https://example.com/offer/${n}`));
          return url.pathname + url.search;
        }),
      );
      const files = writeLoadFiles(
        tempDir,
        `clicks-${messages.length}`,
        paths,
        addresses,
        'Mozilla/5.0 (bench)',
      );
      const [deadlocksBefore, takeoversBefore] = [await deadlocks(), await takeovers()];
      const probe = run(
        process.execPath,
        [join(HERE, 'api-flood-load.js'), 'mixed', base, pixelsFile, key.secret, String(SECONDS)],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const flood = await runLoad(tool, base, files, SECONDS, CONNECTIONS);
      const probeResult = JSON.parse((await probe).stdout) as {
        pixelMs: number[];
        meMs: number[];
        failures: number;
      };
      await services.eventBuffer.drain(60_000);
      const started = performance.now();
      let left = await unprocessed();
      while (left > 0 && performance.now() - started < 120_000) {
        await sleep(250);
        left = await unprocessed();
      }
      const drainSeconds = (performance.now() - started) / 1000;
      const pixelP99 = percentile(probeResult.pixelMs, 99);
      const meP99 = percentile(probeResult.meMs, 99);
      console.log('');
      console.log(
        `clicks on ${label}: ${int(flood.responses)} answered (${int(flood.responses / flood.seconds)}/s, p99 ${ms(flood.p99Ms ?? 0)})`,
      );
      console.log(
        `  during the flood: pixel p99 ${ms(pixelP99)} over ${int(probeResult.pixelMs.length)} hits (target < 50 ms) ${pixelP99 < 50 ? 'ok' : 'MISSED'}; ` +
          `GraphQL me p99 ${ms(meP99)} over ${int(probeResult.meMs.length)} (target < 250 ms) ${meP99 < 250 ? 'ok' : 'MISSED'}` +
          (probeResult.failures ? `; ${probeResult.failures} probe failures` : ''),
      );
      console.log(
        `  backlog: ${left === 0 ? `every click processed ${drainSeconds.toFixed(1)} s after the flood` : `${int(left)} clicks unprocessed after 120 s`} ` +
          `(target <= ${PROCESSED_WITHIN_S} s) ${left === 0 && drainSeconds <= PROCESSED_WITHIN_S ? 'ok' : 'MISSED'}`,
      );
      const [newDeadlocks, newTakeovers] = [
        (await deadlocks()) - deadlocksBefore,
        (await takeovers()) - takeoversBefore,
      ];
      console.log(
        `  deadlocks detected: ${newDeadlocks}; lapsed heartbeats (worker takeovers): ${newTakeovers}`,
      );
      if (newDeadlocks > 0 || newTakeovers > 0) process.exitCode = 1;
    }
  } finally {
    await service.close();
    rmSync(tempDir, { recursive: true, force: true });
  }
}

await main();
