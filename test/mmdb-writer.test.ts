import { Reader } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { buildMmdb, type MmdbNetwork } from './support/mmdb-writer.js';

const london = {
  country: { iso_code: 'GB', names: { en: 'United Kingdom' } },
  subdivisions: [{ iso_code: 'ENG', names: { en: 'England' } }],
  city: { names: { en: 'London' } },
  location: { latitude: 51.5142, longitude: -0.0931 },
};
const docNet = {
  country: { iso_code: 'US', names: { en: 'United States', de: 'Vereinigte Staaten' } },
  city: { names: { en: 'Example City' } },
  location: { latitude: 37.751, longitude: -97.822, accuracy_radius: 1000 },
  traits: { is_anycast: true, is_legitimate_proxy: false },
};
const westminster = { ...london, city: { names: { en: 'Westminster' } } };

const cityNetworks: MmdbNetwork[] = [
  // the more specific network comes first on purpose: order in the list must not matter
  { cidr: '81.2.69.192/28', data: westminster },
  { cidr: '81.2.69.0/24', data: london },
  { cidr: '2001:db8::/32', data: docNet },
];

const open = (buffer: Buffer) => new Reader<any>(buffer);

describe('buildMmdb', () => {
  it('writes a GeoIP2-City-like IPv6 database that maxmind reads, IPv4 included', () => {
    const reader = open(
      buildMmdb(cityNetworks, {
        databaseType: 'GeoIP2-City',
        languages: ['en', 'de'],
        description: { en: 'mailtrace test fixture' },
        buildEpoch: 1_700_000_000,
      }),
    );
    expect(reader.metadata).toMatchObject({
      databaseType: 'GeoIP2-City',
      ipVersion: 6,
      recordSize: 28,
      binaryFormatMajorVersion: 2,
      binaryFormatMinorVersion: 0,
      languages: ['en', 'de'],
      description: { en: 'mailtrace test fixture' },
      buildEpoch: new Date(1_700_000_000 * 1000),
    });

    expect(reader.get('81.2.69.160')).toEqual(london);
    expect(reader.get('81.2.69.0')).toEqual(london);
    expect(reader.get('81.2.69.255')).toEqual(london);
    expect(reader.get('2001:db8::1')).toEqual(docNet);
    expect(reader.get('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toEqual(docNet);
    expect(reader.get('81.2.69.160').location.latitude).toBe(51.5142);
    expect(reader.get('81.2.69.160').location.longitude).toBe(-0.0931);
  });

  it('lets a nested more specific network win inside its range only', () => {
    const reader = open(buildMmdb(cityNetworks, { databaseType: 'GeoIP2-City' }));
    expect(reader.get('81.2.69.192')?.city.names.en).toBe('Westminster');
    expect(reader.get('81.2.69.200')?.city.names.en).toBe('Westminster');
    expect(reader.get('81.2.69.207')?.city.names.en).toBe('Westminster');
    expect(reader.get('81.2.69.191')?.city.names.en).toBe('London');
    expect(reader.get('81.2.69.208')?.city.names.en).toBe('London');
    // prefix lengths count from the IPv4 subtree; the /28 splits the /24 into leaves of /25, /26, /27
    expect(reader.getWithPrefixLength('81.2.69.200')[1]).toBe(28);
    expect(reader.getWithPrefixLength('81.2.69.10')[1]).toBe(25);
    expect(reader.getWithPrefixLength('81.2.69.160')[1]).toBe(26);
    expect(reader.getWithPrefixLength('81.2.69.240')[1]).toBe(27);
    expect(reader.getWithPrefixLength('2001:db8::1')[1]).toBe(32);
  });

  it('returns null for addresses in no network', () => {
    const reader = open(buildMmdb(cityNetworks, { databaseType: 'GeoIP2-City' }));
    for (const ip of ['81.2.68.255', '81.2.70.0', '8.8.8.8', '0.0.0.0', '255.255.255.255']) {
      expect(reader.get(ip), ip).toBeNull();
    }
    for (const ip of ['2001:db9::1', '2001:db7:ffff::1', '::1', 'ffff::1']) {
      expect(reader.get(ip), ip).toBeNull();
    }
    expect(open(buildMmdb([], { databaseType: 'Empty' })).get('1.2.3.4')).toBeNull();
  });

  it('writes an IPv4-only database', () => {
    const buffer = buildMmdb(
      [
        { cidr: '81.2.69.0/24', data: london },
        { cidr: '10.0.0.0/8', data: { city: { names: { en: 'Ten' } } } },
        { cidr: '10.1.0.0/16', data: { city: { names: { en: 'Ten-one' } } } },
      ],
      { databaseType: 'GeoLite2-City', ipVersion: 4 },
    );
    const reader = open(buffer);
    expect(reader.metadata.ipVersion).toBe(4);
    expect(reader.metadata.databaseType).toBe('GeoLite2-City');
    expect(reader.get('81.2.69.160')).toEqual(london);
    expect(reader.get('10.200.0.1').city.names.en).toBe('Ten');
    expect(reader.get('10.1.2.3').city.names.en).toBe('Ten-one');
    expect(reader.get('11.0.0.0')).toBeNull();
    expect(() =>
      buildMmdb([{ cidr: '2001:db8::/32', data: {} }], { databaseType: 'x', ipVersion: 4 }),
    ).toThrow(/IPv4 database/);
  });

  it('builds a proper trie: node count, "no data" records and the 16-byte separator', () => {
    // one /24 needs one internal node per bit above it: 24 in an IPv4 tree, 96 + 24 in an IPv6 one
    const v4 = buildMmdb([{ cidr: '81.2.69.0/24', data: london }], { databaseType: 'x', ipVersion: 4 });
    const v6 = buildMmdb([{ cidr: '81.2.69.0/24', data: london }], { databaseType: 'x' });
    expect(open(v4).metadata.nodeCount).toBe(24);
    expect(open(v6).metadata.nodeCount).toBe(120);
    const { searchTreeSize } = open(v4).metadata;
    expect(searchTreeSize).toBe(24 * 7);
    expect(v4.subarray(searchTreeSize, searchTreeSize + 16)).toEqual(Buffer.alloc(16));
    // the data section starts right after the separator, with the network's map
    expect(v4[searchTreeSize + 16] >> 5).toBe(7);
  });

  it('encodes build_epoch as a uint64 (extended type 9)', () => {
    const buffer = buildMmdb([], { databaseType: 'x', buildEpoch: 1_700_000_000 });
    const key = Buffer.from('build_epoch');
    const at = buffer.lastIndexOf(key) + key.length;
    expect([...buffer.subarray(at, at + 6)]).toEqual([0x04, 0x02, ...Buffer.from('6553f100', 'hex')]);
  });

  it('encodes strings past the 28- and 284-byte size boundaries, and other value types', () => {
    const values = {
      short: 'x'.repeat(28),
      medium: 'y'.repeat(29),
      longer: 'z'.repeat(284),
      at285: 'v'.repeat(285),
      at65821: 'u'.repeat(65_821),
      long: 'é'.repeat(300), // 600 UTF-8 bytes: the size counts bytes
      huge: 'w'.repeat(70_000),
      many: Array.from({ length: 40 }, (_, i) => i * 1000),
      zero: 0,
      big: 4_294_967_295,
      negative: -42,
      fraction: 0.5,
      flags: [true, false],
      nested: { a: { b: { c: ['deep'] } } },
    };
    const reader = open(buildMmdb([{ cidr: '192.0.2.0/24', data: values }], { databaseType: 'x' }));
    expect(reader.get('192.0.2.1')).toEqual(values);
  });

  it.each([24, 28, 32] as const)('reads many networks with %i-bit records', (recordSize) => {
    const networks: MmdbNetwork[] = [];
    for (let i = 0; i < 100; i++) {
      networks.push({ cidr: `10.${i}.0.0/16`, data: { city: { names: { en: `City ${i}` } }, id: i } });
      networks.push({
        cidr: `2001:db8:${i.toString(16)}::/48`,
        data: { city: { names: { en: `V6 ${i}` } } },
      });
    }
    const reader = open(buildMmdb(networks, { databaseType: 'GeoIP2-City', recordSize }));
    expect(reader.metadata.recordSize).toBe(recordSize);
    for (let i = 0; i < 100; i++) {
      expect(reader.get(`10.${i}.${i}.${i}`)).toEqual({ city: { names: { en: `City ${i}` } }, id: i });
      expect(reader.get(`2001:db8:${i.toString(16)}::${i}`).city.names.en).toBe(`V6 ${i}`);
    }
    expect(reader.get('10.100.0.1')).toBeNull();
    expect(reader.get('2001:db8:64::1')).toBeNull();
  });

  it('packs record values above 24 bits into 28-bit records (and refuses them in 24-bit ones)', () => {
    // a first record over 16 MiB pushes the second one's data offset past 2^24
    const networks: MmdbNetwork[] = [
      { cidr: '10.0.0.0/8', data: { filler: 'f'.repeat(16_800_000) } },
      { cidr: '11.0.0.0/8', data: { city: { names: { en: 'Far away' } } } },
    ];
    const reader = open(buildMmdb(networks, { databaseType: 'x', recordSize: 28 }));
    expect(reader.get('11.1.2.3')).toEqual({ city: { names: { en: 'Far away' } } });
    expect(reader.get('10.1.2.3').filler).toHaveLength(16_800_000);
    expect(() => buildMmdb(networks, { databaseType: 'x', recordSize: 24 })).toThrow(/24-bit record/);
  });
});
