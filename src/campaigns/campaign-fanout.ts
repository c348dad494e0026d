import type { Pool, PoolClient } from 'pg';
import { newId } from '../db/ids.js';
import { withTransaction } from '../db/transaction.js';
import type { Logger } from '../logger.js';
import { MessageStatus } from '../messages/message.entity.js';
import { enqueueSends } from '../jobs/enqueue.js';
import { nextSequenceIds } from '../messages/sequence.sql.js';
import type { SuppressionService } from '../suppressions/suppression.service.js';
import type { CampaignContent } from './campaign-content.js';
import { personalize, type RecipientRow, recipientVariables } from './template.js';

/** Recipients turned into messages per transaction. */
const FANOUT_BATCH = 2_000;

interface CampaignRow {
  id: string;
  account_id: string;
  sender_id: string;
  subject: string;
  status: string;
  fanout_cursor: string | null;
  fanout_completed_at: Date | null;
}

/**
 * Turns a SENDING campaign's recipients into messages and send jobs, FANOUT_BATCH at a time. Each
 * batch commits its messages, their jobs and the campaign's cursor together, so a fan-out that dies
 * resumes exactly where it stopped: no recipient is skipped, none gets two messages.
 */
export class CampaignFanOut {
  constructor(
    private readonly pool: Pool,
    private readonly suppressions: SuppressionService,
    private readonly content: CampaignContent,
    private readonly logger: Logger,
  ) {}

  async run(campaignId: string): Promise<void> {
    const started = Date.now();
    let total = 0;
    for (;;) {
      const queued = await withTransaction(this.pool, (client) => this.nextBatch(client, campaignId));
      if (queued === null) break;
      total += queued;
      this.logger.info({ campaignId, queued: total }, 'campaign fan-out progress');
    }
    await this.content.completeIfDone(campaignId);
    this.logger.info({ campaignId, messages: total, ms: Date.now() - started }, 'campaign fan-out done');
  }

  /** One batch; null when there was nothing left (the fan-out is then marked complete). */
  private async nextBatch(client: PoolClient, campaignId: string): Promise<number | null> {
    const { rows } = await client.query<CampaignRow>(
      `select id, account_id, sender_id, subject, status, fanout_cursor, fanout_completed_at
       from campaign where id = $1 for update`,
      [campaignId],
    );
    const campaign = rows[0];
    if (!campaign || campaign.status !== 'SENDING' || campaign.fanout_completed_at) return null;
    const recipients = (
      await client.query<RecipientRow>(
        `select id, email, first_name, last_name, attributes from campaign_recipient
         where campaign_id = $1 and ($2::uuid is null or id > $2) order by id limit $3`,
        [campaignId, campaign.fanout_cursor, FANOUT_BATCH],
      )
    ).rows;
    if (recipients.length === 0) {
      await client.query(
        'update campaign set fanout_completed_at = now(), updated_at = now() where id = $1',
        [campaignId],
      );
      return null;
    }
    const emails = recipients.map((r) => r.email);
    const suppressed = await this.suppressions.suppressedAmong(campaign.account_id, emails, client);
    const sequences = await nextSequenceIds(client, campaign.account_id, emails);
    const messages = recipients.map((r) => ({
      id: newId(),
      recipientId: r.id,
      email: r.email,
      sequenceId: sequences.get(r.email)!,
      subject: personalize(campaign.subject, recipientVariables(r), 'header'),
      status: suppressed.has(r.email.toLowerCase()) ? MessageStatus.SUPPRESSED : MessageStatus.QUEUED,
    }));
    await client.query(
      `insert into message (id, account_id, campaign_id, recipient_id, sender_id, recipient, sequence_id, subject, is_html, status)
       select m.id, $1, $2, m.recipient_id, $3, m.recipient, m.sequence_id, m.subject, true, m.status
       from unnest($4::uuid[], $5::uuid[], $6::text[], $7::int[], $8::text[], $9::text[])
         as m(id, recipient_id, recipient, sequence_id, subject, status)`,
      [
        campaign.account_id,
        campaignId,
        campaign.sender_id,
        messages.map((m) => m.id),
        messages.map((m) => m.recipientId),
        messages.map((m) => m.email),
        messages.map((m) => m.sequenceId),
        messages.map((m) => m.subject),
        messages.map((m) => m.status),
      ],
    );
    const toSend = messages
      .filter((m) => m.status === MessageStatus.QUEUED)
      .map((m) => ({ id: m.id, campaignId }));
    await enqueueSends(client, toSend);
    await client.query(
      'update campaign_stats set suppressed = suppressed + $2 where campaign_id = $1 and shard = 0',
      [campaignId, messages.length - toSend.length],
    );
    await client.query('update campaign set fanout_cursor = $2, updated_at = now() where id = $1', [
      campaignId,
      recipients[recipients.length - 1].id,
    ]);
    return messages.length;
  }
}
