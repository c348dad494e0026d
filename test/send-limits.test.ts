import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  eventually,
  gqlOk,
  runLaterJobsNow,
  startTestApp,
  type TestApp,
} from './support/app.js';
import { createCampaign, createSender, importRecipients } from './support/campaigns.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';

const recipientsCsv = (prefix: string, n: number) =>
  `email\n${Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`).join('\n')}`;

describe('per-sender limits, held in PostgreSQL across two worker processes', () => {
  let first: TestApp;
  let second: TestApp;
  let peer: SmtpPeer;
  let key: string;

  beforeAll(async () => {
    peer = await startSmtpPeer();
    first = await startTestApp();
    // a second service on the same database: its workers compete with the first one's
    second = await startTestApp({ database: first.db });
    ({ key } = await createAccount(first.app, 'Limited'));
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await first?.db.drop();
    await peer?.stop();
  });

  const sentCount = async (campaignId: string) =>
    (
      await first.app.services.pool.query(
        `select count(*) filter (where status = 'SENT')::int as sent, count(*)::int as total from message where campaign_id = $1`,
        [campaignId],
      )
    ).rows[0] as { sent: number; total: number };

  /** Waits until `expected` messages are SENT and no more go out for a while. */
  async function settlesAt(campaignId: string, expected: number) {
    await eventually(async () => (await sentCount(campaignId)).sent === expected);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await sentCount(campaignId)).sent).toBe(expected);
  }

  /** The job runs when the window has passed; make time pass for the limit and the deferred jobs. */
  async function nextWindow(kind: 'minute' | 'day') {
    await first.app.services.pool.query(
      `update sender_send_window set window_start = window_start - interval '1 ${kind}' where kind = $1`,
      [kind],
    );
    await runLaterJobsNow(first);
  }

  it('sends at most maxPerMinute a minute, whichever worker takes the jobs, and defers the rest', async () => {
    // a window must not roll over in the middle of the check
    const seconds = new Date().getSeconds();
    if (seconds > 45) await new Promise((r) => setTimeout(r, (61 - seconds) * 1000));
    const senderId = await createSender(first.baseUrl, key, peer.port, { maxPerMinute: 5 });
    const id = await createCampaign(first.baseUrl, key, senderId);
    await importRecipients(first.baseUrl, key, id, recipientsCsv('minute', 12));
    await gqlOk(first.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });

    await settlesAt(id, 5);
    const deferred = await first.app.services.pool.query(
      `select count(*)::int as n from graphile_worker.jobs where task_identifier = 'send_messages'
         and run_at >= date_trunc('minute', now()) + interval '1 minute'`,
    );
    expect(deferred.rows[0].n).toBeGreaterThan(0);
    expect((await sentCount(id)).total).toBe(12);

    await nextWindow('minute');
    await settlesAt(id, 10);
    await nextWindow('minute');
    await settlesAt(id, 12);
    expect(peer.received.filter((m) => m.envelopeTo[0].startsWith('minute'))).toHaveLength(12);
  });

  it('stops at maxPerDay and defers to the next UTC day', async () => {
    const senderId = await createSender(first.baseUrl, key, peer.port, { maxPerDay: 3 });
    const id = await createCampaign(first.baseUrl, key, senderId);
    await importRecipients(first.baseUrl, key, id, recipientsCsv('day', 5));
    await gqlOk(first.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });
    await settlesAt(id, 3);
    const tomorrow = await first.app.services.pool.query(
      `select count(*)::int as n from graphile_worker.jobs where task_identifier = 'send_messages'
         and run_at >= (date_trunc('day', now() at time zone 'UTC') + interval '1 day') at time zone 'UTC'`,
    );
    expect(tomorrow.rows[0].n).toBeGreaterThan(0);
    await nextWindow('day');
    await settlesAt(id, 5);
  });
});
