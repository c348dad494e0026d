import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../src/mail/address.js';
import { renderTrackedEmail } from '../src/messages/render.js';

const PIXEL = 'https://t.example.com/api/v1/tracking/open/abc';
const TAG = `<img src="${PIXEL}" width="1" height="1" alt="" style="display:none">`;

describe('renderTrackedEmail', () => {
  it('puts the pixel just before the last </body>, whatever its case', () => {
    expect(renderTrackedEmail({ html: '<html><BODY>Hi</BODY></html>', text: null }, PIXEL).html).toBe(
      `<html><BODY>Hi${TAG}</BODY></html>`,
    );
  });

  it('keeps a text alternative beside HTML as written', () => {
    expect(renderTrackedEmail({ html: '<p>Hi</p>', text: 'Hi' }, PIXEL)).toEqual({
      html: `<p>Hi</p>${TAG}`,
      text: 'Hi',
    });
  });

  it('appends the pixel to HTML without a body tag, and sends no text part', () => {
    expect(renderTrackedEmail({ html: '<p>Hi</p>', text: null }, PIXEL)).toEqual({
      html: `<p>Hi</p>${TAG}`,
      text: null,
    });
  });

  it('keeps plain text as written and escapes it into the HTML alternative', () => {
    const rendered = renderTrackedEmail({ html: null, text: 'a < b & "c"\nnext' }, PIXEL);
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
