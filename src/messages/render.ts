export interface EmailContent {
  html: string | null;
  text: string | null;
}

export interface RenderedEmail {
  html: string;
  /** The plain-text alternative, when there is one: the email then goes out as multipart/alternative. */
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
 * The tracked form of an email: HTML gets the open pixel just before its last </body> (or at the
 * end); a text-only email keeps its text as written and gains an escaped HTML alternative that
 * carries the pixel. Campaigns and sendEmail both come through here.
 */
export function renderTrackedEmail(content: EmailContent, pixelUrl: string): RenderedEmail {
  const pixel = pixelTag(pixelUrl);
  if (content.html === null) {
    const text = content.text ?? '';
    const html = `<!DOCTYPE html><html><body><div style="white-space:pre-wrap;font-family:inherit">${escapeHtml(text)}</div>${pixel}</body></html>`;
    return { html, text };
  }
  const closing = content.html.toLowerCase().lastIndexOf('</body>');
  const html =
    closing === -1
      ? content.html + pixel
      : content.html.slice(0, closing) + pixel + content.html.slice(closing);
  return { html, text: content.text };
}
