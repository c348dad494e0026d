import { BlockList, isIP } from 'node:net';

/**
 * Addresses that are nobody's on the internet: private, loopback, link-local (cloud metadata at
 * 169.254.169.254 included), shared, documentation, multicast, reserved. GeoIP gives them no place;
 * webhooks never connect to them.
 */
const NOWHERE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const) {
  NOWHERE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOWHERE.addSubnet(network, prefix, 'ipv6');
}

/** The address to look up, IPv4 inside IPv6 unwrapped; null for anything that has no place. */
export function publicAddress(raw: string | null): string | null {
  if (!raw) return null;
  let ip = raw.trim();
  let version = isIP(ip);
  if (version === 0) return null;
  if (version === 6) {
    const inner = embeddedIpv4(ip);
    if (inner) [ip, version] = [inner, 4];
  }
  return NOWHERE.check(ip, version === 4 ? 'ipv4' : 'ipv6') ? null : ip;
}

/**
 * The IPv4 address an IPv6 one carries: mapped (::ffff:0:0/96), compatible (::/96) or NAT64
 * (64:ff9b::/96), in any spelling. A resolver answers `::ffff:7f00:1` for `::ffff:127.0.0.1`, and
 * both reach 127.0.0.1, so both are judged as 127.0.0.1.
 */
function embeddedIpv4(ip: string): string | null {
  // the URL parser writes IPv6 one way: compressed, lower-case hex pieces
  const canonical = new URL(`http://[${ip.split('%', 1)[0]}]`).hostname.slice(1, -1);
  const found = /^(?:::ffff:|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!found) return null;
  const [high, low] = [parseInt(found[1], 16), parseInt(found[2], 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
