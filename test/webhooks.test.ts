import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  eventually,
  eventuallyWithJobsDue,
  gql,
  gqlOk,
  startTestApp,
  type TestApp,
} from './support/app.js';
import { seedMessage } from './support/seed.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  json: { delivery_id: string; events: Record<string, any>[] };
}

/** A real HTTP receiver on loopback; `respond` decides each answer. */
async function startReceiver(respond: (n: number) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const answer = respond(n++);
      if (answer === 'hang') return;
      received.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.writeHead(answer, { location: 'http://127.0.0.1:1/elsewhere' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  return { url, received, close: () => new Promise((r) => server.close(() => r(undefined))) };
}

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0';
const CREATE =
  'mutation($u: String!, $e: [TrackingEventType!]!, $m: Boolean) { createWebhook(url: $u, events: $e, includeMachine: $m) { signingSecret webhook { id url events includeMachine } } }';
const LOCAL = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true',
  WEBHOOK_TIMEOUT_MS: '500',
};

describe('webhooks', () => {
  let t: TestApp;
  const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];
  const receiver = async (respond?: (n: number) => number | 'hang') => {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  };
  beforeAll(async () => {
    t = await startTestApp({ env: LOCAL });
  });
  afterAll(async () => {
    await t?.stop();
    for (const r of receivers) await r.close();
  });

  const open = (messageId: string, userAgent = BROWSER) =>
    fetch(t.app.services.urls.openPixel(messageId).replace(t.config.publicUrl, t.baseUrl), {
      headers: { 'user-agent': userAgent },
    });
  const clickUrl = (messageId: string, url: string) =>
    t.app.services.urls.click(messageId, url).replace(t.config.publicUrl, t.baseUrl);

  it('delivers signed batches of the chosen events, in order within a message, without machine events', async () => {
    const r = await receiver();
    const { key, messageId } = await seedMessage(t);
    const created = (await gqlOk(t.baseUrl, key, CREATE, { u: r.url, e: ['OPEN', 'CLICK'] })).createWebhook;
    expect(created.signingSecret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({ url: r.url, events: ['OPEN', 'CLICK'], includeMachine: false });
    const pause = () => new Promise((r) => setTimeout(r, 5)); // distinct timestamps, so the order is defined
    await open(messageId);
    await pause();
    await open(messageId, 'Mozilla/5.0'); // Apple's preload: a machine
    await pause();
    await fetch(clickUrl(messageId, 'https://example.com/x'), {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER },
    });
    await eventually(async () => r.received.flatMap((d) => d.json.events).length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = r.received.flatMap((d) => d.json.events);
    expect(events.map((e) => [e.event_type, e.url])).toEqual([
      ['OPEN', null],
      ['CLICK', 'https://example.com/x'],
    ]);
    expect(events[0]).toMatchObject({
      message_id: messageId,
      recipient: 'r@example.com',
      machine: false,
      campaign_id: null,
    });
    expect(new Date(events[0].timestamp).getTime()).toBeLessThanOrEqual(
      new Date(events[1].timestamp).getTime(),
    );
    for (const delivery of r.received) {
      const timestamp = Number(delivery.headers['mailtrace-timestamp']);
      expect(Math.abs(Date.now() / 1000 - timestamp)).toBeLessThan(60);
      const expected = `v1=${createHmac('sha256', created.signingSecret).update(`${timestamp}.${delivery.body}`).digest('hex')}`;
      expect(delivery.headers['mailtrace-signature']).toBe(expected);
      expect(delivery.headers['mailtrace-delivery']).toBe(delivery.json.delivery_id);
    }
    const log = await gqlOk(
      t.baseUrl,
      key,
      '{ webhookDeliveries { status attempts lastStatusCode eventCount } }',
    );
    expect(log.webhookDeliveries.every((d: { status: string }) => d.status === 'DELIVERED')).toBe(true);
  });

  it('delivers machine events only to endpoints that ask for them, and SENT or FAILED when asked', async () => {
    const everything = await receiver();
    const { key, messageId } = await seedMessage(t);
    await gqlOk(t.baseUrl, key, CREATE, { u: everything.url, e: ['OPEN', 'SENT', 'FAILED'], m: true });
    await open(messageId, 'Mozilla/5.0');
    await eventually(async () =>
      everything.received.flatMap((d) => d.json.events).some((e) => e.event_type === 'OPEN'),
    );
    const opened = everything.received.flatMap((d) => d.json.events).find((e) => e.event_type === 'OPEN')!;
    expect(opened).toMatchObject({ machine: true, machine_reason: 'apple_mpp' });
    // the seeded sender points at a closed port: the send fails after its attempts; make it fail now
    await t.app.services.pool.query('update message set send_attempts = 5 where id = $1', [messageId]);
    await eventuallyWithJobsDue(
      t,
      async () => everything.received.flatMap((d) => d.json.events).some((e) => e.event_type === 'FAILED'),
      20_000,
    );
  });

  it('retries after 500s and timeouts with backoff, then delivers', async () => {
    const flaky = await receiver((n) => (n === 0 ? 500 : n === 1 ? 'hang' : 200));
    const { key, messageId } = await seedMessage(t);
    await gqlOk(t.baseUrl, key, CREATE, { u: flaky.url, e: ['OPEN'] });
    await open(messageId);
    const retrying = await eventually(async () => {
      const log = (
        await gqlOk(
          t.baseUrl,
          key,
          '{ webhookDeliveries { status attempts lastStatusCode lastError nextAttemptAt } }',
        )
      ).webhookDeliveries;
      return log[0]?.attempts === 1 ? log[0] : undefined;
    });
    expect(retrying).toMatchObject({ status: 'PENDING', lastStatusCode: 500, lastError: 'HTTP 500' });
    expect(new Date(retrying.nextAttemptAt).getTime()).toBeGreaterThan(Date.now() + 10_000);
    for (let i = 0; i < 2; i++) {
      await eventuallyWithJobsDue(
        t,
        async () =>
          (await gqlOk(t.baseUrl, key, '{ webhookDeliveries { attempts } }')).webhookDeliveries[0]
            .attempts ===
          i + 2,
        10_000,
      );
    }
    const done = (await gqlOk(t.baseUrl, key, '{ webhookDeliveries { status attempts lastError } }'))
      .webhookDeliveries[0];
    expect(done).toMatchObject({ status: 'DELIVERED', attempts: 3 });
    expect(flaky.received).toHaveLength(2);
  });

  it('does not follow redirects, disables an endpoint after sustained failure, and redelivers on request', async () => {
    const redirecting = await receiver((n) => (n < 2 ? 302 : 200));
    const { key, messageId } = await seedMessage(t);
    const id = (await gqlOk(t.baseUrl, key, CREATE, { u: redirecting.url, e: ['OPEN'] })).createWebhook
      .webhook.id;
    await open(messageId);
    await eventually(
      async () =>
        (await gqlOk(t.baseUrl, key, '{ webhookDeliveries { attempts } }')).webhookDeliveries[0]?.attempts ===
        1,
    );
    expect(
      (await gqlOk(t.baseUrl, key, '{ webhookDeliveries { lastError } }')).webhookDeliveries[0].lastError,
    ).toMatch(/redirects are not followed/);
    // the endpoint has been failing for longer than WEBHOOK_DISABLE_AFTER_HOURS
    await t.app.services.pool.query(
      `update webhook set failing_since = now() - interval '25 hours' where id = $1`,
      [id],
    );
    const disabled = await eventuallyWithJobsDue(t, async () => {
      const w = (
        await gqlOk(t.baseUrl, key, '{ webhooks { disabledAt disabledReason consecutiveFailures } }')
      ).webhooks[0];
      return w.disabledAt ? w : undefined;
    });
    expect(disabled.disabledReason).toMatch(/failing since .* 2 failed attempts; last: HTTP 302/);
    const failed = (await gqlOk(t.baseUrl, key, '{ webhookDeliveries { id status } }')).webhookDeliveries[0];
    expect(failed.status).toBe('FAILED');
    await open(messageId);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await gqlOk(t.baseUrl, key, '{ webhookDeliveries { id } }')).webhookDeliveries).toHaveLength(1);

    const again = await gqlOk(
      t.baseUrl,
      key,
      'mutation($id: ID!) { redeliver(deliveryId: $id) { status } }',
      { id: failed.id },
    );
    expect(again.redeliver.status).toBe('PENDING');
    await eventually(
      async () =>
        (await gqlOk(t.baseUrl, key, '{ webhookDeliveries { status } }')).webhookDeliveries.some(
          (d: { status: string }) => d.status === 'DELIVERED',
        ),
      10_000,
    );
    expect((await gqlOk(t.baseUrl, key, '{ webhooks { disabledAt } }')).webhooks[0].disabledAt).toBeNull();
  });

  it('keeps webhooks to their account', async () => {
    const r = await receiver();
    const { key: alice, messageId } = await seedMessage(t);
    const { key: bob } = await createAccount(t.app, 'Bob hooks');
    const id = (await gqlOk(t.baseUrl, alice, CREATE, { u: r.url, e: ['OPEN'] })).createWebhook.webhook.id;
    const bobsHook = await receiver();
    await gqlOk(t.baseUrl, bob, CREATE, { u: bobsHook.url, e: ['OPEN', 'CLICK', 'UNSUBSCRIBE'], m: true });
    expect(
      (await gqlOk(t.baseUrl, bob, '{ webhooks { id } }')).webhooks.map((w: { id: string }) => w.id),
    ).not.toContain(id);
    expect(
      (await gql(t.baseUrl, bob, `mutation { deleteWebhook(id: "${id}") }`)).errors?.[0].extensions?.code,
    ).toBe('NOT_FOUND');
    await open(messageId);
    await eventually(async () => r.received.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(bobsHook.received).toEqual([]);
    expect((await gqlOk(t.baseUrl, bob, '{ webhookDeliveries { id } }')).webhookDeliveries).toEqual([]);
    expect((await gqlOk(t.baseUrl, alice, `mutation { deleteWebhook(id: "${id}") }`)).deleteWebhook).toBe(
      true,
    );
  });
});

describe('webhook SSRF guard (defaults: https only, public addresses only)', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('refuses plain http, credentials and no events at creation, and private addresses at delivery', async () => {
    t = await startTestApp({ env: { WEBHOOK_TIMEOUT_MS: '500' } });
    const { key, messageId } = await seedMessage(t);
    for (const [url, message] of [
      ['http://example.com/hook', /https/],
      ['https://user:pw@example.com/hook', /user name or password/],
      ['not a url', /not a URL/],
    ] as const) {
      const result = await gql(t.baseUrl, key, CREATE, { u: url, e: ['OPEN'] });
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].message).toMatch(message);
    }
    expect(
      (await gql(t.baseUrl, key, CREATE, { u: 'https://example.com/', e: [] })).errors?.[0].extensions?.code,
    ).toBe('BAD_USER_INPUT');
    for (const target of [
      'https://127.0.0.1:9/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/x',
      'https://[::1]/x',
      'https://localhost/x',
    ]) {
      await gqlOk(t.baseUrl, key, CREATE, { u: target, e: ['OPEN'] });
    }
    await fetch(t.app.services.urls.openPixel(messageId).replace(t.config.publicUrl, t.baseUrl), {
      headers: { 'user-agent': BROWSER },
    });
    const log = await eventually(async () => {
      const d = (await gqlOk(t.baseUrl, key, '{ webhookDeliveries { lastError attempts } }'))
        .webhookDeliveries;
      return d.length === 5 && d.every((x: { attempts: number }) => x.attempts >= 1) ? d : undefined;
    });
    for (const delivery of log)
      expect(delivery.lastError).toMatch(/private, loopback or reserved address: refused/);
  });
});
