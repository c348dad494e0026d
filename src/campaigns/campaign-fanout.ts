import { newId } from '../db/ids.js';
import type { Transaction } from '../db/transaction.js';
import type { Logger } from '../logger.js';
import { MessageStatus } from '../messages/message.entity.js';
import { enqueueSends } from '../jobs/enqueue.js';
import { nextSequenceIds } from '../messages/sequence.sql.js';
import type { SuppressionService } from '../suppressions/suppression.service.js';
import type { CampaignContent } from './campaign-content.js';
import type { CampaignRepository } from './campaign.repository.js';
import { personalize, recipientVariables } from './template.js';

/** Recipients turned into messages per transaction. */
const FANOUT_BATCH = 2_000;

/**
 * Turns a SENDING campaign's recipients into messages and send jobs, FANOUT_BATCH at a time. Each
 * batch commits its messages, their jobs and the campaign's cursor together, so a fan-out that dies
 * resumes exactly where it stopped: no recipient is skipped, none gets two messages.
 */
export class CampaignFanOut {
  constructor(
    private readonly repository: CampaignRepository,
    private readonly suppressions: SuppressionService,
    private readonly content: CampaignContent,
    private readonly logger: Logger,
  ) {}

  async run(campaignId: string): Promise<void> {
    const started = Date.now();
    let total = 0;
    for (;;) {
      const queued = await this.repository.transaction((tx) => this.nextBatch(tx, campaignId));
      if (queued === null) break;
      total += queued;
      this.logger.info({ campaignId, queued: total }, 'campaign fan-out progress');
    }
    await this.content.completeIfDone(campaignId);
    this.logger.info({ campaignId, messages: total, ms: Date.now() - started }, 'campaign fan-out done');
  }

  /** One batch; null when there was nothing left (the fan-out is then marked complete). */
  private async nextBatch(tx: Transaction, campaignId: string): Promise<number | null> {
    const campaign = await this.repository.lockForFanOut(tx, campaignId);
    if (!campaign || campaign.status !== 'SENDING' || campaign.fanout_completed_at) return null;
    const recipients = await this.repository.recipientsAfter(
      tx,
      campaignId,
      campaign.fanout_cursor,
      FANOUT_BATCH,
    );
    if (recipients.length === 0) {
      await this.repository.markFanOutCompleted(tx, campaignId);
      return null;
    }
    const emails = recipients.map((r) => r.email);
    const suppressed = await this.suppressions.suppressedAmong(campaign.account_id, emails, tx);
    const sequences = await nextSequenceIds(tx, campaign.account_id, emails);
    const messages = recipients.map((r) => ({
      id: newId(),
      recipientId: r.id,
      email: r.email,
      sequenceId: sequences.get(r.email)!,
      subject: personalize(campaign.subject, recipientVariables(r), 'header'),
      status: suppressed.has(r.email.toLowerCase()) ? MessageStatus.SUPPRESSED : MessageStatus.QUEUED,
    }));
    await this.repository.insertMessages(tx, campaign, messages);
    const toSend = messages
      .filter((m) => m.status === MessageStatus.QUEUED)
      .map((m) => ({ id: m.id, campaignId }));
    await enqueueSends(tx, toSend);
    await this.repository.addSuppressed(tx, campaignId, messages.length - toSend.length);
    await this.repository.advanceFanOutCursor(tx, campaignId, recipients[recipients.length - 1].id);
    return messages.length;
  }
}
