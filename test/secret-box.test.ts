import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../src/crypto/secret-box.js';

describe('SecretBox (AES-256-GCM for SMTP passwords)', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips, with a fresh IV each time', () => {
    const a = box.seal('app password ünïcödé', 'row-1');
    const b = box.seal('app password ünïcödé', 'row-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('app password');
    expect(box.open(a, 'row-1')).toBe('app password ünïcödé');
  });

  it('refuses a ciphertext moved to another row, tampered with, or opened with another key', () => {
    const sealed = box.seal('secret', 'row-1');
    expect(() => box.open(sealed, 'row-2')).toThrow();
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(() => box.open(`v1.${bytes.toString('base64url')}`, 'row-1')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'row-1')).toThrow();
    expect(() => box.open('v2.abc', 'row-1')).toThrow(/unknown ciphertext format/);
  });
});
