const MAX_URL = 4096;

/**
 * The URL a click may redirect to, or why not. Links are signed, so only URLs that were in the
 * email get here; this still refuses what no email link should be: another scheme, credentials in
 * the authority (https://bank.example@evil.example), control characters or backslashes that
 * browsers and servers read differently, protocol-relative or overlong URLs.
 */
export function checkRedirectTarget(raw: string): { ok: true; url: URL } | { ok: false; detail: string } {
  if (raw.length > MAX_URL) return { ok: false, detail: `url is longer than ${MAX_URL} characters` };
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f\u007f\\]/.test(raw))
    return { ok: false, detail: 'url contains control characters or a backslash' };
  if (!/^https?:\/\/[^/]/i.test(raw))
    return { ok: false, detail: 'url must be an absolute http:// or https:// URL' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, detail: 'url is not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, detail: 'url must use http or https' };
  if (url.username || url.password)
    return { ok: false, detail: 'url must not carry a user name or password' };
  if (!url.hostname) return { ok: false, detail: 'url has no host' };
  return { ok: true, url };
}

/** `example.com` allows that host; `*.example.com` its subdomains. An empty list allows any host. */
export function isAllowedHost(host: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  const name = host.toLowerCase();
  return patterns.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? name.endsWith(p.slice(1)) && name.length > p.length - 1 : name === p;
  });
}
