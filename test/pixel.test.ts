import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/db/ids.js';
import { insertHits } from '../src/tracking/ingest/event.sql.js';
import { eventually, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { seedMessage } from './support/seed.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const EXACT_HEADERS = {
  'content-type': 'image/gif',
  'content-length': '43',
  'cache-control': 'no-cache, no-store, must-revalidate',
  pragma: 'no-cache',
  expires: '0',
};

function expectPixel(response: Response) {
  expect(response.status).toBe(200);
  for (const [name, value] of Object.entries(EXACT_HEADERS))
    expect(response.headers.get(name), name).toBe(value);
}

/** seedMessage with the message's pixel URL. */
async function seedPixel(t: TestApp) {
  const seeded = await seedMessage(t);
  return { ...seeded, pixelUrl: t.app.services.urls.openPixel(seeded.messageId) };
}

async function eventCount(t: TestApp, messageId: string): Promise<number> {
  const { rows } = await t.app.services.pool.query(
    'select count(*)::int as n from tracking_event where message_id = $1',
    [messageId],
  );
  return rows[0].n;
}

describe('the open pixel', () => {
  let t: TestApp;
  let seeded: Awaited<ReturnType<typeof seedPixel>>;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    seeded = await seedPixel(t);
  });
  afterAll(() => t?.stop());

  it('answers the 43-byte GIF with exactly the no-cache headers and records an OPEN', async () => {
    const response = await fetch(seeded.pixelUrl, { headers: { 'user-agent': 'Mozilla/5.0 Outlook' } });
    expectPixel(response);
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.subarray(0, 6).toString()).toBe('GIF89a');
    expect(body.length).toBe(43);
    await eventually(async () => (await eventCount(t, seeded.messageId)) === 1);
    const { rows } = await t.app.services.pool.query('select * from tracking_event where message_id = $1', [
      seeded.messageId,
    ]);
    expect(rows[0]).toMatchObject({
      type: 'OPEN',
      user_agent: 'Mozilla/5.0 Outlook',
      ip_address: '127.0.0.1',
      machine: false,
    });
  });

  it('answers the GIF for forged, truncated, overlong and unknown tokens, and records nothing', async () => {
    const before = (await t.app.services.pool.query('select count(*)::int as n from tracking_event')).rows[0]
      .n;
    const token = seeded.pixelUrl.split('/').pop()!;
    const flipped = token.slice(0, 30) + (token[30] === 'A' ? 'B' : 'A') + token.slice(31);
    const base = `${t.baseUrl}/api/v1/tracking/open/`;
    const unknownMessage = t.app.services.tokens.sign(newId());
    for (const bad of [
      flipped,
      token.slice(0, 43),
      `${token}A`,
      'x'.repeat(5000),
      '%00%0d%0a',
      unknownMessage,
    ]) {
      expectPixel(await fetch(base + bad));
    }
    await t.app.services.eventBuffer.drain(5_000);
    const after = (await t.app.services.pool.query('select count(*)::int as n from tracking_event')).rows[0]
      .n;
    expect(after).toBe(before);
  });

  it('answers HEAD with the headers and no body, recorded as a machine open that does not count as a human one', async () => {
    const response = await fetch(seeded.pixelUrl, { method: 'HEAD' });
    expectPixel(response);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    await eventually(async () => (await eventCount(t, seeded.messageId)) === 2);
    const message = (
      await gqlOk(
        t.baseUrl,
        seeded.key,
        `{ message(id: "${seeded.messageId}") { openCount lastOpen { machine } } }`,
      )
    ).message;
    expect(message.openCount).toBe(1);
    expect(message.lastOpen.machine).toBe(true);
    const { rows } = await t.app.services.pool.query(
      `select machine_reason from tracking_event where message_id = $1 and machine`,
      [seeded.messageId],
    );
    expect(rows).toEqual([{ machine_reason: 'head_request' }]);
  });

  it('answers other methods and unknown routes with a JSON detail', async () => {
    const post = await fetch(seeded.pixelUrl, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(((await post.json()) as { detail: string }).detail).toBe('open answers GET, HEAD');
    const unknown = await fetch(`${t.baseUrl}/api/v1/tracking/nope/x`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toBeTruthy();
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const { messageId, pixelUrl } = await seedPixel(t);
    await fetch(pixelUrl, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    await eventually(async () => (await eventCount(t, messageId)) === 1);
    const { rows } = await t.app.services.pool.query(
      'select host(ip_address) as ip from tracking_event where message_id = $1',
      [messageId],
    );
    expect(rows[0].ip).toBe('127.0.0.1');
  });

  it('counts many opens of one message in batched writes', async () => {
    const { key, messageId, pixelUrl } = await seedPixel(t);
    await Promise.all(Array.from({ length: 200 }, () => fetch(pixelUrl).then((r) => r.arrayBuffer())));
    await eventually(async () => (await eventCount(t, messageId)) === 200);
    const message = (
      await gqlOk(t.baseUrl, key, `{ message(id: "${messageId}") { openCount events(first: 500) { id } } }`)
    ).message;
    expect(message.openCount).toBe(200);
    expect(message.events).toHaveLength(200);
  });
  it('stores a retried batch once, counters included, with every column as sent', async () => {
    const { key, messageId } = await seedPixel(t);
    const hit = (ipAddress: string | null, userAgent: string | null) => ({
      id: randomUUID(),
      messageId,
      type: 'OPEN' as const,
      occurredAt: new Date(),
      ipAddress,
      userAgent,
      url: null,
      machine: false,
      machineReason: null,
    });
    const first = hit('2001:db8::1', 'Mozilla/5.0 "Quoted" \\ Ünïcode');
    const second = { ...hit(null, null), machine: true, machineReason: 'no_user_agent' };
    const pool = t.app.services.pool;
    expect((await insertHits(pool, [first])).inserted).toBe(1);
    // the retry of a write whose commit went through unseen, with a hit that was not stored yet
    expect((await insertHits(pool, [first, second])).inserted).toBe(1);
    expect((await insertHits(pool, [first, second])).inserted).toBe(0);
    const { rows } = await pool.query(
      `select id, occurred_at, host(ip_address) as ip, user_agent, url, machine, machine_reason
       from tracking_event where message_id = $1 order by machine`,
      [messageId],
    );
    expect(rows).toEqual([
      {
        id: first.id,
        occurred_at: first.occurredAt,
        ip: '2001:db8::1',
        user_agent: first.userAgent,
        url: null,
        machine: false,
        machine_reason: null,
      },
      {
        id: second.id,
        occurred_at: second.occurredAt,
        ip: null,
        user_agent: null,
        url: null,
        machine: true,
        machine_reason: 'no_user_agent',
      },
    ]);
    const message = (await gqlOk(t.baseUrl, key, `{ message(id: "${messageId}") { openCount } }`)).message;
    expect(message.openCount).toBe(1);
  });
});

describe('the open pixel behind a trusted proxy', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('takes the client address TRUST_PROXY hops from the right of X-Forwarded-For', async () => {
    t = await startTestApp({ worker: false, env: { TRUST_PROXY: '1' } });
    const { messageId, pixelUrl } = await seedPixel(t);
    await fetch(pixelUrl, { headers: { 'x-forwarded-for': '10.9.9.9, 198.51.100.23' } });
    await fetch(pixelUrl, { headers: { 'x-forwarded-for': '::ffff:192.0.2.44' } });
    await eventually(async () => (await eventCount(t, messageId)) === 2);
    const { rows } = await t.app.services.pool.query(
      'select host(ip_address) as ip from tracking_event where message_id = $1 order by occurred_at',
      [messageId],
    );
    expect(rows.map((r) => r.ip).sort()).toEqual(['192.0.2.44', '198.51.100.23']);
  });
});

describe('the open pixel during a database outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    proxy = await startTcpProxy(Number(url.port));
    url.host = `127.0.0.1:${proxy.port}`;
    t = await startTestApp({
      worker: false,
      database: { ...db, url: url.toString() },
      env: { TRACKING_BUFFER_LIMIT: '100' },
    });
  });
  afterAll(async () => {
    proxy.restore();
    await t?.stop();
    await proxy?.close();
    await db?.drop();
  });

  it('keeps answering, holds events up to the bound, counts what overflows, and writes the rest when the database is back', async () => {
    const { messageId, pixelUrl } = await seedPixel(t);
    proxy.cut();
    for (let i = 0; i < 130; i++) expectPixel(await fetch(pixelUrl));
    const during = t.app.services.eventBuffer.stats();
    expect(during.pending).toBe(100);
    expect(during.dropped).toBe(30);
    const health = await fetch(`${t.baseUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'degraded', database: 'unreachable' });

    proxy.restore();
    expect(await t.app.services.eventBuffer.drain(20_000)).toBe(true);
    expect(await eventCount(t, messageId)).toBe(100);
    const { rows } = await t.app.services.pool.query('select open_count from message where id = $1', [
      messageId,
    ]);
    expect(rows[0].open_count).toBe(100);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });
});
