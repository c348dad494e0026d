import { isIP } from 'node:net';
import { BadInputError } from '../errors.js';
import type { HostLookup } from '../net/host-lookup.js';
import { publicAddress } from '../net/public-address.js';

/** RFC 6761: `localhost` and every name under it are loopback, whatever a resolver says. */
const LOCALHOST = /(^|\.)localhost\.?$/;

/** A name with no address: refused at connect time, let through at creation. */
class UnresolvedHostError extends BadInputError {}

export interface SmtpHostRules {
  /** SMTP_ALLOW_PRIVATE_ADDRESSES: relays on loopback or the operator's own network. */
  allowPrivate: boolean;
  /** The capture SMTP server's port (127.0.0.1), allowed by its own rule; null when it is off. */
  capturePort: number | null;
}

/**
 * Where a sender's SMTP host may lead: public addresses only, or any account could reach our
 * loopback and private network through createSender, verifySender and every send. Checked after
 * DNS (every address the name has must be public), and the connection then goes to that very
 * address, so a name that changes its answer later (DNS rebinding) gains nothing.
 */
export class SmtpHostGuard {
  constructor(
    private readonly rules: SmtpHostRules,
    private readonly lookup: HostLookup,
  ) {}

  /**
   * At createSender and importSenders: refuses a host that is or resolves to an inside address. A
   * name that does not resolve (yet) is let through: there is nothing to reach, and every connection
   * resolves and checks again.
   */
  async check(host: string, port: number): Promise<void> {
    try {
      await this.resolve(host, port);
    } catch (error) {
      if (!(error instanceof UnresolvedHostError)) throw error;
    }
  }

  /** The address to connect to; BAD_USER_INPUT for a host that resolves inside or not at all. */
  async resolve(host: string, port: number): Promise<string> {
    const name = canonicalHost(host);
    const addresses = isIP(name) ? [name] : LOCALHOST.test(name) ? ['127.0.0.1'] : await this.lookupAll(name);
    const inside = addresses.find((address) => publicAddress(address) === null);
    if (inside && !this.rules.allowPrivate && !this.isCapture(addresses, port)) {
      throw new BadInputError(
        `smtp_host "${host}" is a loopback, private or reserved address: refused (SMTP_ALLOW_PRIVATE_ADDRESSES=true allows relays on your own network)`,
      );
    }
    return addresses[0];
  }

  private async lookupAll(name: string): Promise<string[]> {
    try {
      const found = await this.lookup(name);
      if (found.length > 0) return found;
    } catch {
      // answered below, without the resolver's words
    }
    throw new UnresolvedHostError(`smtp_host "${name}" does not resolve`);
  }

  private isCapture(addresses: string[], port: number): boolean {
    return port === this.rules.capturePort && addresses.every((a) => a === '127.0.0.1');
  }
}

/** `127.1`, `2130706433`, `0x7f000001` and `[::1]` spelled as the resolver and the socket read them. */
function canonicalHost(host: string): string {
  try {
    return new URL(`smtp://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}`).hostname
      .replace(/^\[|\]$/g, '')
      .toLowerCase();
  } catch {
    throw new BadInputError(`smtp_host "${host}" is not a host name`);
  }
}
