import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../src/mail/address.js';
import { decodeHref, rewriteLinks } from '../src/messages/links.js';
import { escapeHtml } from '../src/http/html.js';
import { renderTrackedEmail } from '../src/messages/render.js';
import type { MessageLinks } from '../src/tracking/tracking-urls.js';

const LINKS: MessageLinks = {
  pixel: 'https://t.example.com/api/v1/tracking/open/abc',
  unsubscribe: 'https://t.example.com/api/v1/tracking/unsubscribe/abc',
  honeypot: 'https://t.example.com/api/v1/tracking/click/hp?url=x',
  click: (url) => `https://t.example.com/api/v1/tracking/click/tok?url=${encodeURIComponent(url)}`,
};
const isTracked = (url: string) => url.startsWith('https://t.example.com/api/v1/tracking/');
const render = (html: string | null, text: string | null = null) =>
  renderTrackedEmail({ html, text }, LINKS, isTracked);
const PIXEL = `<img src="${LINKS.pixel}" width="1" height="1" alt="" style="display:none">`;

describe('renderTrackedEmail', () => {
  it('puts the honeypot and the pixel just before the last </body>, whatever its case', () => {
    const { html } = render('<html><BODY>Hi {{unsubscribe_url}}</BODY></html>');
    expect(html).toMatch(
      new RegExp(`aria-hidden="true" tabindex="-1"></a>${escapeRegExp(PIXEL)}</BODY></html>$`),
    );
    expect(html).toContain(`href="${escapeHtml(LINKS.honeypot)}"`);
  });

  it('appends everything to HTML without a body tag, and sends no text part', () => {
    const rendered = render('<p>Hi</p>');
    expect(rendered.text).toBeNull();
    expect(rendered.html.startsWith('<p>Hi</p>')).toBe(true);
    expect(rendered.html.endsWith(PIXEL)).toBe(true);
  });

  it('fills {{unsubscribe_url}} where the template asks, else adds a footer, in HTML and text', () => {
    const asked = render(
      '<body><a href="{{ unsubscribe_url }}">leave</a></body>',
      'Bye: {{unsubscribe_url}}',
    );
    expect(asked.html).toContain(`<a href="${LINKS.unsubscribe}">leave</a>`);
    expect(asked.html).not.toContain('If you no longer want these emails');
    expect(asked.text).toBe(`Bye: ${LINKS.unsubscribe}`);
    const footer = render('<body><p>Hi</p></body>', 'Hi');
    expect(footer.html).toContain(`<a href="${LINKS.unsubscribe}">unsubscribe</a>`);
    expect(footer.text).toBe(`Hi\n\n--\nUnsubscribe: ${LINKS.unsubscribe}\n`);
  });

  it('keeps plain text as written and escapes it into the HTML alternative', () => {
    const rendered = render(null, 'a < b & "c"\nnext');
    expect(rendered.text?.startsWith('a < b & "c"\nnext')).toBe(true);
    expect(rendered.html).toContain('a &lt; b &amp; &quot;c&quot;\nnext');
    expect(rendered.html).toContain(`${PIXEL}</body>`);
  });

  it('tracks http(s) links and leaves mailto:, tel:, anchors, relative, data-no-track and our own links alone', () => {
    const source = [
      '<a href="https://example.com/a?x=1&amp;y=2">A</a>',
      "<a class='b' href='http://example.com/b'>B</a>",
      '<a href=https://example.com/c>C</a>',
      '<a href="mailto:x@example.com">M</a>',
      '<a href="tel:+123">T</a>',
      '<a href="#top">H</a>',
      '<a href="/relative">R</a>',
      '<a data-no-track href="https://example.com/keep">K</a>',
      '<a href="https://t.example.com/api/v1/tracking/unsubscribe/abc">U</a>',
      '<A HREF="HTTPS://EXAMPLE.COM/UPPER">UP</A>',
    ].join('');
    const { html } = render(`<body>${source}</body>`);
    const tracked = (url: string) => `href="${escapeHtml(LINKS.click(url))}"`;
    expect(html).toContain(tracked('https://example.com/a?x=1&y=2'));
    expect(html).toContain(tracked('http://example.com/b'));
    expect(html).toContain(tracked('https://example.com/c'));
    expect(html).toContain(`HREF="${escapeHtml(LINKS.click('HTTPS://EXAMPLE.COM/UPPER'))}"`);
    for (const kept of [
      'mailto:x@example.com',
      'tel:+123',
      '#top',
      '/relative',
      'https://example.com/keep',
      LINKS.unsubscribe,
    ]) {
      expect(html).toContain(`href="${kept}"`);
    }
  });
});

describe('links', () => {
  it('decodes character references in hrefs', () => {
    expect(decodeHref(' https://x.test/?a=1&amp;b=&#50;&#x33; ')).toBe('https://x.test/?a=1&b=23');
  });

  it('leaves anchors without href alone', () => {
    expect(rewriteLinks('<a name="x">x</a>', () => 'y', escapeHtml)).toBe('<a name="x">x</a>');
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

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
