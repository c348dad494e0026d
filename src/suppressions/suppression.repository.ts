import type { Pool } from 'pg';
import type { Queryable } from '../db/transaction.js';
import type { SuppressionReason } from './suppression.type.js';

export interface SuppressionRow {
  email: string | null;
  reason: SuppressionReason;
  detail: string | null;
  created_at: Date;
  email_hash: Buffer;
}

/**
 * The suppression list's statements. Every one is scoped to an account and keyed by the address's
 * hash (address-hash.ts). Those that take `db` run in the caller's transaction when given one.
 */
export class SuppressionRepository {
  constructor(private readonly pool: Pool) {}

  /** First reason wins (primary key account_id, email_hash). */
  async insertUnlessPresent(
    accountId: string,
    emailHash: Buffer,
    email: string,
    reason: SuppressionReason,
    detail: string | null,
    db: Queryable = this.pool,
  ): Promise<void> {
    await db.query(
      `insert into suppression (account_id, email_hash, email, reason, detail) values ($1, $2, $3, $4, $5)
       on conflict (account_id, email_hash) do nothing`,
      [accountId, emailHash, email, reason, detail],
    );
  }

  /** Which of these hashes are on the account's list (primary key account_id, email_hash). */
  async suppressedHashes(
    accountId: string,
    emailHashes: readonly Buffer[],
    db: Queryable = this.pool,
  ): Promise<Buffer[]> {
    const { rows } = await db.query<{ email_hash: Buffer }>(
      'select email_hash from suppression where account_id = $1 and email_hash = any($2::bytea[])',
      [accountId, emailHashes],
    );
    return rows.map((r) => r.email_hash);
  }

  /**
   * Newest first, `limit` rows after the cursor (created_at, email_hash), or from the start
   * without one: a walk down suppression_account_created (account_id, created_at desc, email_hash).
   */
  async newestAfter(
    accountId: string,
    after: { createdAt: Date; emailHash: Buffer } | null,
    limit: number,
  ): Promise<SuppressionRow[]> {
    const { rows } = await this.pool.query<SuppressionRow>(
      `select email, reason, detail, created_at, email_hash from suppression
       where account_id = $1 and ($2::timestamptz is null or (created_at, email_hash) < ($2, $3::bytea))
       order by created_at desc, email_hash desc limit $4`,
      [accountId, after?.createdAt ?? null, after?.emailHash ?? null, limit],
    );
    return rows;
  }

  /** The account's list's length (suppression_account_created). */
  async count(accountId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'select count(*)::int as n from suppression where account_id = $1',
      [accountId],
    );
    return rows[0].n;
  }

  /** false when the hash was not on the list (primary key account_id, email_hash). */
  async delete(accountId: string, emailHash: Buffer): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'delete from suppression where account_id = $1 and email_hash = $2',
      [accountId, emailHash],
    );
    return Boolean(rowCount);
  }
}
