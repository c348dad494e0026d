import { isIP } from 'node:net';
import type { WebhookSettings } from '../config.js';
import { BadInputError } from '../errors.js';
import type { HostLookup } from '../net/host-lookup.js';
import { publicAddress } from '../net/public-address.js';

/** The endpoint URL as given to createWebhook: absolute https (http only when allowed), no credentials. */
export function checkWebhookUrl(raw: string, settings: WebhookSettings): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new BadInputError(`"${raw.trim()}" is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && settings.allowHttp)) {
    throw new BadInputError(
      'webhook URLs must use https:// (plain http is allowed only with WEBHOOK_ALLOW_HTTP=true)',
    );
  }
  if (url.username || url.password)
    throw new BadInputError('webhook URLs must not carry a user name or password');
  if (url.hash) throw new BadInputError('webhook URLs must not have a #fragment');
  if (url.href.length > 2048) throw new BadInputError('webhook URLs are at most 2048 characters');
  return url;
}

/**
 * The address to connect to, checked after DNS resolution: every address the name resolves to
 * must be public, or a name that resolves to 127.0.0.1 or 169.254.169.254 would reach inside.
 * The request then goes to this very address (no second lookup that could answer differently).
 */
export async function resolveEndpoint(
  url: URL,
  settings: WebhookSettings,
  lookup: HostLookup,
): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await lookup(host);
  if (addresses.length === 0) throw new Error(`${host} does not resolve`);
  if (!settings.allowPrivate) {
    const blocked = addresses.find((address) => publicAddress(address) === null);
    if (blocked)
      throw new Error(`${host} resolves to ${blocked}, a private, loopback or reserved address: refused`);
  }
  return addresses[0];
}
