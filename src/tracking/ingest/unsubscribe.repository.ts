import { type Transaction, TransactionalRepository } from '../../db/transaction.js';
import { enqueueEventProcessing } from '../../jobs/enqueue.js';

/** The message an unsubscribe link names, with its sender. */
export interface UnsubscribeTargetRow {
  account_id: string;
  recipient: string;
  sender_name: string | null;
  sender_email: string;
  unsubscribed_at: Date | null;
}

/** The message and its sender, both by primary key. */
const TARGET = `select m.account_id, m.recipient, m.unsubscribed_at, s.name as sender_name, s.email as sender_email
  from message m join sender s on s.id = m.sender_id where m.id = $1`;

/**
 * The statements of unsubscribing. The service runs the write in one transaction
 * (transaction): the locked message, its counters, the event and the suppression commit together.
 */
export class UnsubscribeRepository extends TransactionalRepository {
  async target(messageId: string): Promise<UnsubscribeTargetRow | undefined> {
    const { rows } = await this.pool.query<UnsubscribeTargetRow>(TARGET, [messageId]);
    return rows[0];
  }

  /** The target with its message row locked until the transaction ends: one unsubscribe at a time. */
  async lockTarget(transaction: Transaction, messageId: string): Promise<UnsubscribeTargetRow | undefined> {
    const { rows } = await transaction.query<UnsubscribeTargetRow>(`${TARGET} for update of m`, [messageId]);
    return rows[0];
  }

  /**
   * Sets the message's unsubscribedAt and counts it in its campaign's shard 0 (both by primary
   * key): a counter writer, message row first, then campaign_stats, like every other.
   */
  async markUnsubscribed(transaction: Transaction, messageId: string): Promise<void> {
    await transaction.query(
      `with changed as (update message set unsubscribed_at = now(), updated_at = now() where id = $1 returning campaign_id)
       update campaign_stats s set unsubscribes = s.unsubscribes + 1
       from changed c where s.campaign_id = c.campaign_id and s.shard = 0`,
      [messageId],
    );
  }

  /** A process_events job for the new event, once it has committed. */
  queueEventProcessing(): Promise<void> {
    return enqueueEventProcessing(this.pool);
  }
}
