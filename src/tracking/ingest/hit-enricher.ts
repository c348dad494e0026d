import { LRUCache } from 'lru-cache';
import type { GeoIp, GeoLocation } from '../../../geo/geoip.js';
import type { TrackingPrivacy } from '../../config.js';
import type { TrackingHit } from '../tracking-event.js';
import { type ClientInfo, parseUserAgent } from './user-agent.js';

/** What a stored event knows of where and with what it was read. */
export interface HitPlace {
  country: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  client: string | null;
  device: string | null;
}

export type EnrichedHit = TrackingHit & HitPlace;

/** Hits resolved between two turns of the event loop: at worst a few milliseconds of work. */
const CHUNK = 250;

const NOWHERE: GeoLocation = { country: null, region: null, city: null, latitude: null, longitude: null };

/**
 * Location (local GeoIP) and client (user agent) of each hit, resolved by the process that answered
 * it, before the insert: the row is written once, finished. Two small caches make it cheap, since
 * readers' addresses and mail clients' agents repeat: a cached address lives ten minutes, so a
 * reloaded GeoIP file takes over within that. Strict privacy keeps neither the raw address nor the
 * agent, nor anything finer than the region.
 */
export class HitEnricher {
  private readonly clients = new LRUCache<string, ClientInfo>({ max: 10_000 });
  private readonly places = new LRUCache<string, GeoLocation>({ max: 50_000, ttl: 10 * 60_000 });

  constructor(
    /** Opened on first use, shared with process_events. */
    private readonly geo: () => Promise<GeoIp>,
    private readonly privacy: TrackingPrivacy,
  ) {}

  async enrich(hits: readonly TrackingHit[]): Promise<EnrichedHit[]> {
    const geo = hits.some((h) => h.ipAddress) ? await this.geo() : null;
    const enriched: EnrichedHit[] = [];
    for (let i = 0; i < hits.length; i += CHUNK) {
      // a scanner farm with a new agent per hit misses the cache every time (about 20 µs a parse):
      // the pixel's event loop gets a turn between chunks
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const hit of hits.slice(i, i + CHUNK)) enriched.push(this.enrichOne(hit, geo));
    }
    return enriched;
  }

  private enrichOne(hit: TrackingHit, geo: GeoIp | null): EnrichedHit {
    const strict = this.privacy === 'strict';
    const place = geo && hit.ipAddress ? this.placeOf(geo, hit.ipAddress) : NOWHERE;
    const { client, device } = this.clientOf(hit.userAgent);
    return {
      ...hit,
      ipAddress: strict ? null : hit.ipAddress,
      userAgent: strict ? null : hit.userAgent,
      country: place.country,
      region: place.region,
      city: strict ? null : place.city,
      latitude: strict ? null : place.latitude,
      longitude: strict ? null : place.longitude,
      client,
      device,
    };
  }

  private placeOf(geo: GeoIp, address: string): GeoLocation {
    let place = this.places.get(address);
    if (!place) {
      place = geo.lookup(address) ?? NOWHERE;
      this.places.set(address, place);
    }
    return place;
  }

  private clientOf(userAgent: string | null): ClientInfo {
    if (!userAgent) return { client: null, device: null };
    let client = this.clients.get(userAgent);
    if (!client) {
      client = parseUserAgent(userAgent);
      this.clients.set(userAgent, client);
    }
    return client;
  }
}
