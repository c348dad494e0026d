const ANCHOR = /<a\b([^>]*)>/gi;
const HREF = /(\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** An href as the browser reads it: HTML character references decoded, surrounding space trimmed. */
export function decodeHref(value: string): string {
  return value
    .replace(ENTITY, (_m, dec: string, hex: string, name: string) =>
      dec
        ? String.fromCodePoint(Number(dec))
        : hex
          ? String.fromCodePoint(Number.parseInt(hex, 16))
          : NAMED[name.toLowerCase()],
    )
    .trim();
}

/**
 * Rewrites the href of every <a> whose target is an absolute http(s) URL through `track`; leaves
 * mailto:, tel:, anchors, relative links, links marked data-no-track, and anything `track` declines
 * (it returns null) exactly as written.
 */
export function rewriteLinks(
  html: string,
  track: (url: string) => string | null,
  escape: (s: string) => string,
): string {
  return html.replace(ANCHOR, (tag: string, attributes: string) => {
    if (/\bdata-no-track\b/i.test(attributes)) return tag;
    const href = HREF.exec(tag);
    if (!href) return tag;
    const url = decodeHref(href[2] ?? href[3] ?? href[4] ?? '');
    if (!/^https?:\/\//i.test(url)) return tag;
    const tracked = track(url);
    if (tracked === null) return tag;
    return tag.replace(HREF, `${href[1]}"${escape(tracked)}"`);
  });
}
