/**
 * `npm run bench:campaign`: end-to-end campaign throughput (sendCampaign -> last message SENT) through
 * a local SMTP sink, beside raw nodemailer pooled throughput to the same sink in the same run, and
 * the time to import and fan out a large recipient list.
 *
 * - mailtrace (API and workers) runs in this process; the SMTP sink in a child process.
 * - Its own database (see bench/support.ts).
 * - BENCH_MESSAGES (10000) per round, BENCH_ROUNDS (3), BENCH_IMPORT_ROWS (100000),
 *   WORKER_CONCURRENCY (the service's own setting, default 10).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { makeWorkerUtils } from 'graphile-worker';
import nodemailer from 'nodemailer';
import { personalize } from '../src/campaigns/template.js';
import { newId } from '../src/db/ids.js';
import { renderTrackedEmail } from '../src/messages/render.js';
import type { TrackingUrls } from '../src/tracking/tracking-urls.js';
import { type BenchService, envInt, median, startBenchService } from './support.js';

const MESSAGES = envInt('BENCH_MESSAGES', 10_000);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const IMPORT_ROWS = envInt('BENCH_IMPORT_ROWS', 100_000);
const TARGET_PERCENT = 50;
const POOL_CONNECTIONS = 5;
const HERE = dirname(fileURLToPath(import.meta.url));
const HTML = `<html><body><h1>Hello {{first_name|there}}</h1><p>${'News of the week. '.repeat(40)}</p>
<p><a href="https://example.com/offer">See the offer</a></p></body></html>`;

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Sink {
  port: number;
  count(): Promise<number>;
  child: ChildProcess;
}

async function startSink(): Promise<Sink> {
  const child = fork(join(HERE, 'smtp-sink.js'), { stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited with code ${code}`)));
  });
  const count = () =>
    new Promise<number>((resolve) => {
      const onMessage = (m: unknown) => {
        const { count: n } = m as { count?: number };
        if (typeof n === 'number') {
          child.off('message', onMessage);
          resolve(n);
        }
      };
      child.on('message', onMessage);
      child.send('count');
    });
  return { port, count, child };
}

const csvOf = (prefix: string, n: number) =>
  `email,first_name\n${Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com,Reader${i}`).join('\n')}`;

/** Raw nodemailer: one pooled transport, every message handed to it at once, as fast as it goes. */
async function rawNodemailer(sink: Sink, round: number, urls: TrackingUrls): Promise<number> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    auth: { user: 'bench@example.com', pass: 'x' },
    pool: true,
    maxConnections: POOL_CONNECTIONS,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: MESSAGES }, (_, i) => {
      // the same rendering work mailtrace does: personalisation, tracked links, pixel, unsubscribe footer
      const html = personalize(HTML, { first_name: `Reader${i}` }, 'html');
      const rendered = renderTrackedEmail({ html, text: null }, urls.forMessage(newId()), (url) =>
        urls.isTrackingUrl(url),
      );
      return transport.sendMail({
        from: 'bench@example.com',
        to: `raw${round}-${i}@example.com`,
        subject: `Hello Reader${i}`,
        html: rendered.html,
      });
    }),
  );
  const elapsed = performance.now() - started;
  transport.close();
  return elapsed;
}

async function main(): Promise<void> {
  let service: BenchService | null = null;
  const sink = await startSink();
  try {
    service = await startBenchService('campaign');
    const { app, config } = service;
    const { services } = app;
    const em = services.orm.em.fork();
    const { account } = await services.accounts.create(em, `bench ${new Date().toISOString()}`);
    const sender = await services.senders.create(em, account.id, {
      key: 'bench',
      email: 'bench@example.com',
      password: 'x',
      smtpHost: '127.0.0.1',
      smtpPort: sink.port,
      smtpSecure: false,
    });
    const newCampaign = (name: string) =>
      services.campaigns.create(em.fork(), account.id, {
        name,
        subject: 'Hello {{first_name}}',
        html: HTML,
        senderId: sender.id,
      });

    // 1. A large import and its fan-out, with no workers running (nothing is sent).
    const big = await newCampaign('import');
    const csv = csvOf('import', IMPORT_ROWS);
    let started = performance.now();
    const imported = await services.campaigns.importRecipients(account.id, big.id, csv);
    const importMs = performance.now() - started;
    await services.campaigns.send(em.fork(), account.id, big.id);
    started = performance.now();
    await services.fanOut.run(big.id);
    const fanOutMs = performance.now() - started;
    console.log(
      `import ${int(IMPORT_ROWS)} rows (${(csv.length / 1024 / 1024).toFixed(1)} MiB): ${seconds(importMs)}, ` +
        `${int(imported.added)} added; fan-out to messages and send jobs: ${seconds(fanOutMs)}`,
    );
    // Those messages are not to be sent: complete their jobs unrun.
    const utils = await makeWorkerUtils({ pgPool: services.pool });
    const { rows } = await services.pool.query<{ id: string }>('select id from graphile_worker.jobs');
    await utils.completeJobs(rows.map((r) => r.id));
    await utils.release();

    // 2. Throughput: raw nodemailer and mailtrace, alternating, to the same sink.
    await app.startWorker();
    console.log(
      `throughput: ${int(MESSAGES)} messages a round, ${ROUNDS} rounds; nodemailer pool of ${POOL_CONNECTIONS} ` +
        `connections both ways; worker concurrency ${config.workerConcurrency}`,
    );
    const raw: number[] = [];
    const ours: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const rawMs = await rawNodemailer(sink, round, services.urls);
      raw.push(MESSAGES / (rawMs / 1000));

      const campaign = await newCampaign(`round ${round}`);
      await services.campaigns.importRecipients(account.id, campaign.id, csvOf(`round${round}-`, MESSAGES));
      const before = await sink.count();
      started = performance.now();
      await services.campaigns.send(em.fork(), account.id, campaign.id);
      for (;;) {
        const { rows: status } = await services.pool.query<{ status: string }>(
          'select status from campaign where id = $1',
          [campaign.id],
        );
        if (status[0].status === 'SENT') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const oursMs = performance.now() - started;
      const delivered = (await sink.count()) - before;
      ours.push(MESSAGES / (oursMs / 1000));
      console.log(
        `round ${round}: raw nodemailer ${int(raw[round - 1])} emails/s (${seconds(rawMs)}), ` +
          `mailtrace ${int(ours[round - 1])} emails/s (${seconds(oursMs)}, sendCampaign to last SENT), ` +
          `sink received ${int(delivered)}`,
      );
      if (delivered !== MESSAGES) {
        process.exitCode = 1;
        console.log(`  the sink received ${delivered} emails, not ${MESSAGES}`);
      }
    }
    const ratio = (median(ours) / median(raw)) * 100;
    console.log('');
    console.log('summary');
    console.log(
      `  campaign: raw nodemailer ${int(median(raw))} emails/s (median of ${ROUNDS}), mailtrace ${int(median(ours))} emails/s ` +
        `end to end, ratio ${ratio.toFixed(1)}% (target >= ${TARGET_PERCENT}%) ${ratio >= TARGET_PERCENT ? 'ok' : 'BELOW TARGET'}`,
    );
    console.log(
      `  import of ${int(IMPORT_ROWS)} recipients ${seconds(importMs)}, fan-out ${seconds(fanOutMs)}`,
    );
  } finally {
    await service?.close();
    sink.child.kill();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:campaign failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
