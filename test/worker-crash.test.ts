import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gqlOk, startTestApp, TEST_SECRETS, type TestApp } from './support/app.js';
import { createCampaign, createSender, importRecipients, waitForStatus } from './support/campaigns.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';

const RECIPIENTS = 300;

/** A real worker process (the compiled service, built by the global setup, with --worker-only), to be killed with SIGKILL. */
function spawnWorker(databaseUrl: string): ChildProcess {
  return spawn(process.execPath, ['dist/src/main.js', '--worker-only'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      ...TEST_SECRETS,
      LOG_LEVEL: 'silent',
      WORKER_CONCURRENCY: '4',
      WORKER_HEARTBEAT_MS: '300',
      // its SMTP peer listens on loopback
      SMTP_ALLOW_PRIVATE_ADDRESSES: 'true',
    },
    stdio: 'ignore',
  });
}

describe('a worker killed in the middle of a campaign', () => {
  let t: TestApp;
  let peer: SmtpPeer;
  let child: ChildProcess | null = null;

  afterAll(async () => {
    child?.kill('SIGKILL');
    await t?.stop();
    await peer?.stop();
  });

  it('loses no email and doubles none: another worker takes over its jobs and its SENDING messages', async () => {
    peer = await startSmtpPeer();
    // API only at first: the campaign must go out through the child worker
    t = await startTestApp({ worker: false, env: { WORKER_HEARTBEAT_MS: '300' } });
    const { key } = await createAccount(t.app, 'Crash');
    const senderId = await createSender(t.baseUrl, key, peer.port);
    const id = await createCampaign(t.baseUrl, key, senderId);
    const emails = Array.from({ length: RECIPIENTS }, (_, i) => `r${i}@example.com`);
    await importRecipients(t.baseUrl, key, id, `email\n${emails.join('\n')}`);
    await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });

    child = spawnWorker(t.db.url);
    await eventually(async () => peer.received.length >= RECIPIENTS / 3, 60_000);
    // Stop accepting, so that the kill lands while messages are in flight (SENDING, DATA sent,
    // no reply yet), and once every accepted message is recorded as SENT.
    peer.hold();
    const accepted = peer.received.length;
    await eventually(async () => {
      const { rows } = await t.app.services.pool.query(
        `select count(*) filter (where status = 'SENT')::int as sent, count(*) filter (where status = 'SENDING')::int as sending
         from message where campaign_id = $1`,
        [id],
      );
      return rows[0].sent === accepted && rows[0].sending > 0 && peer.held() > 0;
    }, 30_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = null;
    peer.release();

    const locked = await t.app.services.pool.query(
      `select count(*)::int as n from graphile_worker.jobs where locked_by is not null`,
    );
    expect(locked.rows[0].n).toBeGreaterThan(0);

    await t.app.startWorker();
    const done = await waitForStatus(t.baseUrl, key, id, 'SENT', 60_000);
    expect(done.metrics).toMatchObject({ recipients: RECIPIENTS, sent: RECIPIENTS, failed: 0 });
    const perRecipient = new Map<string, number>();
    for (const mail of peer.received)
      perRecipient.set(mail.envelopeTo[0], (perRecipient.get(mail.envelopeTo[0]) ?? 0) + 1);
    expect(perRecipient.size).toBe(RECIPIENTS);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
    expect(peer.received).toHaveLength(RECIPIENTS);
  }, 120_000);
});
