import type { MessageLinks } from '../tracking/tracking-urls.js';
import { rewriteLinks } from './links.js';
import { escapeHtml } from '../http/html.js';

export interface EmailContent {
  html: string | null;
  text: string | null;
}

export interface RenderedEmail {
  html: string;
  /** The plain-text alternative, when there is one: the email then goes out as multipart/alternative. */
  text: string | null;
}

/** Where a template asks for its unsubscribe link; otherwise a footer carries it. */
const UNSUBSCRIBE_PLACEHOLDER = /\{\{\s*unsubscribe_url\s*\}\}/i;

/**
 * The tracked form of an email, for campaigns and sendEmail alike:
 * - every http(s) link of the HTML goes through the click route (see rewriteLinks);
 * - `{{unsubscribe_url}}` becomes the message's unsubscribe link, or a footer carries it;
 * - a hidden honeypot link and the open pixel go in just before the last </body> (or at the end);
 * - a text-only email keeps its text as written and gains an escaped HTML alternative.
 */
export function renderTrackedEmail(
  content: EmailContent,
  links: MessageLinks,
  isTracked: (url: string) => boolean,
): RenderedEmail {
  const text = content.text === null ? null : withUnsubscribe(content.text, links.unsubscribe, 'text');
  const sourceHtml =
    content.html ??
    `<!DOCTYPE html><html><body><div style="white-space:pre-wrap;font-family:inherit">${escapeHtml(content.text ?? '')}</div></body></html>`;
  const linked = rewriteLinks(sourceHtml, (url) => (isTracked(url) ? null : links.click(url)), escapeHtml);
  const html = insertBeforeBodyEnd(
    withUnsubscribe(linked, links.unsubscribe, 'html'),
    `<a href="${escapeHtml(links.honeypot)}" style="display:none;font-size:0;line-height:0;color:transparent" aria-hidden="true" tabindex="-1"></a>` +
      `<img src="${escapeHtml(links.pixel)}" width="1" height="1" alt="" style="display:none">`,
  );
  return { html, text };
}

function withUnsubscribe(body: string, url: string, mode: 'html' | 'text'): string {
  const value = mode === 'html' ? escapeHtml(url) : url;
  const placeholders = new RegExp(UNSUBSCRIBE_PLACEHOLDER.source, 'gi');
  if (UNSUBSCRIBE_PLACEHOLDER.test(body)) return body.replace(placeholders, () => value);
  if (mode === 'text') return `${body}\n\n--\nUnsubscribe: ${url}\n`;
  return insertBeforeBodyEnd(
    body,
    `<p style="margin-top:24px;font-size:12px;color:#888">If you no longer want these emails, <a href="${value}">unsubscribe</a>.</p>`,
  );
}

function insertBeforeBodyEnd(html: string, fragment: string): string {
  const closing = html.toLowerCase().lastIndexOf('</body>');
  return closing === -1 ? html + fragment : html.slice(0, closing) + fragment + html.slice(closing);
}
