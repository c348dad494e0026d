import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { eventsOf, seedMessage } from './support/seed.js';

const LIMITS = {
  TRUST_PROXY: '1',
  // exact: every batch syncs with the other process (the default lets a second of traffic through)
  TRACKING_LIMIT_SYNC_MS: '0',
  TRACKING_LIMIT_OPENS_PER_MINUTE: '100',
  TRACKING_LIMIT_CLICKS_PER_MINUTE: '100',
  TRACKING_LIMIT_PER_IP_PER_MINUTE: '30',
  TRACKING_LIMIT_PER_MESSAGE_PER_MINUTE: '5',
};
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0';

describe('abuse limits on the tracking routes, shared by two processes through PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp({ worker: false, env: LIMITS });
    b = await startTestApp({ worker: false, env: LIMITS, database: a.db });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await a?.db.drop();
  });

  /** Limits count per calendar minute: keep each test inside one. */
  const sameMinute = async () => {
    const seconds = new Date().getSeconds();
    if (seconds > 50) await new Promise((r) => setTimeout(r, (61 - seconds) * 1000));
  };
  beforeEach(sameMinute);

  const drain = () =>
    Promise.all([a.app.services.eventBuffer.drain(5_000), b.app.services.eventBuffer.drain(5_000)]);
  const hit = (t: TestApp, url: string, ip: string) =>
    fetch(url.replace(t.config.publicUrl, t.baseUrl), {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER, 'x-forwarded-for': ip },
    });

  it('records at most the per-message limit across both processes, and still answers every request', async () => {
    const { messageId } = await seedMessage(a);
    const pixel = a.app.services.urls.openPixel(messageId);
    for (let i = 0; i < 4; i++) {
      expect((await hit(a, pixel, `198.51.100.${i}`)).status).toBe(200);
      expect((await hit(b, pixel, `198.51.100.${i}`)).status).toBe(200);
      await drain();
    }
    expect(await eventsOf(a, messageId)).toHaveLength(5);
    expect(a.app.services.eventWriter.rateLimited() + b.app.services.eventWriter.rateLimited()).toBe(3);
    const health = (await (await fetch(`${a.baseUrl}/healthz`)).json()) as {
      trackingBuffer: { rateLimited: number };
    };
    expect(health.trackingBuffer.rateLimited).toBe(a.app.services.eventWriter.rateLimited());
  });

  it('still redirects clicks over the limit, without recording them', async () => {
    const { messageId } = await seedMessage(a);
    const link = a.app.services.urls.click(messageId, 'https://example.com/');
    for (let i = 0; i < 8; i++) {
      const response = await hit(i % 2 ? a : b, link, `203.0.113.${i}`);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('https://example.com/');
    }
    await drain();
    expect(await eventsOf(a, messageId)).toHaveLength(5);
  });

  it('limits one address across messages', async () => {
    const ip = '192.0.2.200';
    const messages = await Promise.all(Array.from({ length: 8 }, () => seedMessage(a)));
    for (const { messageId } of messages) {
      for (let i = 0; i < 5; i++) await hit(a, a.app.services.urls.openPixel(messageId), ip);
    }
    await drain();
    const { rows } = await a.app.services.pool.query(
      'select count(*)::int as n from tracking_event where ip_address = $1',
      [ip],
    );
    expect(rows[0].n).toBe(30);
  });

  it('caps all opens of the service per minute', async () => {
    await a.app.services.pool.query('delete from tracking_rate');
    const messages = await Promise.all(Array.from({ length: 30 }, () => seedMessage(a)));
    for (const [i, { messageId }] of messages.entries()) {
      for (let j = 0; j < 4; j++)
        await hit(i % 2 ? a : b, a.app.services.urls.openPixel(messageId), `10.1.${i}.${j}`);
    }
    await drain();
    const { rows } = await a.app.services.pool.query(
      'select count(*)::int as n from tracking_event where message_id = any($1::uuid[])',
      [messages.map((m) => m.messageId)],
    );
    expect(rows[0].n).toBe(100);
  });

  it('spends no database work on a flood of random tokens', async () => {
    const before = a.app.services.eventBuffer.stats();
    const rate = await a.app.services.pool.query(
      'select coalesce(sum(hits), 0)::int as hits from tracking_rate',
    );
    for (let i = 0; i < 300; i++) {
      const token = randomBytes(33).toString('base64url');
      expect((await fetch(`${a.baseUrl}/api/v1/tracking/open/${token}`)).status).toBe(200);
      const link = randomBytes(41).toString('base64url').slice(0, 55);
      expect(
        (
          await fetch(`${a.baseUrl}/api/v1/tracking/click/${link}?url=https%3A%2F%2Fx.example`, {
            redirect: 'manual',
          })
        ).status,
      ).toBe(400);
    }
    await drain();
    expect(a.app.services.eventBuffer.stats()).toEqual(before);
    const after = await a.app.services.pool.query(
      'select coalesce(sum(hits), 0)::int as hits from tracking_rate',
    );
    expect(after.rows[0].hits).toBe(rate.rows[0].hits);
  });
});

describe('abuse limits with the default sync interval', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('holds exactly within one process between syncs', async () => {
    t = await startTestApp({ worker: false, env: { ...LIMITS, TRACKING_LIMIT_SYNC_MS: '1000' } });
    const { messageId } = await seedMessage(t);
    const pixel = t.app.services.urls.openPixel(messageId).replace(t.config.publicUrl, t.baseUrl);
    for (let i = 0; i < 12; i++) await fetch(pixel, { headers: { 'user-agent': BROWSER } });
    await t.app.services.eventBuffer.drain(5_000);
    expect(await eventsOf(t, messageId)).toHaveLength(5);
    expect(t.app.services.eventWriter.rateLimited()).toBe(7);
  });
});
