import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../src/mail/address.js';
import { renderTrackedEmail } from '../src/messages/render.js';

const PIXEL = 'https://t.example.com/api/v1/tracking/open/abc';
const TAG = `<img src="${PIXEL}" width="1" height="1" alt="" style="display:none">`;

describe('renderTrackedEmail', () => {
  it('puts the pixel just before the last </body>, whatever its case', () => {
    expect(renderTrackedEmail('<html><BODY>Hi</BODY></html>', true, PIXEL).html).toBe(
      `<html><BODY>Hi${TAG}</BODY></html>`,
    );
  });

  it('appends the pixel to HTML without a body tag, and sends no text part', () => {
    expect(renderTrackedEmail('<p>Hi</p>', true, PIXEL)).toEqual({ html: `<p>Hi</p>${TAG}`, text: null });
  });

  it('keeps plain text as written and escapes it into the HTML alternative', () => {
    const rendered = renderTrackedEmail('a < b & "c"\nnext', false, PIXEL);
    expect(rendered.text).toBe('a < b & "c"\nnext');
    expect(rendered.html).toContain('a &lt; b &amp; &quot;c&quot;\nnext');
    expect(rendered.html).toContain(`${TAG}</body>`);
  });
});

describe('normalizeAddress', () => {
  it.each([
    [' Person@Example.COM ', 'Person@example.com'],
    ['a.b+tag@sub.example.co.uk', 'a.b+tag@sub.example.co.uk'],
    ['no-at-sign', null],
    ['two@@example.com', null],
    ['spaces in@example.com', null],
    ['x@localhost', null],
    ['x@-bad.com', null],
    ['<x@example.com>', null],
    [`${'a'.repeat(65)}@example.com`, null],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeAddress(raw)).toBe(expected);
  });
});
