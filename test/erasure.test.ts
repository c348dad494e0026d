import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { createCampaign, createSender, importRecipients, waitForStatus } from './support/campaigns.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';

describe('forgetRecipient', () => {
  let t: TestApp;
  let peer: SmtpPeer;
  const accounts: { key: string; senderId: string; messageId: string; campaignId: string }[] = [];

  beforeAll(async () => {
    peer = await startSmtpPeer();
    t = await startTestApp();
    for (const name of ['Forgetful', 'Other']) {
      const { key } = await createAccount(t.app, name);
      const senderId = await createSender(t.baseUrl, key, peer.port);
      const messageId = (
        await gqlOk(t.baseUrl, key, 'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }', {
          i: { senderId, recipient: 'Person@Example.com', subject: 'Hi', body: '<p>Hi</p>', isHtml: true },
        })
      ).sendEmail.id;
      const campaignId = await createCampaign(t.baseUrl, key, senderId);
      await importRecipients(
        t.baseUrl,
        key,
        campaignId,
        'email,first_name\nperson@example.com,Per\nkeep@example.com,Keep',
      );
      await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id: campaignId });
      await waitForStatus(t.baseUrl, key, campaignId, 'SENT');
      await fetch(t.app.services.urls.openPixel(messageId).replace(t.config.publicUrl, t.baseUrl), {
        headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Thunderbird/128.0' },
      });
      accounts.push({ key, senderId, messageId, campaignId });
    }
    await t.app.services.eventBuffer.drain(5_000);
  });
  afterAll(async () => {
    await t?.stop();
    await peer?.stop();
  });

  const countsFor = async (key: string) => {
    const data = await gqlOk(
      t.baseUrl,
      key,
      '{ messages(recipient: "Person@example.com") { totalCount nodes { events { id } } } }',
    );
    return {
      messages: data.messages.totalCount,
      events: data.messages.nodes.flatMap((n: { events: unknown[] }) => n.events).length,
    };
  };

  it('erases every message, event, recipient and sequence row of the address for the caller only, and returns the count', async () => {
    const [forgetful, other] = accounts;
    expect(await countsFor(forgetful.key)).toEqual({ messages: 2, events: 1 });
    const erased = await gqlOk(
      t.baseUrl,
      forgetful.key,
      'mutation { forgetRecipient(email: "  PERSON@example.COM ") }',
    );
    // 1 event + 2 messages + 1 campaign recipient + 1 sequence row
    expect(erased.forgetRecipient).toBe(5);
    expect(await countsFor(forgetful.key)).toEqual({ messages: 0, events: 0 });
    const pool = t.app.services.pool;
    const leftovers = await pool.query(
      `select (select count(*) from campaign_recipient where campaign_id = $1 and lower(email) = 'person@example.com')::int as recipients,
              (select count(*) from campaign_recipient where campaign_id = $1)::int as others,
              (select count(*) from recipient_sequence where lower(recipient) = 'person@example.com')::int as sequences`,
      [forgetful.campaignId],
    );
    expect(leftovers.rows[0]).toEqual({ recipients: 0, others: 1, sequences: 1 });
    // the other account keeps everything
    expect(await countsFor(other.key)).toEqual({ messages: 2, events: 1 });
  });

  it('keeps only a hashed suppression, so the person is not mailed again', async () => {
    const [forgetful] = accounts;
    const list = await gqlOk(t.baseUrl, forgetful.key, '{ suppressions { nodes { email reason detail } } }');
    expect(list.suppressions.nodes).toEqual([{ email: null, reason: 'ERASED', detail: null }]);
    const { rows } = await t.app.services.pool.query(
      "select count(*)::int as n from suppression where email ilike '%person%'",
    );
    expect(rows[0].n).toBe(0);
    const again = await gqlOk(
      t.baseUrl,
      forgetful.key,
      'mutation($i: SendEmailInput!) { sendEmail(input: $i) { status sequenceId } }',
      {
        i: { senderId: forgetful.senderId, recipient: 'person@example.com', subject: 'x', body: 'x' },
      },
    );
    expect(again.sendEmail.status).toBe('SUPPRESSED');
    const next = await createCampaign(t.baseUrl, forgetful.key, forgetful.senderId);
    expect(await importRecipients(t.baseUrl, forgetful.key, next, 'email\nperson@example.com')).toMatchObject(
      { added: 0, suppressed: 1 },
    );
  });

  it('answers 0 for an address it never had, and BAD_USER_INPUT for a non-address', async () => {
    const [forgetful] = accounts;
    expect(
      (await gqlOk(t.baseUrl, forgetful.key, 'mutation { forgetRecipient(email: "never@example.com") }'))
        .forgetRecipient,
    ).toBe(0);
    const bad = await gql(t.baseUrl, forgetful.key, 'mutation { forgetRecipient(email: "nope") }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
