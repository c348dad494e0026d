import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GeoIp, layoutOf } from '../geo/geoip.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { publicAddress } from '../src/net/public-address.js';
import { cityRecord, LONDON, writeCityDatabase } from './support/geo-fixture.js';
import { buildMmdb } from './support/mmdb-writer.js';

const logger = createLogger('silent');
const opened: GeoIp[] = [];
afterAll(() => {
  for (const geo of opened) geo.close();
});
async function open(paths: string[], watchIntervalMs?: number) {
  const geo = await GeoIp.open(paths, logger, { watchIntervalMs });
  opened.push(geo);
  return geo;
}

describe('GeoIp over a GeoIP2/GeoLite2-layout file', () => {
  it('reads country, region, city and coordinates for IPv4, IPv4-mapped IPv6 and IPv6', async () => {
    const geo = await open([writeCityDatabase()]);
    const london = {
      country: 'GB',
      region: 'England',
      city: 'London',
      latitude: 51.5142,
      longitude: -0.0931,
    };
    expect(geo.lookup('81.2.69.160')).toEqual(london);
    expect(geo.lookup('::ffff:81.2.69.160')).toEqual(london);
    expect(geo.lookup('2a01:cb00:1234::1')).toEqual({
      country: 'FR',
      region: 'Ile-de-France',
      city: 'Paris',
      latitude: 48.8566,
      longitude: 2.3522,
    });
    expect(geo.lookup('8.8.8.8')).toBeNull();
    expect(geo.describe()[0].type).toBe('GeoLite2-City');
  });

  it('chooses the layout by the metadata, not by the file name', async () => {
    const path = writeCityDatabase([LONDON], 'dbip-city-ipv4.mmdb');
    expect((await open([path])).lookup('81.2.69.1')?.city).toBe('London');
    expect(layoutOf('GeoLite2-City')).toBe('geoip2');
    expect(layoutOf('GeoIP2-Country')).toBe('geoip2');
    expect(layoutOf('DBIP-City-Lite')).toBe('geoip2');
    expect(layoutOf('city ipv4')).toBe('flat');
  });

  it('reads a Country database (no city, no coordinates)', async () => {
    const dir = dirname(writeCityDatabase());
    const path = join(dir, 'country.mmdb');
    writeFileSync(
      path,
      buildMmdb([{ cidr: '81.2.69.0/24', data: { country: { iso_code: 'GB' } } }], {
        databaseType: 'GeoLite2-Country',
      }),
    );
    expect((await open([path])).lookup('81.2.69.5')).toEqual({
      country: 'GB',
      region: null,
      city: null,
      latitude: null,
      longitude: null,
    });
  });
});

describe('GeoIp over the DB-IP City Lite files that ship with npm (flat layout)', () => {
  it('places public IPv4 and IPv6 addresses with no network access', async () => {
    const geo = await open(loadConfig({ DATA_DIR: '/tmp/mailtrace-geo-config' }).geoipDbPaths);
    expect(geo.describe().map((d) => d.type)).toEqual(['city ipv4', 'city ipv6']);
    expect(geo.lookup('81.2.69.160')).toMatchObject({ country: 'GB', city: 'London' });
    const ipv6 = geo.lookup('2a00:1450:4001:81b::200e');
    expect(ipv6?.country).toMatch(/^[A-Z]{2}$/);
    expect(typeof ipv6?.latitude).toBe('number');
  });
});

describe('addresses that have no place', () => {
  it.each([
    '10.1.2.3',
    '127.0.0.1',
    '169.254.10.10',
    '172.16.5.4',
    '192.168.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.51.100.7',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '2001:db8::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    'not an ip',
    '',
  ])('%s', async (ip) => {
    expect(publicAddress(ip)).toBeNull();
    const geo = await open([
      writeCityDatabase([{ cidr: '0.0.0.0/0', data: cityRecord('ZZ', 'Z', 'Z', 0, 0) }]),
    ]);
    expect(geo.lookup(ip)).toBeNull();
  });
});

describe('reloading', () => {
  it('swaps in a changed file without a restart and without a failed lookup in between; keeps a broken one out', async () => {
    const path = writeCityDatabase([LONDON]);
    const geo = await open([path], 20);
    expect(geo.lookup('81.2.69.1')?.city).toBe('London');

    let misses = 0;
    let lookups = 0;
    const reading = setInterval(() => {
      lookups++;
      if (!geo.lookup('81.2.69.1')) misses++;
    }, 1);
    // replaced the way updaters do: a new file renamed over the old one
    const next = writeCityDatabase(
      [{ cidr: '81.2.69.0/24', data: cityRecord('GB', 'England', 'Croydon', 51.37, -0.1) }],
      'next.mmdb',
      dirname(path),
    );
    renameSync(next, path);
    await expect.poll(() => geo.lookup('81.2.69.1')?.city, { timeout: 5_000 }).toBe('Croydon');

    writeFileSync(path, 'not a database');
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(reading);
    expect(geo.lookup('81.2.69.1')?.city).toBe('Croydon');
    expect(lookups).toBeGreaterThan(10);
    expect(misses).toBe(0);
  });
});
