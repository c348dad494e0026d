import type { IncomingMessage, ServerResponse } from 'node:http';
import { newId } from '../db/ids.js';
import { clientIp } from './client-ip.js';
import type { EventBuffer } from './event-buffer.js';
import { PIXEL_GIF, PIXEL_HEADERS } from './pixel.js';
import type { TrackingTokens } from './token.js';
import { TRACKING_PREFIX } from './tracking-urls.js';

export interface TrackingRouteDeps {
  tokens: TrackingTokens;
  buffer: EventBuffer;
  trustProxy: number;
}

const MAX_USER_AGENT = 512;

/**
 * The public routes that emails point at, served straight from node:http (no framework on the
 * hottest path). A request here never waits for the database.
 */
export function createTrackingHandler(deps: TrackingRouteDeps) {
  return function handleTracking(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?', 1)[0].slice(TRACKING_PREFIX.length);
    const slash = path.indexOf('/');
    const route = slash === -1 ? path : path.slice(0, slash);
    const token = slash === -1 ? '' : path.slice(slash + 1);
    if (route === 'open' && token) servePixel(req, res, token, deps);
    else sendJson(res, 404, { detail: 'no such tracking route: see /api/v1/tracking/open/:token' });
  };
}

function servePixel(req: IncomingMessage, res: ServerResponse, token: string, deps: TrackingRouteDeps): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { detail: 'the open pixel answers GET and HEAD only' }, { Allow: 'GET, HEAD' });
    return;
  }
  // The HMAC check comes first and costs no I/O: a forged token records nothing.
  const messageId = deps.tokens.verify(token);
  if (messageId) {
    const isHead = req.method === 'HEAD';
    deps.buffer.add({
      id: newId(),
      messageId,
      type: 'OPEN',
      occurredAt: new Date(),
      ipAddress: clientIp(req, deps.trustProxy),
      userAgent: req.headers['user-agent']?.slice(0, MAX_USER_AGENT) ?? null,
      url: null,
      // A mail client fetching an image sends GET; HEAD comes from prefetchers and link checkers.
      machine: isHead,
      machineReason: isHead ? 'head_request' : null,
    });
  }
  res.writeHead(200, { ...PIXEL_HEADERS, 'X-Robots-Tag': 'noindex, nofollow' });
  res.end(req.method === 'HEAD' ? undefined : PIXEL_GIF);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(json)),
    'X-Robots-Tag': 'noindex, nofollow',
    ...headers,
  });
  res.end(json);
}
