import type { EntityManager } from '@mikro-orm/postgresql';
import type { CampaignContent } from '../campaigns/campaign-content.js';
import type { Logger } from '../logger.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { classifySmtpError } from '../mail/smtp-errors.js';
import type { SmtpTransports } from '../mail/smtp-transports.js';
import { Sender } from '../senders/sender.entity.js';
import type { SenderService } from '../senders/sender.service.js';
import type { SuppressionService } from '../suppressions/suppression.service.js';
import { SuppressionReason } from '../suppressions/suppression.type.js';
import type { TrackingUrls } from '../tracking/tracking-urls.js';
import type { WebhookDispatch } from '../webhooks/webhook-dispatch.js';
import { EmailMessage, MessageStatus } from './message.entity.js';
import type { MessageRepository } from './message.repository.js';
import type { OutcomeRecorder } from './outcome-recorder.js';
import { type EmailContent, renderTrackedEmail } from './render.js';

/** SMTP attempts per message for transient failures (4xx, timeouts, refused connections). */
const SEND_MAX_ATTEMPTS = 6;

/** Backoff between attempts after a transient SMTP failure: 5 s, 15 s, 45 s, ... capped at 10 min, +-20%. */
export function retryDelayMs(attempt: number): number {
  const base = Math.min(5_000 * 3 ** Math.max(0, attempt - 1), 600_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

interface Claimed {
  message: EmailMessage;
  attempt: number;
}

/**
 * Sends queued messages over SMTP and records each outcome. Claiming (QUEUED -> SENDING) and
 * recording (SENDING -> outcome) are guarded updates, so a retried or duplicated job never sends
 * a message that is already SENT, FAILED or SUPPRESSED. One job may carry many messages: they share
 * the queries that load them and the sender's pooled SMTP connections.
 */
export interface MessageDeliveryDeps {
  /** Claims, quota and send jobs; the outcomes go through `outcomes`, batched. */
  messages: MessageRepository;
  outcomes: OutcomeRecorder;
  senders: SenderService;
  transports: SmtpTransports;
  urls: TrackingUrls;
  suppressions: SuppressionService;
  campaignContent: CampaignContent;
  webhooks: WebhookDispatch;
  metrics: ServiceMetrics;
  logger: Logger;
  /** Optional address for mailto: unsubscribes (UNSUBSCRIBE_MAILTO). */
  unsubscribeMailto: string | null;
}

/** What each outcome counts as in mailtrace_smtp_messages_total. */
const SMTP_OUTCOME: Partial<Record<MessageStatus, string>> = {
  [MessageStatus.SENT]: 'sent',
  [MessageStatus.FAILED]: 'failed',
  [MessageStatus.QUEUED]: 'retry',
};

export class MessageDelivery {
  constructor(private readonly deps: MessageDeliveryDeps) {}

  async deliver(em: EntityManager, messageIds: readonly string[]): Promise<void> {
    const pending = await em.find(
      EmailMessage,
      { id: { $in: [...messageIds] }, status: { $in: [MessageStatus.QUEUED, MessageStatus.SENDING] } },
      { orderBy: { id: 'asc' }, populate: ['body'] },
    );
    const bySender = Map.groupBy(pending, (m) => m.senderId);
    for (const [senderId, messages] of bySender) await this.deliverForSender(em, senderId, messages);
    const campaignIds = new Set(pending.flatMap((m) => (m.campaignId ? [m.campaignId] : [])));
    for (const campaignId of campaignIds) await this.deps.campaignContent.completeIfDone(campaignId);
  }

  private async deliverForSender(
    em: EntityManager,
    senderId: string,
    messages: EmailMessage[],
  ): Promise<void> {
    const sender = await em.findOne(Sender, { id: senderId, accountId: messages[0].accountId });
    if (!sender || sender.deletedAt) {
      await this.failAll(messages, 'the sender was deleted before the message went out');
      return;
    }
    const { granted, retryAt } = await this.takeQuota(sender, messages.length);
    if (granted < messages.length) {
      const deferred = messages.slice(granted);
      await this.deps.messages.queueSends(deferred, retryAt);
      this.deps.logger.info(
        { senderId, deferred: deferred.length, until: retryAt },
        'sender limit reached; deferring',
      );
    }
    // before claiming: a host that now leads inside fails the job while its messages stay QUEUED
    const password = this.deps.senders.password(sender);
    const transporter = await this.deps.transports.get(sender, password);
    const claimed = await this.claim(messages.slice(0, granted));
    if (claimed.length === 0) return;
    const contents = await this.deps.campaignContent.forMessages(claimed.map((c) => c.message));
    const retry: EmailMessage[] = [];
    let nextAttemptAt = Number.POSITIVE_INFINITY;

    await Promise.all(
      claimed.map(async ({ message, attempt }) => {
        const content = contents.get(message.id) ?? directContent(message);
        const links = this.deps.urls.forMessage(message.id);
        const rendered = renderTrackedEmail(content, links, (url) => this.deps.urls.isTrackingUrl(url));
        try {
          const info = await transporter.sendMail({
            from: { name: sender.name ?? '', address: sender.email },
            to: message.recipient,
            subject: message.subject,
            html: rendered.html,
            text: rendered.text ?? undefined,
            // Stable across retries, so a receiver that dedupes by Message-ID collapses a resend.
            messageId: `<${message.id}@${sender.email.split('@')[1]}>`,
            headers: this.listUnsubscribeHeaders(links.unsubscribe, message.id),
          });
          await this.finish(message.id, MessageStatus.SENT, {
            smtpResponse: info.response,
            sentAt: new Date(),
          });
        } catch (error) {
          const failure = classifySmtpError(error, [password]);
          if (failure.permanent || attempt >= SEND_MAX_ATTEMPTS) {
            await this.finish(message.id, MessageStatus.FAILED, { error: failure.message });
            if (failure.recipientRejected) {
              await this.deps.suppressions.suppress(
                message.accountId,
                message.recipient,
                SuppressionReason.HARD_BOUNCE,
                failure.message,
              );
            }
            // the reply may name the recipient: it is on the message, not in the logs
            this.deps.logger.warn(
              { messageId: message.id, attempt, permanent: failure.permanent },
              'message failed',
            );
            return;
          }
          await this.finish(message.id, MessageStatus.QUEUED, { error: failure.message });
          retry.push(message);
          nextAttemptAt = Math.min(nextAttemptAt, Date.now() + retryDelayMs(attempt));
        }
      }),
    );
    if (retry.length > 0) await this.deps.messages.queueSends(retry, new Date(nextAttemptAt));
    await this.deps.webhooks.forMessages(claimed.map((c) => c.message.id));
    this.deps.logger.debug(
      { senderId, sent: claimed.length - retry.length, retry: retry.length },
      'delivered batch',
    );
  }

  /** RFC 2369 and RFC 8058 one-click unsubscribe: mail clients show their own button and POST to us. */
  private listUnsubscribeHeaders(url: string, messageId: string): Record<string, string> {
    const targets = [`<${url}>`];
    if (this.deps.unsubscribeMailto) {
      targets.push(
        `<mailto:${this.deps.unsubscribeMailto}?subject=${encodeURIComponent(`unsubscribe ${messageId}`)}>`,
      );
    }
    return { 'List-Unsubscribe': targets.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  }

  /** Unlimited senders skip the round trip; limited ones share a count in PostgreSQL. */
  private async takeQuota(sender: Sender, wanted: number): Promise<{ granted: number; retryAt: Date }> {
    if (sender.maxPerMinute === null && sender.maxPerDay === null)
      return { granted: wanted, retryAt: new Date() };
    return this.deps.messages.takeSenderQuota(sender.id, wanted, sender.maxPerMinute, sender.maxPerDay);
  }

  /**
   * QUEUED -> SENDING. A message found in SENDING was held by a worker that died mid-send: it is
   * sent again (at least once), with the same Message-ID.
   */
  private async claim(messages: EmailMessage[]): Promise<Claimed[]> {
    if (messages.length === 0) return [];
    const rows = await this.deps.messages.claimForSending(messages.map((m) => m.id));
    const byId = new Map(messages.map((m) => [m.id, m]));
    return rows.map((r) => ({ message: byId.get(r.id)!, attempt: r.send_attempts }));
  }

  private async failAll(messages: EmailMessage[], error: string): Promise<void> {
    await this.deps.messages.failUnsent(
      messages.map((m) => m.id),
      error,
    );
  }

  /** SENDING -> outcome (see OutcomeRecorder). */
  private finish(
    messageId: string,
    status: MessageStatus,
    fields: { error?: string; smtpResponse?: string; sentAt?: Date },
  ) {
    const outcome = SMTP_OUTCOME[status];
    if (outcome) this.deps.metrics.smtpMessages.inc({ outcome });
    return this.deps.outcomes.record(messageId, status, fields);
  }
}

/** A sendEmail message carries its own body. */
function directContent(message: EmailMessage): EmailContent {
  const body = message.body ?? '';
  return message.isHtml ? { html: body, text: null } : { html: null, text: body };
}
