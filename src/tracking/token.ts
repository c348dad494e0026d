import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 1;
const ID_BYTES = 16;
const MAC_BYTES = 16;
const TOKEN_BYTES = 1 + ID_BYTES + MAC_BYTES;
/** base64url of 33 bytes: exactly 44 characters, no padding. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{44}$/;

/**
 * Tracking tokens name one message and carry an HMAC-SHA256 (truncated to 128 bits) under
 * TRACKING_SECRET. The first secret signs; every configured secret verifies, so rotating the
 * secret keeps the links in mail already sent working.
 */
export class TrackingTokens {
  constructor(private readonly secrets: Buffer[]) {
    if (secrets.length === 0) throw new Error('at least one tracking secret is needed');
  }

  sign(messageId: string): string {
    const body = Buffer.concat([Buffer.of(VERSION), uuidToBytes(messageId)]);
    return Buffer.concat([body, this.mac(this.secrets[0], body)]).toString('base64url');
  }

  /** The message id, or null for anything forged, truncated or malformed. Costs one HMAC per secret, no I/O. */
  verify(token: string): string | null {
    if (!TOKEN_SHAPE.test(token)) return null;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length !== TOKEN_BYTES || bytes[0] !== VERSION) return null;
    const body = bytes.subarray(0, 1 + ID_BYTES);
    const mac = bytes.subarray(1 + ID_BYTES);
    const valid = this.secrets.some((secret) => timingSafeEqual(mac, this.mac(secret, body)));
    return valid ? bytesToUuid(body.subarray(1)) : null;
  }

  private mac(secret: Buffer, body: Buffer): Buffer {
    return createHmac('sha256', secret).update(body).digest().subarray(0, MAC_BYTES);
  }
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
