import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction.js';
import { BadInputError } from '../errors.js';
import { normalizeAddress } from '../mail/address.js';
import { hashAddress } from '../suppressions/address-hash.js';

/**
 * The right to be forgotten: every message, event, campaign recipient and sequence row of one
 * address in one account goes, in one transaction. What stays is a suppression keyed by the
 * address's hash (reason ERASED, no address, no detail), so that the person is not mailed again.
 */
export class ErasureService {
  constructor(private readonly pool: Pool) {}

  /** Rows erased (events, messages, recipients, sequence); 0 when the account never had the address. */
  async forget(accountId: string, email: string): Promise<number> {
    const address = normalizeAddress(email);
    if (!address) throw new BadInputError(`"${email.trim()}" is not a valid email address`);
    const lower = address.toLowerCase();
    return withTransaction(this.pool, async (client) => {
      const { rows: messages } = await client.query<{ id: string; queued_at: Date }>(
        'select id, queued_at from message where account_id = $1 and lower(recipient) = $2',
        [accountId, lower],
      );
      const ids = messages.map((m) => m.id);
      const since = messages.reduce((min, m) => (m.queued_at < min ? m.queued_at : min), new Date());
      // events come after their message: partitions older than its first message are not searched
      const events = await client.query(
        'delete from tracking_event where account_id = $1 and message_id = any($2::uuid[]) and occurred_at >= $3',
        [accountId, ids, new Date(since.getTime() - 86_400_000)],
      );
      const deleted = [
        events.rowCount ?? 0,
        (await client.query('delete from message where id = any($1::uuid[])', [ids])).rowCount ?? 0,
        (
          await client.query(
            `delete from campaign_recipient r using campaign c
             where c.id = r.campaign_id and c.account_id = $1 and lower(r.email) = $2`,
            [accountId, lower],
          )
        ).rowCount ?? 0,
        (
          await client.query(
            'delete from recipient_sequence where account_id = $1 and lower(recipient) = $2',
            [accountId, lower],
          )
        ).rowCount ?? 0,
      ];
      await client.query(
        `insert into suppression (account_id, email_hash, email, reason, detail) values ($1, $2, null, 'ERASED', null)
         on conflict (account_id, email_hash) do update set email = null, reason = 'ERASED', detail = null`,
        [accountId, hashAddress(address)],
      );
      return deleted.reduce((a, b) => a + b, 0);
    });
  }
}
