import type { Pool, PoolClient } from 'pg';
import { BadInputError, NotFoundError } from '../errors.js';
import { normalizeAddress } from '../mail/address.js';
import { checkPageSize, decodeCursor, encodeCursor } from '../graphql/page.js';
import { hashAddress } from './address-hash.js';
import { Suppression, type SuppressionPage, type SuppressionReason } from './suppression.type.js';

type Queryable = Pool | PoolClient;

interface SuppressionRow {
  email: string | null;
  reason: SuppressionReason;
  detail: string | null;
  created_at: Date;
  email_hash: Buffer;
}

export class SuppressionService {
  constructor(private readonly pool: Pool) {}

  /** Adds the address (first reason wins: an unsubscribe stays an unsubscribe). */
  async suppress(
    accountId: string,
    email: string,
    reason: SuppressionReason,
    detail: string | null,
    db: Queryable = this.pool,
  ) {
    await db.query(
      `insert into suppression (account_id, email_hash, email, reason, detail) values ($1, $2, $3, $4, $5)
       on conflict (account_id, email_hash) do nothing`,
      [accountId, hashAddress(email), email, reason, detail?.slice(0, 1000) ?? null],
    );
  }

  /** Which of these addresses are suppressed for the account (by lower-cased address). */
  async suppressedAmong(
    accountId: string,
    emails: readonly string[],
    db: Queryable = this.pool,
  ): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const hashes = emails.map(hashAddress);
    const { rows } = await db.query<{ email_hash: Buffer }>(
      'select email_hash from suppression where account_id = $1 and email_hash = any($2::bytea[])',
      [accountId, hashes],
    );
    const found = new Set(rows.map((r) => r.email_hash.toString('hex')));
    return new Set(emails.filter((_, i) => found.has(hashes[i].toString('hex'))).map((e) => e.toLowerCase()));
  }

  async list(accountId: string, first: number, after: string | null): Promise<SuppressionPage> {
    checkPageSize(first);
    const cursor = after
      ? decodeCursor(after, 2, ([time, hex]) => !Number.isNaN(Date.parse(time)) && /^[0-9a-f]{64}$/.test(hex))
      : null;
    const { rows } = await this.pool.query<SuppressionRow>(
      `select email, reason, detail, created_at, email_hash from suppression
       where account_id = $1 and ($2::timestamptz is null or (created_at, email_hash) < ($2, $3::bytea))
       order by created_at desc, email_hash desc limit $4`,
      [
        accountId,
        cursor ? new Date(cursor[0]) : null,
        cursor ? Buffer.from(cursor[1], 'hex') : null,
        first + 1,
      ],
    );
    const total = await this.pool.query<{ n: number }>(
      'select count(*)::int as n from suppression where account_id = $1',
      [accountId],
    );
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
      totalCount: total.rows[0].n,
      endCursor: last ? encodeCursor(last.created_at.toISOString(), last.email_hash.toString('hex')) : null,
      hasNextPage: rows.length > first,
    };
  }

  /** Lifts a suppression; NOT_FOUND when the address was not suppressed. */
  async unsuppress(accountId: string, email: string): Promise<boolean> {
    const address = normalizeAddress(email);
    if (!address) throw new BadInputError(`"${email.trim()}" is not a valid email address`);
    const { rowCount } = await this.pool.query(
      'delete from suppression where account_id = $1 and email_hash = $2',
      [accountId, hashAddress(address)],
    );
    if (!rowCount) throw new NotFoundError('suppression of', address);
    return true;
  }
}
