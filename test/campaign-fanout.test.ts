import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { createCampaign, createSender, importRecipients } from './support/campaigns.js';

describe('large imports and the fan-out, across batch boundaries (no workers: nothing is sent)', () => {
  let t: TestApp;
  let key: string;
  let accountId: string;
  let senderId: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    ({ key, accountId } = await createAccount(t.app, 'Bulk'));
    senderId = await createSender(t.baseUrl, key, 2);
  });
  afterAll(() => t?.stop());

  it('imports 12,345 rows in batches, skipping duplicates that fall in different batches', async () => {
    const id = await createCampaign(t.baseUrl, key, senderId);
    const emails = Array.from({ length: 12_000 }, (_, i) => `bulk${i}@example.com`);
    // 345 duplicates of early rows placed at the end, in upper case
    const duplicates = emails
      .slice(0, 345)
      .map((e) => e.toUpperCase().replace('@EXAMPLE.COM', '@Example.com'));
    const result = await importRecipients(
      t.baseUrl,
      key,
      id,
      `email\n${[...emails, ...duplicates].join('\n')}`,
    );
    expect(result).toMatchObject({ added: 12_000, skipped: 345, errors: [] });
  });

  it('turns every recipient into exactly one message and job, with per-recipient sequence numbers', async () => {
    const id = await createCampaign(t.baseUrl, key, senderId);
    const emails = Array.from({ length: 4_500 }, (_, i) => `fan${i}@example.com`);
    await importRecipients(t.baseUrl, key, id, `email\n${emails.join('\n')}`);
    // one of them was mailed before: its sequence continues at 2
    await gqlOk(t.baseUrl, key, 'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }', {
      i: { senderId, recipient: 'fan7@example.com', subject: 'earlier', body: 'x' },
    });
    await t.app.services.suppressions.suppress(accountId, 'fan9@example.com', 'MANUAL' as never, null);
    await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });
    await t.app.services.fanOut.run(id);
    // a second run (a retried job) adds nothing
    await t.app.services.fanOut.run(id);

    const pool = t.app.services.pool;
    const messages = await pool.query(
      `select count(*)::int as n, count(distinct recipient_id)::int as recipients,
              count(*) filter (where status = 'SUPPRESSED')::int as suppressed from message where campaign_id = $1`,
      [id],
    );
    expect(messages.rows[0]).toEqual({ n: 4_500, recipients: 4_500, suppressed: 1 });
    const sequence = await pool.query(
      `select recipient, sequence_id from message where campaign_id = $1 and recipient in ('fan7@example.com', 'fan8@example.com')
       order by recipient`,
      [id],
    );
    expect(sequence.rows).toEqual([
      { recipient: 'fan7@example.com', sequence_id: 2 },
      { recipient: 'fan8@example.com', sequence_id: 1 },
    ]);
    // payloads are in graphile-worker's own table only (its public jobs view leaves them out): a read
    const jobs = await pool.query(
      `select coalesce(sum(json_array_length(payload->'messageIds')), 0)::int as queued
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
       where t.identifier = 'send_messages'`,
    );
    // 4,499 from the campaign and 1 from sendEmail
    expect(jobs.rows[0].queued).toBe(4_500);
    const campaign = await pool.query('select fanout_completed_at, status from campaign where id = $1', [id]);
    expect(campaign.rows[0].fanout_completed_at).not.toBeNull();
    expect(campaign.rows[0].status).toBe('SENDING');
  });
});
