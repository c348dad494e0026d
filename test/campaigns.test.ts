import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';
import {
  campaignOf,
  createCampaign,
  createSender,
  importRecipients,
  waitForStatus,
} from './support/campaigns.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';

describe('campaigns', () => {
  let t: TestApp;
  let peer: SmtpPeer;
  let key: string;
  let senderId: string;
  const bounces = new Set<string>();

  beforeAll(async () => {
    peer = await startSmtpPeer({
      onRecipient: (address) => (bounces.has(address) ? { code: 550, message: '5.1.1 no such user' } : null),
    });
    t = await startTestApp();
    ({ key } = await createAccount(t.app, 'Acme'));
    senderId = await createSender(t.baseUrl, key, peer.port);
  });
  afterAll(async () => {
    await t?.stop();
    await peer?.stop();
  });

  const mailTo = (address: string) => peer.received.filter((m) => m.envelopeTo.includes(address));

  it('imports recipients: normalises, skips duplicates, reports bad rows by line, keeps attributes', async () => {
    const id = await createCampaign(t.baseUrl, key, senderId);
    const csv = [
      'email,first_name,last_name,Plan',
      ' Ada@Example.COM ,Ada,Lovelace,pro', // 2: trimmed, domain lower-cased
      'ada@example.com,Dup,,free', // 3: duplicate of line 2 (case-insensitive)
      'not-an-email,X,,', // 4
      ',Nobody,,', // 5
      '"grace@example.com","Grace ""Amazing""",Hopper,team', // 6
      'short', // 7
    ].join('\r\n');
    const result = await importRecipients(t.baseUrl, key, id, csv);
    expect(result).toMatchObject({ added: 2, skipped: 1, suppressed: 0 });
    expect(result.errors.map((e: { line: number }) => e.line)).toEqual([4, 5, 7]);
    expect(result.errors[0].message).toMatch(/not a valid email address/);
    const again = await importRecipients(t.baseUrl, key, id, 'email\nada@example.com\nnew@example.com');
    expect(again).toMatchObject({ added: 1, skipped: 1 });
    const { rows } = await t.app.services.pool.query(
      'select email, first_name, attributes from campaign_recipient where campaign_id = $1 order by email',
      [id],
    );
    expect(rows).toEqual([
      { email: 'Ada@example.com', first_name: 'Ada', attributes: { plan: 'pro' } },
      { email: 'grace@example.com', first_name: 'Grace "Amazing"', attributes: { plan: 'team' } },
      { email: 'new@example.com', first_name: null, attributes: {} },
    ]);
    expect((await campaignOf(t.baseUrl, key, id)).metrics.recipients).toBe(3);
  });

  it('sends a personalised, individually tracked copy to each recipient and moves DRAFT -> SENDING -> SENT', async () => {
    const id = await createCampaign(t.baseUrl, key, senderId, {
      subject: 'Hi {{first_name|there}}, your {{plan}} plan',
      html: '<html><body><p>Dear {{ first_name | friend }} {{last_name}},</p><p>{{#if vip}}keep{{/if}} {{ unknown syntax }}</p></body></html>',
      text: 'Dear {{first_name|friend}} <{{email}}>',
    });
    await importRecipients(
      t.baseUrl,
      key,
      id,
      "email,first_name,last_name,plan\nx1@example.com,<script>alert(1)</script>,O'Neil & Co,gold\nx2@example.com,,,",
    );
    const sending = await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { status } }', {
      id,
    });
    expect(sending.sendCampaign.status).toBe('SENDING');
    const done = await waitForStatus(t.baseUrl, key, id, 'SENT');
    expect(done.metrics).toMatchObject({ recipients: 2, sent: 2, failed: 0, suppressed: 0, openRate: 0 });

    const [first] = mailTo('x1@example.com');
    expect(first.parsed.subject).toBe('Hi <script>alert(1)</script>, your gold plan');
    const html = String(first.parsed.html);
    expect(html).toContain('Dear &lt;script&gt;alert(1)&lt;/script&gt; O&#39;Neil &amp; Co,');
    expect(html).toContain('{{#if vip}}keep{{/if}} {{ unknown syntax }}');
    expect(first.parsed.text).toMatch(
      /^Dear <script>alert\(1\)<\/script> <x1@example\.com>\n\n--\nUnsubscribe: /,
    );
    const [second] = mailTo('x2@example.com');
    expect(second.parsed.subject).toBe('Hi there, your  plan');
    expect(String(second.parsed.html)).toContain('Dear friend ,');

    const pixels = [first, second].map(
      (m) => /tracking\/open\/([A-Za-z0-9_-]{44})/.exec(String(m.parsed.html))![1],
    );
    expect(new Set(pixels).size).toBe(2);
    const messages = await gqlOk(
      t.baseUrl,
      key,
      `query($id: ID!) { campaign(id: $id) { messages(first: 10) { totalCount nodes { id recipient status campaignId sequenceId } } } }`,
      { id },
    );
    expect(messages.campaign.messages.totalCount).toBe(2);
    for (const node of messages.campaign.messages.nodes) {
      expect(node).toMatchObject({ status: 'SENT', campaignId: id });
      expect(t.app.services.tokens.verify(pixels[node.recipient === 'x1@example.com' ? 0 : 1])).toBe(node.id);
    }

    await fetch(t.app.services.urls.openPixel(messages.campaign.messages.nodes[0].id), {
      headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Outlook/16.0' },
    });
    const opened = await eventually(async () => {
      const c = await campaignOf(t.baseUrl, key, id);
      return c.metrics.opens === 1 ? c : undefined;
    });
    expect(opened.metrics).toMatchObject({ uniqueOpens: 1, openRate: 0.5 });
    expect(opened.metrics.medianTimeToOpenSeconds).toBeGreaterThanOrEqual(0);
  });

  it('refuses to send twice, to send without recipients, to edit or add recipients after sending', async () => {
    const empty = await createCampaign(t.baseUrl, key, senderId);
    const noRecipients = await gql(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', {
      id: empty,
    });
    expect(noRecipients.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(noRecipients.errors?.[0].message).toMatch(/no recipients/);

    const id = await createCampaign(t.baseUrl, key, senderId);
    await importRecipients(t.baseUrl, key, id, 'email\nonce@example.com');
    await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });
    const twice = await gql(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });
    expect(twice.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(twice.errors?.[0].message).toMatch(/already sent/);
    const edit = await gql(
      t.baseUrl,
      key,
      'mutation($id: ID!, $i: CampaignInput!) { updateCampaign(id: $id, input: $i) { id } }',
      {
        id,
        i: { name: 'x', subject: 'x', html: 'x', senderId },
      },
    );
    expect(edit.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const more = await gql(
      t.baseUrl,
      key,
      'mutation($id: ID!) { addRecipients(campaignId: $id, recipients: [{ email: "late@example.com" }]) { added } }',
      { id },
    );
    expect(more.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await waitForStatus(t.baseUrl, key, id, 'SENT');
    expect(mailTo('once@example.com')).toHaveLength(1);
  });

  it('refuses to send a campaign whose sender was deleted', async () => {
    const doomed = await createSender(t.baseUrl, key, peer.port);
    const id = await createCampaign(t.baseUrl, key, doomed);
    await gqlOk(
      t.baseUrl,
      key,
      'mutation($id: ID!) { addRecipients(campaignId: $id, recipients: [{ email: "a@example.com", firstName: "A" }]) { added } }',
      { id },
    );
    await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { deleteSender(id: $id) }', { id: doomed });
    const result = await gql(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toMatch(/sender was deleted/);
    const campaign = await campaignOf(t.baseUrl, key, id);
    expect(campaign.status).toBe('DRAFT');
    expect(campaign.sender.id).toBe(doomed);
  });

  it('suppresses a hard bounce for the account: later sends and imports skip it, until unsuppressed', async () => {
    bounces.add('gone@example.com');
    const id = await createCampaign(t.baseUrl, key, senderId);
    await importRecipients(t.baseUrl, key, id, 'email\ngone@example.com\nstays@example.com');
    await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });
    const done = await waitForStatus(t.baseUrl, key, id, 'SENT');
    expect(done.metrics).toMatchObject({ sent: 1, failed: 1 });

    const list = await gqlOk(t.baseUrl, key, '{ suppressions { totalCount nodes { email reason detail } } }');
    expect(list.suppressions.nodes).toContainEqual(
      expect.objectContaining({ email: 'gone@example.com', reason: 'HARD_BOUNCE' }),
    );
    expect(list.suppressions.nodes[0].detail).toMatch(/550/);

    const single = await gqlOk(
      t.baseUrl,
      key,
      'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id status } }',
      {
        i: { senderId, recipient: 'GONE@example.com', subject: 'x', body: 'x' },
      },
    );
    expect(single.sendEmail.status).toBe('SUPPRESSED');

    const next = await createCampaign(t.baseUrl, key, senderId);
    expect(
      await importRecipients(t.baseUrl, key, next, 'email\ngone@example.com\nfresh@example.com'),
    ).toMatchObject({
      added: 1,
      skipped: 1,
      suppressed: 1,
    });

    expect(
      (await gqlOk(t.baseUrl, key, 'mutation { unsuppress(email: "gone@example.com") }')).unsuppress,
    ).toBe(true);
    const missing = await gql(t.baseUrl, key, 'mutation { unsuppress(email: "never@example.com") }');
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    bounces.delete('gone@example.com');
    const after = await gqlOk(
      t.baseUrl,
      key,
      'mutation($i: SendEmailInput!) { sendEmail(input: $i) { status } }',
      {
        i: { senderId, recipient: 'gone@example.com', subject: 'x', body: 'x' },
      },
    );
    expect(after.sendEmail.status).toBe('QUEUED');
  });

  it('marks recipients suppressed after import as SUPPRESSED at fan-out, and still completes', async () => {
    const id = await createCampaign(t.baseUrl, key, senderId);
    await importRecipients(t.baseUrl, key, id, 'email\nlater-bounced@example.com');
    await t.app.services.suppressions.suppress(
      (await gqlOk(t.baseUrl, key, '{ me { id } }')).me.id,
      'later-bounced@example.com',
      'MANUAL' as never,
      null,
    );
    await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });
    const done = await waitForStatus(t.baseUrl, key, id, 'SENT');
    expect(done.metrics).toMatchObject({ recipients: 1, sent: 0, suppressed: 1 });
    expect(mailTo('later-bounced@example.com')).toHaveLength(0);
  });

  it('keeps campaigns to their account', async () => {
    const { key: other } = await createAccount(t.app, 'Other');
    const id = await createCampaign(t.baseUrl, key, senderId);
    const view = await gqlOk(
      t.baseUrl,
      other,
      `query($id: ID!) { campaigns { id } campaign(id: $id) { id } }`,
      { id },
    );
    expect(view.campaigns).toEqual([]);
    expect(view.campaign).toBeNull();
    for (const mutation of [
      'mutation($id: ID!) { sendCampaign(id: $id) { id } }',
      'mutation($id: ID!) { importRecipients(campaignId: $id, csv: "email\\nx@example.com") { added } }',
      'mutation($id: ID!) { addRecipients(campaignId: $id, recipients: [{ email: "x@example.com" }]) { added } }',
    ]) {
      const result = await gql(t.baseUrl, other, mutation, { id });
      expect(result.errors?.[0].extensions?.code, mutation).toBe('NOT_FOUND');
    }
    const foreignSender = await gql(
      t.baseUrl,
      other,
      'mutation($i: CampaignInput!) { createCampaign(input: $i) { id } }',
      {
        i: { name: 'x', subject: 'x', html: 'x', senderId },
      },
    );
    expect(foreignSender.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
