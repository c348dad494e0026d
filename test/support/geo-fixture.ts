import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMmdb, type MmdbNetwork } from './mmdb-writer.js';

/** A GeoIP2-City-layout record, as MaxMind's GeoLite2-City has them. */
export function cityRecord(
  country: string,
  region: string,
  city: string,
  latitude: number,
  longitude: number,
) {
  return {
    country: { iso_code: country, names: { en: country } },
    subdivisions: [{ iso_code: region.slice(0, 3).toUpperCase(), names: { en: region } }],
    city: { names: { en: city, de: `${city} (de)` } },
    location: { latitude, longitude, time_zone: 'Europe/London' },
  };
}

export const LONDON: MmdbNetwork = {
  cidr: '81.2.69.0/24',
  data: cityRecord('GB', 'England', 'London', 51.5142, -0.0931),
};
export const PARIS: MmdbNetwork = {
  cidr: '2a01:cb00::/32',
  data: cityRecord('FR', 'Ile-de-France', 'Paris', 48.8566, 2.3522),
};

/** Writes a GeoLite2-City-layout file (under `name`, which must not matter) and returns its path. */
export function writeCityDatabase(
  networks: MmdbNetwork[] = [LONDON, PARIS],
  name = 'GeoLite2-City.mmdb',
  dir?: string,
): string {
  const path = join(dir ?? mkdtempSync(join(tmpdir(), 'mailtrace-geo-')), name);
  writeFileSync(path, buildMmdb(networks, { databaseType: 'GeoLite2-City', languages: ['en', 'de'] }));
  return path;
}
