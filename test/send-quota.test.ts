import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { createCampaign, createSender, importRecipients } from './support/campaigns.js';

const SEND = 'mutation($input: SendEmailInput!) { sendEmail(input: $input) { id } }';
const SEND_CAMPAIGN = 'mutation($id: ID!) { sendCampaign(id: $id) { id status } }';

describe('per-account send quota (ACCOUNT_SEND_QUOTA_PER_HOUR / _PER_DAY)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // no workers: the quota is taken by the mutations, delivery is not part of it
    t = await startTestApp({
      worker: false,
      env: { ACCOUNT_SEND_QUOTA_PER_HOUR: '3', ACCOUNT_SEND_QUOTA_PER_DAY: '5' },
    });
  });
  afterAll(() => t?.stop());

  const countOf = async (sql: string, id: string) =>
    (await t.app.services.pool.query(sql, [id])).rows[0].n as number;
  const messagesOf = (accountId: string) =>
    countOf('select count(*)::int as n from message where account_id = $1', accountId);

  async function sendEmail(key: string, senderId: string, recipient: string) {
    return gql(t.baseUrl, key, SEND, {
      input: { senderId, recipient, subject: 'Quota', body: 'Hello' },
    });
  }

  it('refuses sendEmail past the hourly quota with RATE_LIMITED and records nothing', async () => {
    const { accountId, key } = await createAccount(t.app, 'Hourly');
    const { accountId: otherId, key: otherKey } = await createAccount(t.app, 'Other');
    const senderId = await createSender(t.baseUrl, key, 2525);
    const otherSender = await createSender(t.baseUrl, otherKey, 2525);
    for (let i = 0; i < 3; i++) {
      expect((await sendEmail(key, senderId, `r${i}@example.com`)).errors).toBeUndefined();
    }
    const refused = await sendEmail(key, senderId, 'r3@example.com');
    expect(refused.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(refused.errors?.[0].message).toMatch(/send quota \(3 an hour, 5 a day\)/);
    const retryAfter = refused.errors?.[0].extensions?.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await messagesOf(accountId)).toBe(3);
    // the quota is the account's own
    expect((await sendEmail(otherKey, otherSender, 'x@example.com')).errors).toBeUndefined();
    expect(await messagesOf(otherId)).toBe(1);
  });

  it('refuses a whole campaign that does not fit, and it stays a DRAFT', async () => {
    const { accountId, key } = await createAccount(t.app, 'Campaigner');
    const senderId = await createSender(t.baseUrl, key, 2525);
    const big = await createCampaign(t.baseUrl, key, senderId);
    await importRecipients(
      t.baseUrl,
      key,
      big,
      'email\na@example.com\nb@example.com\nc@example.com\nd@example.com',
    );
    const refused = await gql(t.baseUrl, key, SEND_CAMPAIGN, { id: big });
    expect(refused.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(
      await countOf('select count(*)::int as n from campaign where id = $1 and status = $$DRAFT$$', big),
    ).toBe(1);
    const jobs = await t.app.services.pool.query(
      "select 1 from graphile_worker.jobs where task_identifier = 'fan_out_campaign'",
    );
    expect(jobs.rowCount).toBe(0);

    const small = await createCampaign(t.baseUrl, key, senderId);
    await importRecipients(t.baseUrl, key, small, 'email\na@example.com\nb@example.com');
    expect((await gqlOk(t.baseUrl, key, SEND_CAMPAIGN, { id: small })).sendCampaign.status).toBe('SENDING');
    // 2 of 3 this hour are taken: one sendEmail fits, the next does not
    expect((await sendEmail(key, senderId, 'e@example.com')).errors).toBeUndefined();
    expect((await sendEmail(key, senderId, 'f@example.com')).errors?.[0].extensions?.code).toBe(
      'RATE_LIMITED',
    );
    expect(await messagesOf(accountId)).toBe(1);
  });

  it('holds the daily quota when a new hour starts', async () => {
    const { accountId, key } = await createAccount(t.app, 'Daily');
    const senderId = await createSender(t.baseUrl, key, 2525);
    for (let i = 0; i < 3; i++) await sendEmail(key, senderId, `d${i}@example.com`);
    // the next hour: the hourly window is spent, the daily one keeps its 3 (unless the day turned too)
    await t.app.services.pool.query(
      `update account_send_window set window_start = window_start - interval '1 hour'
       where account_id = $1 and kind = 'hour'`,
      [accountId],
    );
    expect((await sendEmail(key, senderId, 'd3@example.com')).errors).toBeUndefined();
    expect((await sendEmail(key, senderId, 'd4@example.com')).errors).toBeUndefined();
    const refused = await sendEmail(key, senderId, 'd5@example.com');
    expect(refused.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(refused.errors?.[0].extensions?.retryAfterSeconds).toBeLessThanOrEqual(86_400);
    expect(await messagesOf(accountId)).toBe(5);
  });
});
