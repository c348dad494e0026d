import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction.js';

const DAY_MS = 86_400_000;

/** The statements of the right to be forgotten, run in one transaction. */
export class ErasureRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Deletes every message (index message_account_recipient_lower), event, campaign recipient
   * (campaign_account, then campaign_recipient_email) and sequence row (recipient_sequence_lower)
   * of the lower-cased address in the account, and leaves an ERASED suppression keyed by its hash;
   * returns the rows deleted.
   */
  async eraseAddress(accountId: string, lowerAddress: string, addressHash: Buffer): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      const { rows: messages } = await client.query<{ id: string; queued_at: Date }>(
        'select id, queued_at from message where account_id = $1 and lower(recipient) = $2',
        [accountId, lowerAddress],
      );
      const ids = messages.map((m) => m.id);
      const since = messages.reduce((min, m) => (m.queued_at < min ? m.queued_at : min), new Date());
      // events come after their message: partitions older than its first message are not searched
      // (then index tracking_event_message in each)
      const events = await client.query(
        'delete from tracking_event where account_id = $1 and message_id = any($2::uuid[]) and occurred_at >= $3',
        [accountId, ids, new Date(since.getTime() - DAY_MS)],
      );
      const deleted = [
        events.rowCount ?? 0,
        (await client.query('delete from message where id = any($1::uuid[])', [ids])).rowCount ?? 0,
        (
          await client.query(
            `delete from campaign_recipient r using campaign c
             where c.id = r.campaign_id and c.account_id = $1 and lower(r.email) = $2`,
            [accountId, lowerAddress],
          )
        ).rowCount ?? 0,
        (
          await client.query(
            'delete from recipient_sequence where account_id = $1 and lower(recipient) = $2',
            [accountId, lowerAddress],
          )
        ).rowCount ?? 0,
      ];
      await client.query(
        `insert into suppression (account_id, email_hash, email, reason, detail) values ($1, $2, null, 'ERASED', null)
         on conflict (account_id, email_hash) do update set email = null, reason = 'ERASED', detail = null`,
        [accountId, addressHash],
      );
      return deleted.reduce((a, b) => a + b, 0);
    });
  }
}
