import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';
import {
  campaignOf,
  createCampaign,
  createSender,
  importRecipients,
  waitForStatus,
} from './support/campaigns.js';
import { writeCityDatabase } from './support/geo-fixture.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';
import { PENDING_EVENTS } from '../src/tracking/processing/event-processing.sql.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const OUTLOOK = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)';

describe('campaign metrics, kept as counters', () => {
  let t: TestApp;
  let peer: SmtpPeer;
  let key: string;
  let campaignId: string;
  let messages: { id: string; recipient: string }[];

  beforeAll(async () => {
    peer = await startSmtpPeer({
      onRecipient: (a) => (a.startsWith('bounce') ? { code: 550, message: '5.1.1 no' } : null),
    });
    t = await startTestApp({ env: { TRUST_PROXY: '1', GEOIP_DB: writeCityDatabase() } });
    let accountId: string;
    ({ key, accountId } = await createAccount(t.app, 'Metrics'));
    await t.app.services.suppressions.suppress(accountId, 'gone@example.com', 'MANUAL' as never, null);
    const senderId = await createSender(t.baseUrl, key, peer.port);
    campaignId = await createCampaign(t.baseUrl, key, senderId, {
      html: '<p><a href="https://example.com/a">A</a> <a href="https://example.com/b">B</a></p>',
    });
    const emails = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'bounce@example.com'];
    await importRecipients(t.baseUrl, key, campaignId, `email\n${emails.join('\n')}`);
    await t.app.services.pool.query(
      `insert into campaign_recipient (id, campaign_id, email) values (gen_random_uuid(), $1, 'gone@example.com')`,
      [campaignId],
    );
    await t.app.services.pool.query(
      'update campaign set recipient_count = recipient_count + 1 where id = $1',
      [campaignId],
    );
    await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id: campaignId });
    await waitForStatus(t.baseUrl, key, campaignId, 'SENT');
    const { rows } = await t.app.services.pool.query(
      'select id, recipient from message where campaign_id = $1 order by recipient',
      [campaignId],
    );
    messages = rows;
  });
  afterAll(async () => {
    await t?.stop();
    await peer?.stop();
  });

  const byRecipient = (r: string) => messages.find((m) => m.recipient === r)!.id;
  const hit = (url: string, userAgent: string, ip: string) =>
    fetch(url.replace(t.config.publicUrl, t.baseUrl), {
      redirect: 'manual',
      headers: { 'user-agent': userAgent, 'x-forwarded-for': ip },
    });

  it('counts sends, failures, suppressions, human and machine opens and clicks, uniques and unsubscribes', async () => {
    const urls = t.app.services.urls;
    await hit(urls.openPixel(byRecipient('a@example.com')), IPHONE, '81.2.69.160');
    await hit(urls.openPixel(byRecipient('a@example.com')), IPHONE, '81.2.69.160');
    await hit(urls.openPixel(byRecipient('b@example.com')), OUTLOOK, '2a01:cb00::7');
    await hit(urls.openPixel(byRecipient('c@example.com')), 'Mozilla/5.0', '17.1.2.3');
    await hit(urls.click(byRecipient('a@example.com'), 'https://example.com/a'), IPHONE, '81.2.69.160');
    await hit(urls.click(byRecipient('b@example.com'), 'https://example.com/a'), OUTLOOK, '2a01:cb00::7');
    await hit(
      urls.click(byRecipient('c@example.com'), 'https://example.com/b'),
      'python-requests/2.31',
      '203.0.113.5',
    );
    await fetch(urls.unsubscribe(byRecipient('d@example.com')).replace(t.config.publicUrl, t.baseUrl), {
      method: 'POST',
    });
    await t.app.services.eventBuffer.drain(5_000);
    await eventually(async () => {
      const { rows } = await t.app.services.pool.query(
        `select count(*)::int as n from ${PENDING_EVENTS} where e.campaign_id = $1`,
        [campaignId],
      );
      return rows[0].n === 0;
    });
    const campaign = await campaignOf(t.baseUrl, key, campaignId);
    expect(campaign.metrics).toMatchObject({
      recipients: 6,
      sent: 4,
      failed: 1,
      suppressed: 1,
      opens: 3,
      uniqueOpens: 2,
      machineOpens: 1,
      clicks: 2,
      uniqueClicks: 2,
      unsubscribes: 1,
      openRate: 0.5,
      clickRate: 0.5,
      unsubscribeRate: 0.25,
    });
    expect(campaign.metrics.medianTimeToOpenSeconds).toBeGreaterThanOrEqual(0);
    expect(campaign.metrics.topCountries).toEqual([
      { country: 'GB', opens: 2 },
      { country: 'FR', opens: 1 },
    ]);
  });

  it('breaks opens and clicks down by time, client and link, and sums the account', async () => {
    const data = await gqlOk(
      t.baseUrl,
      key,
      `query($id: ID!) { campaign(id: $id) { metrics {
         timeline(bucket: HOUR) { at opens uniqueOpens clicks machineOpens machineClicks }
         days: timeline { at opens }
         minutes: timeline(bucket: MINUTE) { at opens clicks }
         clients { client device opens }
         links { url clicks uniqueClicks machineClicks }
       } }
       overview { campaigns recipients sent failed opens uniqueOpens clicks unsubscribes openRate transactionalSent } }`,
      { id: campaignId },
    );
    const metrics = data.campaign.metrics;
    // the test's events may straddle a minute, an hour or a UTC day: each bucket is whole, and they add up
    const sums = (points: Record<string, number | string>[]) =>
      Object.fromEntries(
        ['opens', 'clicks', 'machineOpens', 'machineClicks'].map((field) => [
          field,
          points.reduce((sum, point) => sum + Number(point[field] ?? 0), 0),
        ]),
      );
    expect(sums(metrics.timeline)).toEqual({ opens: 3, clicks: 2, machineOpens: 1, machineClicks: 1 });
    // one reader opened twice and uniqueOpens is distinct per bucket: 2 in one bucket, 2 or 3 across two
    const uniqueOpens = metrics.timeline.reduce(
      (sum: number, point: { uniqueOpens: number }) => sum + point.uniqueOpens,
      0,
    );
    if (metrics.timeline.length === 1) expect(uniqueOpens).toBe(2);
    else expect([2, 3]).toContain(uniqueOpens);
    for (const point of metrics.timeline) expect(new Date(point.at).getUTCMinutes()).toBe(0);
    expect(sums(metrics.days).opens).toBe(3);
    for (const point of metrics.minutes) expect(new Date(point.at).getUTCSeconds()).toBe(0);
    expect(sums(metrics.minutes)).toMatchObject({ opens: 3, clicks: 2 });
    expect(metrics.clients).toEqual([
      { client: 'Apple Mail', device: 'mobile', opens: 2 },
      { client: 'Outlook', device: 'desktop', opens: 1 },
    ]);
    expect(metrics.links).toEqual([
      { url: 'https://example.com/a', clicks: 2, uniqueClicks: 2, machineClicks: 0 },
      { url: 'https://example.com/b', clicks: 0, uniqueClicks: 0, machineClicks: 1 },
    ]);
    expect(data.overview).toMatchObject({
      campaigns: 1,
      recipients: 6,
      sent: 4,
      failed: 1,
      opens: 3,
      uniqueOpens: 2,
      clicks: 2,
      unsubscribes: 1,
      openRate: 0.5,
    });
  });

  it("lists the campaign's newest opens, clicks and unsubscribes, with client and device", async () => {
    const data = await gqlOk(
      t.baseUrl,
      key,
      `query($id: ID!) { campaign(id: $id) {
         all: events(first: 100) { id type occurredAt recipient client device machine }
         newest: events(first: 2) { id }
       } }`,
      { id: campaignId },
    );
    const all = data.campaign.all as { id: string; type: string; occurredAt: string; machine: boolean }[];
    // 4 opens (one by Apple's proxy), 3 clicks (one by a script), 1 unsubscribe
    expect(all.map((e) => e.type).sort()).toEqual([
      'CLICK',
      'CLICK',
      'CLICK',
      'OPEN',
      'OPEN',
      'OPEN',
      'OPEN',
      'UNSUBSCRIBE',
    ]);
    for (let i = 1; i < all.length; i++)
      expect(Date.parse(all[i - 1].occurredAt)).toBeGreaterThanOrEqual(Date.parse(all[i].occurredAt));
    expect(data.campaign.newest).toEqual(all.slice(0, 2).map(({ id }) => ({ id })));
    const humanOpens = data.campaign.all
      .filter((e: { type: string; machine: boolean }) => e.type === 'OPEN' && !e.machine)
      .map(
        (e: { recipient: string; client: string; device: string }) =>
          `${e.recipient} ${e.client} ${e.device}`,
      )
      .sort();
    expect(humanOpens).toEqual([
      'a@example.com Apple Mail mobile',
      'a@example.com Apple Mail mobile',
      'b@example.com Outlook desktop',
    ]);
  });

  it("pages a campaign's messages the same through campaign(id) { messages } as through messages(campaignId)", async () => {
    const PAGE = 'totalCount hasNextPage endCursor nodes { id recipient status }';
    const data = await gqlOk(
      t.baseUrl,
      key,
      `query($id: ID!) { campaign(id: $id) { messages(first: 2) { ${PAGE} } } messages(campaignId: $id, first: 2) { ${PAGE} } }`,
      { id: campaignId },
    );
    expect(data.campaign.messages).toEqual(data.messages);
    expect(data.messages).toMatchObject({ totalCount: 6, hasNextPage: true });
    const next = await gqlOk(
      t.baseUrl,
      key,
      `query($id: ID!, $after: String) { campaign(id: $id) { messages(first: 10, after: $after) { ${PAGE} } } }`,
      { id: campaignId, after: data.messages.endCursor },
    );
    const ids = [...data.messages.nodes, ...next.campaign.messages.nodes].map((n: { id: string }) => n.id);
    expect(new Set(ids).size).toBe(6);
    expect(next.campaign.messages.hasNextPage).toBe(false);
    const tooMany = await gql(
      t.baseUrl,
      key,
      `query($id: ID!) { campaign(id: $id) { messages(first: 501) { totalCount } } }`,
      {
        id: campaignId,
      },
    );
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('keeps the counters after retention removes the messages and events', async () => {
    const before = (await campaignOf(t.baseUrl, key, campaignId)).metrics;
    await t.app.services.retention.purge(new Date(Date.now() + 200 * 86_400_000));
    const after = (await campaignOf(t.baseUrl, key, campaignId)).metrics;
    const { medianTimeToOpenSeconds: _median, ...counters } = before;
    expect(after).toMatchObject(counters);
    expect(after.topCountries).toEqual(before.topCountries);
  });
});

const BACKGROUND_TABLES = ['tracking_rate', 'subscription_presence'];

describe('no N+1: DataLoader batches every per-row lookup', () => {
  let t: TestApp;
  let key: string;
  afterAll(() => t?.stop());

  it('answers campaigns with sender and metrics, and messages with lastOpen and events, in a fixed number of queries', async () => {
    t = await startTestApp({ worker: false });
    ({ key } = await createAccount(t.app, 'Many'));
    const count = async (query: string) => {
      let queries = 0;
      const original = pg.Client.prototype.query;
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        // timers, not lookups: the API rate limiter adds its counts at most once a second, and the
        // live hub announces its presence every few seconds, whatever the query
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
        if (!BACKGROUND_TABLES.some((table) => text?.includes(table))) queries++;
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
      try {
        await gqlOk(t.baseUrl, key, query);
      } finally {
        pg.Client.prototype.query = original;
      }
      return queries;
    };
    const LIST = `{ campaigns { name sender { key } events(first: 5) { id client }
                                messages(first: 5) { totalCount hasNextPage nodes { id lastOpen { id } } }
                                metrics { openRate medianTimeToOpenSeconds topCountries { country } } }
                    messages(first: 100) { nodes { lastOpen { id } events { id } } } }`;
    const seed = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const senderId = await createSender(t.baseUrl, key, 2);
        const id = await createCampaign(t.baseUrl, key, senderId);
        await importRecipients(t.baseUrl, key, id, `email\nn${i}-${id.slice(0, 6)}@example.com`);
        await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id });
        await t.app.services.fanOut.run(id);
        const { rows } = await t.app.services.pool.query('select id from message where campaign_id = $1', [
          id,
        ]);
        await fetch(t.app.services.urls.openPixel(rows[0].id).replace(t.config.publicUrl, t.baseUrl));
      }
      await t.app.services.eventBuffer.drain(5_000);
    };
    await seed(2);
    const few = await count(LIST);
    await seed(8);
    const many = await count(LIST);
    expect(many).toBe(few);
    // auth, campaigns, senders, metrics, countries, median, events, campaign messages (ids, counts,
    // rows), lastOpen, messages (count, rows), their events: one each, however many rows
    expect(many).toBeLessThanOrEqual(15);
  });
});
