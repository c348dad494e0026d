import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { Reader } from 'maxmind';
import type { Logger } from '../src/logger.js';
import { publicAddress } from '../src/net/public-address.js';

export interface GeoLocation {
  /** ISO 3166-1 alpha-2 */
  country: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

/**
 * Two record layouts exist in MaxMind-format files: GeoIP2/GeoLite2 (and DB-IP's own mmdb) nest
 * (`country.iso_code`, `subdivisions[0]`, `city.names.en`, `location.latitude`); the DB-IP City
 * Lite files of @ip-location-db are flat (`country_code`, `state1`, `city`, `latitude`). The
 * database type in the file's metadata says which.
 */
export type Layout = 'geoip2' | 'flat';

export function layoutOf(databaseType: string): Layout {
  return /GeoIP2|GeoLite2|DBIP|GeoIP-|Enterprise/i.test(databaseType) ? 'geoip2' : 'flat';
}

type Names = { names?: Record<string, string> };
interface GeoIp2Record {
  country?: Names & { iso_code?: string };
  registered_country?: Names & { iso_code?: string };
  subdivisions?: (Names & { iso_code?: string })[];
  city?: Names;
  location?: { latitude?: number; longitude?: number };
}
interface FlatRecord {
  country_code?: string;
  state1?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
}

const orNull = <T>(value: T | undefined | ''): T | null =>
  value === undefined || value === '' ? null : value;

export function toLocation(record: unknown, layout: Layout): GeoLocation | null {
  if (!record || typeof record !== 'object') return null;
  let location: GeoLocation;
  if (layout === 'geoip2') {
    const r = record as GeoIp2Record;
    const subdivision = r.subdivisions?.[0];
    location = {
      country: orNull(r.country?.iso_code ?? r.registered_country?.iso_code),
      region: orNull(subdivision?.names?.en ?? subdivision?.iso_code),
      city: orNull(r.city?.names?.en),
      latitude: orNull(r.location?.latitude),
      longitude: orNull(r.location?.longitude),
    };
  } else {
    const r = record as FlatRecord;
    location = {
      country: orNull(r.country_code),
      region: orNull(r.state1),
      city: orNull(r.city),
      latitude: orNull(r.latitude),
      longitude: orNull(r.longitude),
    };
  }
  return Object.values(location).some((v) => v !== null) ? location : null;
}

interface LoadedDatabase {
  path: string;
  /** The file as it was when read: a different one on disk means a reload. */
  stat: Stats;
  reader: Reader<object>;
  layout: Layout;
  ipVersion: number;
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

async function load(path: string): Promise<LoadedDatabase> {
  const fileStat = await stat(path);
  const reader = new Reader<object>(await readFile(path));
  return {
    path,
    stat: fileStat,
    reader,
    layout: layoutOf(reader.metadata.databaseType),
    ipVersion: reader.metadata.ipVersion,
  };
}

/**
 * Looks addresses up in one or more local MaxMind-format files (e.g. DB-IP's IPv4 and IPv6 files,
 * or one GeoLite2-City.mmdb). When a file changes on disk it is read again in the background and
 * swapped in only once it parsed: lookups never fail in between, and a broken new file keeps the
 * old one in service.
 */
export class GeoIp {
  private constructor(
    private databases: LoadedDatabase[],
    private readonly logger: Logger,
  ) {}

  static async open(
    paths: string[],
    logger: Logger,
    options: { watchIntervalMs?: number } = {},
  ): Promise<GeoIp> {
    const geo = new GeoIp(await Promise.all(paths.map(load)), logger);
    // Polled against what was loaded (not against the previous poll), so a change that happens
    // right after loading is not missed; rename-over updates (a new inode) count as changes.
    geo.watcher = setInterval(() => void geo.checkForChanges(), options.watchIntervalMs ?? 60_000);
    geo.watcher.unref();
    return geo;
  }

  private watcher: NodeJS.Timeout | null = null;
  private checking = false;

  private async checkForChanges(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const database of this.databases) {
        const current = await stat(database.path).catch(() => null);
        if (current && !sameFile(current, database.stat)) await this.reload(database.path);
      }
    } finally {
      this.checking = false;
    }
  }

  lookup(raw: string | null): GeoLocation | null {
    const ip = publicAddress(raw);
    if (!ip) return null;
    const version = isIP(ip);
    // An IPv4 address is looked up in IPv4 files first, then in IPv6 files (which hold IPv4 under ::/96).
    const candidates =
      version === 4
        ? [...this.databases].sort((a, b) => a.ipVersion - b.ipVersion)
        : this.databases.filter((d) => d.ipVersion === 6);
    for (const database of candidates) {
      const location = toLocation(database.reader.get(ip), database.layout);
      if (location) return location;
    }
    return null;
  }

  /** Types of the files in service, e.g. for /healthz and logs. */
  describe(): { path: string; type: string; builtAt: string }[] {
    return this.databases.map((d) => ({
      path: d.path,
      type: d.reader.metadata.databaseType,
      builtAt: d.reader.metadata.buildEpoch.toISOString(),
    }));
  }

  async reload(path: string): Promise<boolean> {
    try {
      const fresh = await load(path);
      this.databases = this.databases.map((d) => (d.path === path ? fresh : d));
      this.logger.info({ path, type: fresh.reader.metadata.databaseType }, 'GeoIP database reloaded');
      return true;
    } catch (error) {
      this.logger.error(
        { err: error, path },
        'GeoIP database changed but could not be read; keeping the previous one',
      );
      return false;
    }
  }

  close(): void {
    if (this.watcher) clearInterval(this.watcher);
  }
}
