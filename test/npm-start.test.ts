import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gqlOk, startTestApp, TEST_SECRETS, type TestApp } from './support/app.js';
import { createSender } from './support/campaigns.js';
import { freePort } from './support/ports.js';
import { sample } from './support/prometheus.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';
import { EVENT_PROCESSED } from './support/seed.js';

describe('the service as npm start runs it: API in the main thread, job workers in their own', () => {
  let peer: SmtpPeer;
  let admin: TestApp;
  let child: ChildProcess;
  let baseUrl: string;
  let metricsUrl: string;
  const output: string[] = [];

  beforeAll(async () => {
    peer = await startSmtpPeer();
    // no HTTP and no workers here: it only makes the account in the database the child serves
    admin = await startTestApp({ worker: false });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    child = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        ...process.env,
        ...TEST_SECRETS,
        DATABASE_URL: admin.db.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: baseUrl,
        LOG_LEVEL: 'warn',
        SMTP_ALLOW_PRIVATE_ADDRESSES: 'true',
        CAPTURE_SMTP_PORT: '0',
        // both threads' metrics on one listener of the main thread's
        METRICS_PORT: String(metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await eventually(async () => (await fetch(`${baseUrl}/healthz`)).ok, 60_000);
  }, 90_000);
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await admin?.stop();
    await admin?.db.drop();
    await peer?.stop();
  });

  it('sends through the worker thread, processes the click there, and merges both threads in /metrics', async () => {
    const { key } = await createAccount(admin.app, 'Started');
    const senderId = await createSender(baseUrl, key, peer.port);
    const { sendEmail } = await gqlOk(
      baseUrl,
      key,
      'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }',
      {
        i: { senderId, recipient: 'reader@example.com', subject: 'Started', body: 'Hello' },
      },
    );
    await eventually(async () => peer.received.length === 1, 30_000);
    const pixelPath = new URL(admin.app.services.urls.openPixel(sendEmail.id)).pathname;
    await (await fetch(baseUrl + pixelPath)).arrayBuffer();
    // the open is stored finished; the click waits for its behaviour verdict from the worker thread
    const link = new URL(admin.app.services.urls.click(sendEmail.id, 'https://example.com/'));
    await (await fetch(baseUrl + link.pathname + link.search, { redirect: 'manual' })).arrayBuffer();

    const metrics = await eventually(async () => {
      const text = await (await fetch(metricsUrl)).text();
      return (
        (sample(text, 'mailtrace_event_batches_total', 'stage="process",thread="workers"') ?? 0) >= 1 && text
      );
    }, 30_000);
    expect(sample(metrics, 'mailtrace_tracking_hits_answered_total', 'route="open",thread="api"')).toBe(1);
    expect((await fetch(`${baseUrl}/metrics`)).status).toBe(404);
    expect(sample(metrics, 'mailtrace_smtp_messages_total', 'outcome="sent",thread="workers"')).toBe(1);
    // each thread has its own event loop, and says how late it runs
    expect(sample(metrics, 'nodejs_eventloop_lag_p99_seconds', 'thread="api"')).toBeGreaterThan(0);
    expect(sample(metrics, 'nodejs_eventloop_lag_p99_seconds', 'thread="workers"')).toBeGreaterThan(0);
    const { rows } = await admin.app.services.pool.query(
      `select ${EVENT_PROCESSED} as processed from tracking_event e where message_id = $1`,
      [sendEmail.id],
    );
    expect(rows).toEqual([{ processed: true }, { processed: true }]);
  });

  it('stops both threads on SIGTERM and exits 0', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code, output.join('')).toBe(0);
  });
});
