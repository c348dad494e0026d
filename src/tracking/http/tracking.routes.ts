import type { ServiceMetrics } from '../../observability/metrics.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger.js';
import type { ClickTargets } from './click-targets.js';
import { clientIp } from '../../http/client-ip.js';
import type { EventBuffer } from '../ingest/event-buffer.js';
import { classifyRequest } from '../machine-detection.js';
import { confirmUnsubscribePage, problemPage, unsubscribedPage, unsubscribeFormPage } from './pages.js';
import { NO_CACHE_HEADERS, PIXEL_GIF, PIXEL_HEADERS } from './pixel.js';
import { checkRedirectTarget, isAllowedHost } from './redirect-target.js';
import type { TrackingTokens } from '../token.js';
import { TRACKING_PREFIX } from '../tracking-urls.js';
import type { UnsubscribeService } from '../ingest/unsubscribe.service.js';

export interface TrackingRouteDeps {
  tokens: TrackingTokens;
  buffer: EventBuffer;
  clickTargets: ClickTargets;
  unsubscribes: UnsubscribeService;
  trustProxy: number;
  metrics: ServiceMetrics;
  logger: Logger;
}

const MAX_USER_AGENT = 512;
const MAX_FORM_BYTES = 8 * 1024;
const COMMON_HEADERS = { 'X-Robots-Tag': 'noindex, nofollow' } as const;
/** Made once: the pixel's answer is the same for every request. */
const PIXEL_RESPONSE_HEADERS = { ...PIXEL_HEADERS, ...COMMON_HEADERS };
const PAGE_HEADERS = {
  ...NO_CACHE_HEADERS,
  ...COMMON_HEADERS,
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  token: string,
  deps: TrackingRouteDeps,
) => void | Promise<void>;

/** Each route and the methods it answers; anything else is a 405 with Allow. */
const ROUTES: Record<string, { methods: string[]; handle: Handler; needsToken: boolean }> = {
  open: { methods: ['GET', 'HEAD'], handle: servePixel, needsToken: true },
  click: { methods: ['GET', 'HEAD'], handle: serveClick, needsToken: true },
  unsubscribe: { methods: ['GET', 'HEAD', 'POST'], handle: serveUnsubscribe, needsToken: true },
  'unsubscribe-confirm': {
    methods: ['GET', 'HEAD', 'POST'],
    handle: serveUnsubscribeForm,
    needsToken: false,
  },
};

/**
 * The public routes that emails point at, served straight from node:http (no framework on the
 * hottest paths). The open pixel and the click redirect never wait for the database to record.
 */
export function createTrackingHandler(deps: TrackingRouteDeps) {
  return function handleTracking(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?', 1)[0].slice(TRACKING_PREFIX.length);
    const [name, token = '', ...rest] = path.split('/');
    const route = ROUTES[name];
    if (!route || rest.length > 0 || (route.needsToken ? !token : token)) {
      sendJson(res, 404, { detail: 'no such tracking route' });
      return;
    }
    const method = req.method ?? 'GET';
    if (!route.methods.includes(method)) {
      sendJson(
        res,
        405,
        { detail: `${name} answers ${route.methods.join(', ')}` },
        { Allow: route.methods.join(', ') },
      );
      return;
    }
    deps.metrics.hitsAnswered.inc({ route: name });
    Promise.resolve(route.handle(req, res, decodeURIComponentSafe(token), deps)).catch((error: unknown) => {
      deps.logger.error({ err: error, route: name }, 'tracking route failed');
      if (!res.headersSent) sendJson(res, 500, { detail: 'internal error' });
    });
  };
}

/** A hit as the request shows it, with its request-level machine verdict. */
function record(
  req: IncomingMessage,
  deps: TrackingRouteDeps,
  hit: { messageId: string; type: 'OPEN' | 'CLICK'; url: string | null; honeypot?: boolean },
) {
  const userAgent = req.headers['user-agent']?.slice(0, MAX_USER_AGENT) ?? null;
  const ipAddress = clientIp(req, deps.trustProxy);
  const purpose = firstHeader(req, 'sec-purpose') ?? firstHeader(req, 'purpose') ?? firstHeader(req, 'x-moz');
  const verdict = classifyRequest({
    type: hit.type,
    method: req.method ?? 'GET',
    userAgent,
    ipAddress,
    purpose,
    honeypot: hit.honeypot ?? false,
  });
  deps.buffer.add({
    // random (v4) ids: crypto's pooled generator is ten times cheaper than UUIDv7's, and the
    // partition key (occurred_at) already orders the table
    id: randomUUID(),
    messageId: hit.messageId,
    type: hit.type,
    occurredAt: new Date(),
    ipAddress,
    userAgent,
    url: hit.url,
    machine: verdict.machine,
    machineReason: verdict.reason,
  });
}

function servePixel(req: IncomingMessage, res: ServerResponse, token: string, deps: TrackingRouteDeps): void {
  // The HMAC check comes first and costs no I/O: a forged token records nothing.
  const messageId = deps.tokens.verify(token);
  if (messageId) record(req, deps, { messageId, type: 'OPEN', url: null });
  res.writeHead(200, PIXEL_RESPONSE_HEADERS);
  res.end(req.method === 'HEAD' ? undefined : PIXEL_GIF);
}

async function serveClick(
  req: IncomingMessage,
  res: ServerResponse,
  token: string,
  deps: TrackingRouteDeps,
): Promise<void> {
  const urls = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').getAll('url');
  if (!/^[A-Za-z0-9_-]{55}$/.test(token)) return sendJson(res, 400, { detail: 'invalid tracking token' });
  if (urls.length !== 1 || !urls[0])
    return sendJson(res, 400, { detail: 'the url parameter is required, once' });
  const target = checkRedirectTarget(urls[0]);
  const verified = deps.tokens.verifyLink(token, urls[0]);
  if (!verified.ok) {
    const detail =
      verified.reason === 'url_mismatch'
        ? 'url is not the link this token was made for'
        : 'invalid tracking token';
    return sendJson(res, 400, { detail });
  }
  if (!target.ok) return sendJson(res, 400, { detail: target.detail });
  try {
    const message = await deps.clickTargets.lookup(verified.messageId);
    if (!message.exists)
      return sendJson(res, 404, { detail: 'the email this link belongs to no longer exists' });
    if (!isAllowedHost(target.url.hostname, message.linkDomains)) {
      return sendJson(res, 400, {
        detail: `redirects to ${target.url.hostname} are not allowed for this account`,
      });
    }
    record(req, deps, {
      messageId: verified.messageId,
      type: 'CLICK',
      url: urls[0],
      honeypot: verified.honeypot,
    });
  } catch (error) {
    // The link is signed, so it is safe to follow even when the database cannot say more.
    deps.logger.warn({ err: error }, 'could not look up a click; redirecting without recording');
  }
  res.writeHead(302, {
    Location: target.url.href,
    ...NO_CACHE_HEADERS,
    ...COMMON_HEADERS,
    'Content-Length': '0',
  });
  res.end();
}

/** GET shows a page with one button; only POST (that button, or a mail client's one-click) unsubscribes. */
async function serveUnsubscribe(
  req: IncomingMessage,
  res: ServerResponse,
  token: string,
  deps: TrackingRouteDeps,
): Promise<void> {
  const messageId = deps.tokens.verify(token);
  if (!messageId) {
    return sendProblem(
      req,
      res,
      400,
      'This unsubscribe link is not valid',
      'Check that you copied the whole link from the email.',
    );
  }
  if (req.method === 'POST') {
    await readBody(req);
    await unsubscribe(req, res, messageId, deps);
    return;
  }
  const target = await deps.unsubscribes.describe(messageId);
  if (!target)
    return sendProblem(req, res, 404, 'This link has expired', 'The email it came from no longer exists.');
  const html = target.unsubscribedAt
    ? unsubscribedPage(target, true)
    : confirmUnsubscribePage(target, `${TRACKING_PREFIX}unsubscribe/${token}`);
  sendHtml(req, res, 200, html);
}

async function unsubscribe(
  req: IncomingMessage,
  res: ServerResponse,
  messageId: string,
  deps: TrackingRouteDeps,
): Promise<void> {
  const result = await deps.unsubscribes.unsubscribe(messageId, {
    ipAddress: clientIp(req, deps.trustProxy),
    userAgent: req.headers['user-agent']?.slice(0, MAX_USER_AGENT) ?? null,
  });
  if (!result)
    return sendProblem(req, res, 404, 'This link has expired', 'The email it came from no longer exists.');
  sendHtml(req, res, 200, unsubscribedPage(result.target, result.already));
}

/** The fallback: a form that takes the unsubscribe link (or its token) from the email. */
async function serveUnsubscribeForm(
  req: IncomingMessage,
  res: ServerResponse,
  _token: string,
  deps: TrackingRouteDeps,
): Promise<void> {
  const action = `${TRACKING_PREFIX}unsubscribe-confirm`;
  if (req.method !== 'POST') return sendHtml(req, res, 200, unsubscribeFormPage(action));
  const form = new URLSearchParams(await readBody(req));
  const link = (form.get('link') ?? form.get('token') ?? '').trim();
  const token = /([A-Za-z0-9_-]{44})\/?$/.exec(link)?.[1] ?? '';
  const messageId = deps.tokens.verify(token);
  if (!messageId) {
    return sendHtml(
      req,
      res,
      400,
      unsubscribeFormPage(action, 'That is not an unsubscribe link from one of our emails.'),
    );
  }
  await unsubscribe(req, res, messageId, deps);
}

/** Reads a small form body; larger bodies are cut off (we never need more than a field or two). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FORM_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function firstHeader(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    ...PAGE_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
  });
  res.end(req.method === 'HEAD' ? undefined : html);
}

/** People get a page; programs (no text/html in Accept) get JSON with a `detail`. */
function sendProblem(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  title: string,
  message: string,
): void {
  if ((req.headers.accept ?? '').includes('text/html'))
    sendHtml(req, res, status, problemPage(title, message));
  else sendJson(res, status, { detail: `${title}: ${message}` });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    ...NO_CACHE_HEADERS,
    ...COMMON_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(json)),
    ...headers,
  });
  res.end(json);
}
