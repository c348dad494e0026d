import { createHash, createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/** What a token is for: the first byte, covered by the MAC. */
const MESSAGE = 1;
const LINK = 2;
const HONEYPOT = 3;
const ID_BYTES = 16;
const URL_HASH_BYTES = 8;
const MAC_BYTES = 16;
/** base64url of 1 + 16 + 16 bytes: 44 characters. */
const MESSAGE_TOKEN = /^[A-Za-z0-9_-]{44}$/;
/** base64url of 1 + 16 + 8 + 16 bytes: 55 characters. */
const LINK_TOKEN = /^[A-Za-z0-9_-]{55}$/;

export type LinkVerification =
  { ok: true; messageId: string; honeypot: boolean } | { ok: false; reason: 'malformed' | 'url_mismatch' };

/**
 * Tracking tokens carry an HMAC-SHA256 (truncated to 128 bits) under TRACKING_SECRET. A message
 * token (the pixel, unsubscribe) names one message; a link token also carries a hash of the one
 * URL it may redirect to, so a click link cannot be edited into an open redirect. The first secret
 * signs; every configured secret verifies, so rotating keeps the links in mail already sent working.
 * Verifying costs one HMAC per secret and no I/O.
 */
export class TrackingTokens {
  /** Key objects made once: building the HMAC key from a Buffer on every request costs more than the HMAC. */
  private readonly keys: KeyObject[];

  constructor(secrets: Buffer[]) {
    if (secrets.length === 0) throw new Error('at least one tracking secret is needed');
    this.keys = secrets.map((secret) => createSecretKey(secret));
  }

  sign(messageId: string): string {
    return this.seal(Buffer.concat([Buffer.of(MESSAGE), uuidToBytes(messageId)]));
  }

  /** The message id, or null for anything forged, truncated or malformed. */
  verify(token: string): string | null {
    if (!MESSAGE_TOKEN.test(token)) return null;
    const body = this.open(token);
    return body && body[0] === MESSAGE ? bytesToUuid(body.subarray(1, 1 + ID_BYTES)) : null;
  }

  /** A click link's token, bound to `url`; a honeypot link's token marks whoever follows it as a machine. */
  signLink(messageId: string, url: string, honeypot = false): string {
    return this.seal(
      Buffer.concat([Buffer.of(honeypot ? HONEYPOT : LINK), uuidToBytes(messageId), urlHash(url)]),
    );
  }

  verifyLink(token: string, url: string): LinkVerification {
    if (!LINK_TOKEN.test(token)) return { ok: false, reason: 'malformed' };
    const body = this.open(token);
    if (!body || (body[0] !== LINK && body[0] !== HONEYPOT)) return { ok: false, reason: 'malformed' };
    if (!body.subarray(1 + ID_BYTES).equals(urlHash(url))) return { ok: false, reason: 'url_mismatch' };
    return {
      ok: true,
      messageId: bytesToUuid(body.subarray(1, 1 + ID_BYTES)),
      honeypot: body[0] === HONEYPOT,
    };
  }

  private seal(body: Buffer): string {
    return Buffer.concat([body, this.mac(this.keys[0], body)]).toString('base64url');
  }

  /** The signed body, or null when no secret's MAC matches. */
  private open(token: string): Buffer | null {
    const bytes = Buffer.from(token, 'base64url');
    // one spelling per token: base64 leaves the last character's low bits unused, so "...A" and
    // "...B" would decode alike; only the canonical form (what `seal` wrote) verifies
    if (bytes.toString('base64url') !== token) return null;
    const body = bytes.subarray(0, bytes.length - MAC_BYTES);
    const mac = bytes.subarray(bytes.length - MAC_BYTES);
    return this.keys.some((key) => timingSafeEqual(mac, this.mac(key, body))) ? body : null;
  }

  private mac(key: KeyObject, body: Buffer): Buffer {
    return createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES);
  }
}

function urlHash(url: string): Buffer {
  return createHash('sha256').update(url).digest().subarray(0, URL_HASH_BYTES);
}

function uuidToBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
