import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The client's address. X-Forwarded-For is believed only as far as `trustProxy` hops: each trusted
 * proxy appends the address it saw, so with N trusted hops the client is the Nth entry from the right.
 */
export function clientIp(req: IncomingMessage, trustProxy: number): string | null {
  let candidate = req.socket.remoteAddress ?? null;
  const header = req.headers['x-forwarded-for'];
  if (trustProxy > 0 && header) {
    const hops = (Array.isArray(header) ? header.join(',') : header)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (hops.length > 0) candidate = hops[Math.max(0, hops.length - trustProxy)];
  }
  return normalizeIp(candidate);
}

/** A canonical address PostgreSQL's inet accepts, or null; IPv4-mapped IPv6 becomes plain IPv4. */
export function normalizeIp(raw: string | null): string | null {
  if (!raw) return null;
  const address = raw.toLowerCase().startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
  return isIP(address) ? address : null;
}
