import { newId } from '../db/ids.js';
import { type Transaction, TransactionalRepository } from '../db/transaction.js';
import type { MessageStatus } from '../messages/message.entity.js';
import type { CampaignStatus } from './campaign.entity.js';
import type { RecipientRow as ImportedRecipient } from './recipient-import.js';
import type { RecipientRow } from './template.js';

/** What sending and adding recipients check of a campaign, read with its row locked. */
export interface LockedCampaign {
  status: CampaignStatus;
  recipient_count: number;
  sender_id: string;
}

/** What the fan-out reads of its campaign, with the row locked for the batch. */
export interface FanOutCampaign {
  id: string;
  account_id: string;
  sender_id: string;
  subject: string;
  status: string;
  fanout_cursor: string | null;
  fanout_completed_at: Date | null;
}

/** A message the fan-out makes of a recipient. */
export interface FanOutMessage {
  id: string;
  recipientId: string;
  email: string;
  sequenceId: number;
  subject: string;
  status: MessageStatus;
}

/**
 * The hand-written statements of campaigns, their recipients and their fan-out (MikroORM reads and
 * writes the Campaign entity itself). Those that take `tx` run in the caller's transaction, begun
 * with `transaction`.
 */
export class CampaignRepository extends TransactionalRepository {
  /** The campaign's row, locked for this transaction (primary key); null when the account has none of that id. */
  async lockOwnedBy(tx: Transaction, accountId: string, id: string): Promise<LockedCampaign | null> {
    const { rows } = await tx.query<LockedCampaign>(
      'select status, recipient_count, sender_id from campaign where id = $1 and account_id = $2 for update',
      [id, accountId],
    );
    return rows[0] ?? null;
  }

  /** Whether the sender still exists, not deleted (primary key of sender). */
  async senderIsLive(tx: Transaction, senderId: string): Promise<boolean> {
    const sender = await tx.query('select 1 from sender where id = $1 and deleted_at is null', [senderId]);
    return sender.rowCount !== 0;
  }

  /** DRAFT -> SENDING (primary key); the caller holds the row's lock and has checked it is a DRAFT. */
  async markSending(tx: Transaction, id: string): Promise<void> {
    await tx.query(
      `update campaign set status = 'SENDING', send_started_at = now(), updated_at = now() where id = $1`,
      [id],
    );
  }

  /**
   * Adds the recipients, each with a new id, skipping addresses the campaign already has whatever
   * their case (unique index campaign_recipient_email on campaign_id, lower(email)). Returns how
   * many were added.
   */
  async insertRecipients(
    tx: Transaction,
    campaignId: string,
    recipients: readonly ImportedRecipient[],
  ): Promise<number> {
    const inserted = await tx.query(
      `insert into campaign_recipient (id, campaign_id, email, first_name, last_name, attributes)
       select r.id, $1, r.email, r.first_name, r.last_name, r.attributes
       from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
         as r(id, email, first_name, last_name, attributes)
       on conflict (campaign_id, lower(email)) do nothing`,
      [
        campaignId,
        recipients.map(() => newId()),
        recipients.map((r) => r.email),
        recipients.map((r) => r.firstName),
        recipients.map((r) => r.lastName),
        recipients.map((r) => JSON.stringify(r.attributes)),
      ],
    );
    return inserted.rowCount ?? 0;
  }

  /** recipient_count += added (primary key). */
  async addToRecipientCount(tx: Transaction, campaignId: string, added: number): Promise<void> {
    await tx.query(
      'update campaign set recipient_count = recipient_count + $2, updated_at = now() where id = $1',
      [campaignId, added],
    );
  }

  /** The campaign as the fan-out needs it, locked for the batch (primary key); null when it is gone. */
  async lockForFanOut(tx: Transaction, campaignId: string): Promise<FanOutCampaign | null> {
    const { rows } = await tx.query<FanOutCampaign>(
      `select id, account_id, sender_id, subject, status, fanout_cursor, fanout_completed_at
       from campaign where id = $1 for update`,
      [campaignId],
    );
    return rows[0] ?? null;
  }

  /** The next `limit` recipients in id order after the cursor, or from the first (index campaign_recipient_order). */
  async recipientsAfter(
    tx: Transaction,
    campaignId: string,
    cursor: string | null,
    limit: number,
  ): Promise<RecipientRow[]> {
    const { rows } = await tx.query<RecipientRow>(
      `select id, email, first_name, last_name, attributes from campaign_recipient
       where campaign_id = $1 and ($2::uuid is null or id > $2) order by id limit $3`,
      [campaignId, cursor, limit],
    );
    return rows;
  }

  /** Every recipient has its message (primary key). */
  async markFanOutCompleted(tx: Transaction, campaignId: string): Promise<void> {
    await tx.query('update campaign set fanout_completed_at = now(), updated_at = now() where id = $1', [
      campaignId,
    ]);
  }

  /**
   * One statement for the batch's messages; a recipient becomes at most one message, even if a
   * batch ran twice (unique index message_campaign_recipient).
   */
  async insertMessages(
    tx: Transaction,
    campaign: FanOutCampaign,
    messages: readonly FanOutMessage[],
  ): Promise<void> {
    await tx.query(
      `insert into message (id, account_id, campaign_id, recipient_id, sender_id, recipient, sequence_id, subject, is_html, status)
       select m.id, $1, $2, m.recipient_id, $3, m.recipient, m.sequence_id, m.subject, true, m.status
       from unnest($4::uuid[], $5::uuid[], $6::text[], $7::int[], $8::text[], $9::text[])
         as m(id, recipient_id, recipient, sequence_id, subject, status)`,
      [
        campaign.account_id,
        campaign.id,
        campaign.sender_id,
        messages.map((m) => m.id),
        messages.map((m) => m.recipientId),
        messages.map((m) => m.email),
        messages.map((m) => m.sequenceId),
        messages.map((m) => m.subject),
        messages.map((m) => m.status),
      ],
    );
  }

  /**
   * Counts the batch's suppressed recipients: one campaign_stats row (primary key campaign_id,
   * shard), after the batch's message rows, as every counter writer takes them.
   */
  async addSuppressed(tx: Transaction, campaignId: string, suppressed: number): Promise<void> {
    await tx.query(
      'update campaign_stats set suppressed = suppressed + $2 where campaign_id = $1 and shard = 0',
      [campaignId, suppressed],
    );
  }

  /** The last recipient the fan-out turned into a message (primary key). */
  async advanceFanOutCursor(tx: Transaction, campaignId: string, lastRecipientId: string): Promise<void> {
    await tx.query('update campaign set fanout_cursor = $2, updated_at = now() where id = $1', [
      campaignId,
      lastRecipientId,
    ]);
  }

  /** The bodies of these campaigns (primary key). */
  async contents(
    campaignIds: readonly string[],
  ): Promise<{ id: string; html: string; text: string | null }[]> {
    const { rows } = await this.pool.query<{ id: string; html: string; text: string | null }>(
      'select id, html, text from campaign where id = any($1::uuid[])',
      [campaignIds],
    );
    return rows;
  }

  /** These recipients (primary key of campaign_recipient). */
  async recipientsByIds(recipientIds: readonly string[]): Promise<RecipientRow[]> {
    const { rows } = await this.pool.query<RecipientRow>(
      'select id, email, first_name, last_name, attributes from campaign_recipient where id = any($1::uuid[])',
      [recipientIds],
    );
    return rows;
  }

  /**
   * SENDING -> SENT once the fan-out is done and no message is QUEUED or SENDING: an index probe
   * (message_campaign_outstanding). true when this call completed it.
   */
  async completeIfDone(campaignId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `update campaign set status = 'SENT', completed_at = now(), updated_at = now()
       where id = $1 and status = 'SENDING' and fanout_completed_at is not null
         and not exists (select 1 from message where campaign_id = $1 and status in ('QUEUED', 'SENDING'))`,
      [campaignId],
    );
    return rowCount === 1;
  }
}
