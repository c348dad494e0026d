import { afterAll, describe, expect, it } from 'vitest';
import { eventually, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { writeCityDatabase } from './support/geo-fixture.js';
import { EVENT_PROCESSED, seedMessage } from './support/seed.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const LOCATION = 'location { country region city latitude longitude }';

async function openFrom(t: TestApp, messageId: string, ip: string, userAgent = IPHONE) {
  await fetch(t.app.services.urls.openPixel(messageId).replace(t.config.publicUrl, t.baseUrl), {
    headers: { 'user-agent': userAgent, 'x-forwarded-for': ip },
  });
}

describe('locations on the embedded default (DB-IP City Lite from npm, no network)', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('shows an open from a public IP with country, city and coordinates within seconds', async () => {
    t = await startTestApp({ env: { TRUST_PROXY: '1' } });
    const { key, messageId } = await seedMessage(t);
    await openFrom(t, messageId, '81.2.69.160');
    const event = await eventually(async () => {
      const m = (
        await gqlOk(t.baseUrl, key, `{ message(id: "${messageId}") { lastOpen { ${LOCATION} ipAddress } } }`)
      ).message;
      return m.lastOpen?.location ? m.lastOpen : undefined;
    }, 10_000);
    expect(event.location).toMatchObject({ country: 'GB', city: 'London' });
    expect(typeof event.location.latitude).toBe('number');
    expect(event.ipAddress).toBe('81.2.69.160');
  });
});

describe('locations from a GeoLite2 database, resolved as each open is stored', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('stores each open located and with its client, private addresses without a location, nothing left to process', async () => {
    t = await startTestApp({ worker: false, env: { TRUST_PROXY: '1', GEOIP_DB: writeCityDatabase() } });
    const { key, messageId } = await seedMessage(t);
    const ips = ['81.2.69.160', '2a01:cb00:1::9', '10.0.0.7', '::ffff:81.2.69.20', '8.8.4.4'];
    for (const ip of ips) await openFrom(t, messageId, ip);
    await t.app.services.eventBuffer.drain(5_000);
    // the row is written once, finished: process_events finds nothing to do
    expect(await t.app.services.eventProcessor.run()).toBe(0);
    const { rows } = await t.app.services.pool.query(
      `select host(ip_address) as ip, country, city, client, device, ${EVENT_PROCESSED} as processed
       from tracking_event e where message_id = $1 order by ip_address`,
      [messageId],
    );
    expect(rows.map((r) => [r.ip, r.country, r.city])).toEqual([
      ['8.8.4.4', null, null],
      ['10.0.0.7', null, null],
      ['81.2.69.20', 'GB', 'London'],
      ['81.2.69.160', 'GB', 'London'],
      ['2a01:cb00:1::9', 'FR', 'Paris'],
    ]);
    expect(rows.every((r) => r.processed && r.client === 'Apple Mail' && r.device === 'mobile')).toBe(true);
    const events = (await gqlOk(t.baseUrl, key, `{ message(id: "${messageId}") { events { ${LOCATION} } } }`))
      .message.events;
    expect(events.filter((e: { location: unknown }) => e.location)).toHaveLength(3);
  });
});

describe('strict privacy mode', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('keeps only country, region, client and the machine verdict once processed', async () => {
    t = await startTestApp({
      worker: false,
      env: { TRUST_PROXY: '1', GEOIP_DB: writeCityDatabase(), TRACKING_PRIVACY: 'strict' },
    });
    const { messageId } = await seedMessage(t);
    await openFrom(t, messageId, '81.2.69.160');
    await openFrom(t, messageId, '81.2.69.161', 'Mozilla/5.0');
    await t.app.services.eventBuffer.drain(5_000);
    await t.app.services.eventProcessor.run();
    const { rows } = await t.app.services.pool.query(
      `select ip_address, user_agent, country, region, city, latitude, client, machine, machine_reason
       from tracking_event where message_id = $1 order by machine`,
      [messageId],
    );
    expect(rows).toEqual([
      {
        ip_address: null,
        user_agent: null,
        country: 'GB',
        region: 'England',
        city: null,
        latitude: null,
        client: 'Apple Mail',
        machine: false,
        machine_reason: null,
      },
      {
        ip_address: null,
        user_agent: null,
        country: 'GB',
        region: 'England',
        city: null,
        latitude: null,
        client: null,
        machine: true,
        machine_reason: 'apple_mpp',
      },
    ]);
  });
});
