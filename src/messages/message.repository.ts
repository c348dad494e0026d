import { type Transaction, TransactionalRepository } from '../db/transaction.js';
import { enqueueSends } from '../jobs/enqueue.js';
import type { MessageStatus } from './message.entity.js';

/** A sendEmail message as it is stored. */
export interface TransactionalMessage {
  id: string;
  accountId: string;
  senderId: string;
  recipient: string;
  sequenceId: number;
  subject: string;
  body: string;
  isHtml: boolean;
  status: MessageStatus;
}

/**
 * The counter writers' lock order (docs/architecture.md, "Who writes counters"): message rows in id
 * order, taken before the update touches any (its own order follows its plan), by a walk of the
 * primary key over $1...
 */
const LOCKED_MESSAGES = `locked as materialized (
    select id from message where id = any($1::uuid[]) order by id for no key update)`;
/** ...then campaign_stats rows in (campaign_id, shard) order; per_shard names the rows to add to. */
const LOCKED_STATS = `locked_stats as materialized (
    select s.campaign_id, s.shard from campaign_stats s join per_shard p using (campaign_id, shard)
    order by s.campaign_id, s.shard for update of s)`;
const ADD_TO_STATS = `update campaign_stats s set sent = s.sent + p.sent, failed = s.failed + p.failed
  from per_shard p join locked_stats l using (campaign_id, shard)
  where s.campaign_id = p.campaign_id and s.shard = p.shard`;

/** What an SMTP attempt ended in, as OutcomeRecorder writes it. */
export interface SendOutcome {
  messageId: string;
  status: MessageStatus;
  error: string | null;
  smtpResponse: string | null;
  sentAt: Date | null;
}

/**
 * The hand-written statements of messages: storing a single send, the campaign pages' ids and
 * counts, and delivery's claims, sender quota and outcomes (MikroORM reads the EmailMessage entity
 * itself). The outcome statements write counters, message rows in id order first, then campaign_stats
 * (docs/architecture.md, "Who writes counters").
 */
export class MessageRepository extends TransactionalRepository {
  /** The send jobs of messages deferred or retried, due at `runAt` (jobs/enqueue.ts). */
  async queueSends(
    messages: readonly { id: string; campaignId: string | null }[],
    runAt: Date,
  ): Promise<void> {
    await enqueueSends(this.pool, messages, runAt);
  }

  /** Inside the transaction that took its sequence number and adds its job (primary key). */
  async insertTransactional(tx: Transaction, message: TransactionalMessage): Promise<void> {
    await tx.query(
      `insert into message (id, account_id, sender_id, recipient, sequence_id, subject, body, is_html, status)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        message.id,
        message.accountId,
        message.senderId,
        message.recipient,
        message.sequenceId,
        message.subject,
        message.body,
        message.isHtml,
        message.status,
      ],
    );
  }

  /** The newest `limit` message ids of each campaign: a short walk down message_campaign (campaign_id, id desc) each. */
  async newestIdsOfCampaigns(
    accountId: string,
    campaignIds: readonly string[],
    limit: number,
  ): Promise<{ campaign_id: string; ids: string[] }[]> {
    const { rows } = await this.pool.query<{ campaign_id: string; ids: string[] }>(
      `select c.id as campaign_id, array(
         select m.id from message m where m.campaign_id = c.id and m.account_id = $2
         order by m.id desc limit $3
       ) as ids
       from unnest($1::uuid[]) as c(id)`,
      [campaignIds, accountId, limit],
    );
    return rows;
  }

  /** How many messages each campaign has (message_campaign); campaigns with none are left out. */
  async countsOfCampaigns(
    accountId: string,
    campaignIds: readonly string[],
  ): Promise<{ campaign_id: string; total: number }[]> {
    const { rows } = await this.pool.query<{ campaign_id: string; total: number }>(
      `select campaign_id, count(*)::int as total from message
       where campaign_id = any($1::uuid[]) and account_id = $2 group by campaign_id`,
      [campaignIds, accountId],
    );
    return rows;
  }

  /**
   * Up to `wanted` sends within the sender's per-minute and per-day limits, and when to try the
   * rest (mailtrace_take_send_quota: the sender's sender_send_window rows, by primary key).
   */
  async takeSenderQuota(
    senderId: string,
    wanted: number,
    perMinute: number | null,
    perDay: number | null,
  ): Promise<{ granted: number; retryAt: Date }> {
    const { rows } = await this.pool.query<{ granted: number; retry_at: Date }>(
      'select granted, retry_at from mailtrace_take_send_quota($1, $2, $3, $4)',
      [senderId, wanted, perMinute, perDay],
    );
    return { granted: rows[0].granted, retryAt: rows[0].retry_at };
  }

  /** QUEUED or SENDING -> SENDING, one more attempt each (primary key); returns the rows it claimed. */
  async claimForSending(messageIds: readonly string[]): Promise<{ id: string; send_attempts: number }[]> {
    const { rows } = await this.pool.query<{ id: string; send_attempts: number }>(
      `update message set status = 'SENDING', send_attempts = send_attempts + 1, updated_at = now()
       where id = any($1::uuid[]) and status in ('QUEUED', 'SENDING') returning id, send_attempts`,
      [messageIds],
    );
    return rows;
  }

  /**
   * QUEUED or SENDING -> FAILED with the same error for all, and their campaigns' failed counters
   * (messages, then campaign_stats shard 0, each locked in key order), in one statement.
   */
  async failUnsent(messageIds: readonly string[], error: string): Promise<void> {
    await this.pool.query(
      `with ${LOCKED_MESSAGES}, changed as (
         update message m set status = 'FAILED', error = $2, updated_at = now()
         from locked l where m.id = l.id and m.status in ('QUEUED', 'SENDING') returning m.campaign_id
       ), per_shard as (
         select campaign_id, 0 as shard, 0 as sent, count(*)::int as failed
         from changed where campaign_id is not null group by campaign_id
       ), ${LOCKED_STATS}
       ${ADD_TO_STATS}`,
      [messageIds, error],
    );
  }

  /**
   * SENDING -> each outcome, and the campaigns' sent and failed counters, in one statement: message
   * rows locked in id order, then campaign_stats rows in (campaign_id, shard) order.
   * A message no longer SENDING is left as it is.
   */
  async recordOutcomes(outcomes: readonly SendOutcome[]): Promise<void> {
    await this.pool.query(
      `with outcome as (
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
           as o(id, status, error, smtp_response, sent_at)
       ), ${LOCKED_MESSAGES}, changed as (
         update message m set status = o.status, error = o.error, smtp_response = o.smtp_response,
           sent_at = coalesce(o.sent_at, m.sent_at), updated_at = now()
         from outcome o join locked l on l.id = o.id where m.id = o.id and m.status = 'SENDING'
         returning m.id, m.campaign_id, m.status
       ), per_shard as (
         select campaign_id, abs(hashtext(id::text)) % 8 as shard,
                count(*) filter (where status = 'SENT')::int as sent, count(*) filter (where status = 'FAILED')::int as failed
         from changed where campaign_id is not null group by 1, 2
       ), ${LOCKED_STATS}
       ${ADD_TO_STATS}`,
      [
        outcomes.map((o) => o.messageId),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.error),
        outcomes.map((o) => o.smtpResponse),
        outcomes.map((o) => o.sentAt),
      ],
    );
  }
}
