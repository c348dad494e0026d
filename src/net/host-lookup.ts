import { lookup, Resolver } from 'node:dns/promises';

/** Every address a host name has; rejects when it has none. */
export type HostLookup = (name: string) => Promise<string[]>;

/**
 * The system's resolver (getaddrinfo: /etc/hosts, then DNS), or, with DNS_SERVERS, those servers
 * only (A and AAAA). Callers check the addresses and connect to one of them, never to the name,
 * so which resolver answers is the whole truth of where a connection goes.
 */
export function hostLookup(servers: string[] | null): HostLookup {
  if (!servers) return async (name) => (await lookup(name, { all: true })).map((a) => a.address);
  const resolver = new Resolver({ timeout: 3_000, tries: 2 });
  resolver.setServers(servers);
  return async (name) => {
    const answers = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    const addresses = answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : []));
    if (addresses.length === 0) throw new Error(`${name} does not resolve`);
    return addresses;
  };
}
