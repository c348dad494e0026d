export interface RenderedEmail {
  html: string;
  /** Only for plain-text bodies, which go out as multipart/alternative. */
  text: string | null;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function pixelTag(pixelUrl: string): string {
  return `<img src="${escapeHtml(pixelUrl)}" width="1" height="1" alt="" style="display:none">`;
}

/**
 * The tracked form of a message body: HTML gets the open pixel just before its last </body>
 * (or at the end); plain text stays as written and gains an escaped HTML alternative that carries it.
 */
export function renderTrackedEmail(body: string, isHtml: boolean, pixelUrl: string): RenderedEmail {
  const pixel = pixelTag(pixelUrl);
  if (!isHtml) {
    const html = `<!DOCTYPE html><html><body><div style="white-space:pre-wrap;font-family:inherit">${escapeHtml(body)}</div>${pixel}</body></html>`;
    return { html, text: body };
  }
  const closing = body.toLowerCase().lastIndexOf('</body>');
  const html = closing === -1 ? body + pixel : body.slice(0, closing) + pixel + body.slice(closing);
  return { html, text: null };
}
