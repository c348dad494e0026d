import { BadInputError } from '../errors.js';
import { normalizeAddress } from '../mail/address.js';
import { hashAddress } from '../suppressions/address-hash.js';
import type { ErasureRepository } from './erasure.repository.js';

/**
 * The right to be forgotten: every message, event, campaign recipient and sequence row of one
 * address in one account goes, in one transaction. What stays is a suppression keyed by the
 * address's hash (reason ERASED, no address, no detail), so that the person is not mailed again.
 */
export class ErasureService {
  constructor(private readonly erasure: ErasureRepository) {}

  /** Rows erased (events, messages, recipients, sequence); 0 when the account never had the address. */
  async forget(accountId: string, email: string): Promise<number> {
    const address = normalizeAddress(email);
    if (!address) throw new BadInputError(`"${email.trim()}" is not a valid email address`);
    return this.erasure.eraseAddress(accountId, address.toLowerCase(), hashAddress(address));
  }
}
