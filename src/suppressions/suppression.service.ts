import type { Queryable } from '../db/transaction.js';
import { BadInputError, NotFoundError } from '../errors.js';
import { normalizeAddress } from '../mail/address.js';
import { checkPageSize, decodeCursor, encodeCursor } from '../graphql/page.js';
import { hashAddress } from './address-hash.js';
import type { SuppressionRepository } from './suppression.repository.js';
import { Suppression, type SuppressionPage, type SuppressionReason } from './suppression.type.js';

export class SuppressionService {
  constructor(private readonly repository: SuppressionRepository) {}

  /** Adds the address (first reason wins: an unsubscribe stays an unsubscribe). */
  async suppress(
    accountId: string,
    email: string,
    reason: SuppressionReason,
    detail: string | null,
    db?: Queryable,
  ) {
    await this.repository.insertUnlessPresent(
      accountId,
      hashAddress(email),
      email,
      reason,
      detail?.slice(0, 1000) ?? null,
      db,
    );
  }

  /** Which of these addresses are suppressed for the account (by lower-cased address). */
  async suppressedAmong(accountId: string, emails: readonly string[], db?: Queryable): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const hashes = emails.map(hashAddress);
    const found = new Set(
      (await this.repository.suppressedHashes(accountId, hashes, db)).map((hash) => hash.toString('hex')),
    );
    return new Set(emails.filter((_, i) => found.has(hashes[i].toString('hex'))).map((e) => e.toLowerCase()));
  }

  async list(accountId: string, first: number, after: string | null): Promise<SuppressionPage> {
    checkPageSize(first);
    const cursor = after
      ? decodeCursor(after, 2, ([time, hex]) => !Number.isNaN(Date.parse(time)) && /^[0-9a-f]{64}$/.test(hex))
      : null;
    const rows = await this.repository.newestAfter(
      accountId,
      cursor ? { createdAt: new Date(cursor[0]), emailHash: Buffer.from(cursor[1], 'hex') } : null,
      first + 1,
    );
    const totalCount = await this.repository.count(accountId);
    const nodes = rows.slice(0, first);
    const last = nodes[nodes.length - 1];
    return {
      nodes: nodes.map((r) =>
        Object.assign(new Suppression(), {
          email: r.email,
          reason: r.reason,
          detail: r.detail,
          createdAt: r.created_at,
        }),
      ),
      totalCount,
      endCursor: last ? encodeCursor(last.created_at.toISOString(), last.email_hash.toString('hex')) : null,
      hasNextPage: rows.length > first,
    };
  }

  /** Lifts a suppression; NOT_FOUND when the address was not suppressed. */
  async unsuppress(accountId: string, email: string): Promise<boolean> {
    const address = normalizeAddress(email);
    if (!address) throw new BadInputError(`"${email.trim()}" is not a valid email address`);
    const deleted = await this.repository.delete(accountId, hashAddress(address));
    if (!deleted) throw new NotFoundError('suppression of', address);
    return true;
  }
}
