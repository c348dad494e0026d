import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { createCampaign, createSender, importRecipients } from './support/campaigns.js';
import { writeCityDatabase } from './support/geo-fixture.js';
import { liveClient, subscribeTo, untilLive } from './support/live.js';

const EVENT =
  'id type messageId campaignId recipient machine machineReason url ipAddress location { country city }';
const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

/** A campaign fanned out into QUEUED messages (nothing is sent), and its message ids. */
async function campaignWithMessages(t: TestApp, key: string, n = 2) {
  const senderId = await createSender(t.baseUrl, key, 2);
  const campaignId = await createCampaign(t.baseUrl, key, senderId);
  await importRecipients(
    t.baseUrl,
    key,
    campaignId,
    `email\n${Array.from({ length: n }, (_, i) => `live${i}-${campaignId.slice(0, 8)}@example.com`).join('\n')}`,
  );
  await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id: campaignId });
  await t.app.services.fanOut.run(campaignId);
  const { rows } = await t.app.services.pool.query<{ id: string }>(
    'select id from message where campaign_id = $1 order by id',
    [campaignId],
  );
  return { campaignId, messageIds: rows.map((r) => r.id) };
}

const open = (t: TestApp, messageId: string, ip = '81.2.69.160') =>
  fetch(t.app.services.urls.openPixel(messageId).replace(t.config.publicUrl, t.baseUrl), {
    headers: { 'user-agent': BROWSER, 'x-forwarded-for': ip },
  });
const click = (t: TestApp, messageId: string, url: string) =>
  fetch(t.app.services.urls.click(messageId, url).replace(t.config.publicUrl, t.baseUrl), {
    redirect: 'manual',
    headers: { 'user-agent': BROWSER },
  });

describe('live subscriptions over graphql-ws', () => {
  let t: TestApp;
  let alice: string;
  let aliceId: string;
  let bob: string;
  let bobId: string;
  const clients: ReturnType<typeof liveClient>[] = [];
  const client = (key: string | null) => {
    const c = liveClient(t.baseUrl, key);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp({ worker: false, env: { TRUST_PROXY: '1', GEOIP_DB: writeCityDatabase() } });
    ({ key: alice, accountId: aliceId } = await createAccount(t.app, 'Alice'));
    ({ key: bob, accountId: bobId } = await createAccount(t.app, 'Bob'));
  });
  // every test starts with no subscriber left from the one before (a stream closes asynchronously)
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.dispose();
    await eventually(async () => t.app.liveSubscribers() === 0);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('pushes an open as it happens, already located; a click again once processed', async () => {
    const { campaignId, messageIds } = await campaignWithMessages(t, alice);
    const live = subscribeTo(
      client(alice),
      `subscription($c: ID) { trackingEvents(campaignId: $c) { ${EVENT} } }`,
      { c: campaignId },
    );
    await untilLive(t.app, 1, [aliceId]);
    await open(t, messageIds[0]);
    const first = await live.next();
    expect(first).toMatchObject({
      type: 'OPEN',
      messageId: messageIds[0],
      campaignId,
      machine: false,
      ipAddress: '81.2.69.160',
      location: { country: 'GB', city: 'London' },
    });
    expect(first.recipient).toMatch(/^live0-/);
    await click(t, messageIds[0], 'https://example.com/read');
    const clicked = await live.next();
    expect(clicked).toMatchObject({ type: 'CLICK', messageId: messageIds[0], machine: false });
    await t.app.services.eventProcessor.run();
    // judged by its behaviour now (a person: one click after the open), and told again
    expect(await live.next()).toMatchObject({ id: clicked.id, type: 'CLICK', machine: false });
    live.stop();
    await eventually(async () => t.app.liveSubscribers() === 0);
  });

  it('filters by campaign and by type; emailOpened gets opens only', async () => {
    const one = await campaignWithMessages(t, alice);
    const other = await campaignWithMessages(t, alice);
    const clicks = subscribeTo(
      client(alice),
      `subscription($c: ID) { trackingEvents(campaignId: $c, types: [CLICK]) { ${EVENT} } }`,
      {
        c: one.campaignId,
      },
    );
    const opens = subscribeTo(client(alice), `subscription { emailOpened { ${EVENT} } }`);
    await untilLive(t.app, 2, [aliceId]);
    await open(t, one.messageIds[0]);
    await click(t, other.messageIds[0], 'https://example.com/other');
    await click(t, one.messageIds[1], 'https://example.com/mine');
    expect(await clicks.next()).toMatchObject({
      type: 'CLICK',
      campaignId: one.campaignId,
      url: 'https://example.com/mine',
    });
    expect(await opens.next()).toMatchObject({ type: 'OPEN', messageId: one.messageIds[0] });
    await new Promise((r) => setTimeout(r, 300));
    expect(clicks.received).toEqual([]);
    expect(opens.received).toEqual([]);
    clicks.stop();
    opens.stop();
  });

  it('keeps accounts apart: another account’s campaign is refused, and its events never arrive', async () => {
    const mine = await campaignWithMessages(t, alice);
    const refused = subscribeTo(
      client(bob),
      `subscription($c: ID) { trackingEvents(campaignId: $c) { id } }`,
      { c: mine.campaignId },
    );
    const errors = (await refused.error) as { extensions?: { code?: string } }[];
    expect(errors[0].extensions?.code).toBe('NOT_FOUND');
    const bobsFeed = subscribeTo(client(bob), `subscription { trackingEvents { ${EVENT} } }`);
    const alicesFeed = subscribeTo(client(alice), `subscription { trackingEvents { ${EVENT} } }`);
    // both announced: Bob's feed must stay empty because it is Bob's, not because nobody listened yet
    await untilLive(t.app, 2, [aliceId, bobId]);
    await open(t, mine.messageIds[0]);
    expect(await alicesFeed.next()).toMatchObject({ messageId: mine.messageIds[0] });
    await new Promise((r) => setTimeout(r, 400));
    expect(bobsFeed.received).toEqual([]);
    bobsFeed.stop();
    alicesFeed.stop();
  });

  it('refuses a connection without a valid API key', async () => {
    for (const key of [null, 'mt_not-a-real-key']) {
      const denied = subscribeTo(liveClient(t.baseUrl, key), 'subscription { trackingEvents { id } }');
      const error = (await denied.error) as { code?: number };
      expect(error.code).toBe(4403);
    }
  });

  it('survives a lost LISTEN connection and a client that reconnects', async () => {
    const { messageIds } = await campaignWithMessages(t, alice, 3);
    const first = client(alice);
    const feed = subscribeTo(first, `subscription { emailOpened { ${EVENT} } }`);
    await untilLive(t.app, 1, [aliceId]);
    await t.app.services.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen mailtrace_events%' and datname = current_database()`,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    await open(t, messageIds[0]);
    expect(await feed.next(8_000)).toMatchObject({ messageId: messageIds[0] });
    await first.dispose();
    await eventually(async () => t.app.liveSubscribers() === 0);

    const again = subscribeTo(client(alice), `subscription { emailOpened { ${EVENT} } }`);
    await untilLive(t.app, 1, [aliceId]);
    await open(t, messageIds[1]);
    expect(await again.next()).toMatchObject({ messageId: messageIds[1] });
    again.stop();
  });
});

describe('live subscriptions across processes', () => {
  let tracking: TestApp;
  let api: TestApp;
  let client: ReturnType<typeof liveClient>;

  beforeAll(async () => {
    tracking = await startTestApp({ worker: false });
    api = await startTestApp({ worker: false, database: tracking.db });
  });
  afterAll(async () => {
    await client?.dispose();
    await api?.stop();
    await tracking?.stop();
    await tracking?.db.drop();
  });

  it('delivers an open recorded by one process to a subscriber of another', async () => {
    const { key, accountId } = await createAccount(tracking.app, 'Across');
    const { messageIds } = await campaignWithMessages(tracking, key);
    client = liveClient(api.baseUrl, key);
    const feed = subscribeTo(client, `subscription { trackingEvents { ${EVENT} } }`);
    // the recording process learns who is watched within two seconds (its cache of subscription_presence)
    await untilLive(api.app, 1, [accountId], tracking.app);
    await open(tracking, messageIds[0]);
    expect(await feed.next()).toMatchObject({ type: 'OPEN', messageId: messageIds[0] });
  });
});
