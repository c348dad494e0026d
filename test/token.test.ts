import { describe, expect, it } from 'vitest';
import { newId } from '../src/db/ids.js';
import { TrackingTokens } from '../src/tracking/token.js';

const secret = (s: string) => Buffer.from(s.padEnd(32, '.'));

describe('TrackingTokens', () => {
  const tokens = new TrackingTokens([secret('first')]);
  const id = newId();

  it('signs a URL-safe 44-character token that verifies to its message id', () => {
    const token = tokens.sign(id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{44}$/);
    expect(tokens.verify(token)).toBe(id);
  });

  it('refuses every single-character change, truncation, extension and other secret', () => {
    const token = tokens.sign(id);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < token.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(token[i]) + 1) % alphabet.length];
      const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
      // the last character carries 2 padding bits that decode identically for 4 values
      if (Buffer.from(tampered, 'base64url').equals(Buffer.from(token, 'base64url'))) continue;
      expect(tokens.verify(tampered), `position ${i}`).toBeNull();
    }
    expect(tokens.verify(token.slice(0, -1))).toBeNull();
    expect(tokens.verify(`${token}A`)).toBeNull();
    expect(tokens.verify('')).toBeNull();
    expect(tokens.verify('../../etc/passwd')).toBeNull();
    expect(new TrackingTokens([secret('other')]).verify(token)).toBeNull();
  });

  it('keeps verifying tokens of a rotated-out secret while it stays in the list; new tokens use the first', () => {
    const old = tokens.sign(id);
    const rotated = new TrackingTokens([secret('second'), secret('first')]);
    expect(rotated.verify(old)).toBe(id);
    const fresh = rotated.sign(id);
    expect(fresh).not.toBe(old);
    expect(tokens.verify(fresh)).toBeNull();
  });
});
