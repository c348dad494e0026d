import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.js';
import { classifySmtpError } from '../mail/smtp-errors.js';
import type { SmtpTransports } from '../mail/smtp-transports.js';
import { Sender } from '../senders/sender.entity.js';
import type { SenderService } from '../senders/sender.service.js';
import type { TrackingUrls } from '../tracking/tracking-urls.js';
import { EmailMessage, MessageStatus } from './message.entity.js';
import { renderTrackedEmail } from './render.js';

export interface DeliveryAttempt {
  attempt: number;
  maxAttempts: number;
}

/** Thrown for a transient SMTP failure so that the job is retried with backoff. */
export class TransientDeliveryError extends Error {}

/**
 * Sends one queued message over SMTP and records the outcome. Claiming and recording are guarded
 * updates, so a retried or duplicated job never sends a message that is already SENT or FAILED.
 */
export class MessageDelivery {
  constructor(
    private readonly senders: SenderService,
    private readonly transports: SmtpTransports,
    private readonly urls: TrackingUrls,
    private readonly logger: Logger,
  ) {}

  async deliver(em: EntityManager, messageId: string, attempt: DeliveryAttempt): Promise<void> {
    if (!(await this.claim(em, messageId))) {
      this.logger.debug({ messageId }, 'message already final; nothing to send');
      return;
    }
    const message = await em.findOneOrFail(EmailMessage, messageId, { populate: ['body'] });
    const sender = await em.findOne(Sender, { id: message.senderId, accountId: message.accountId });
    if (!sender || sender.deletedAt) {
      await this.finish(em, messageId, MessageStatus.FAILED, {
        error: 'the sender was deleted before the message went out',
      });
      return;
    }
    const password = this.senders.password(sender);
    const rendered = renderTrackedEmail(message.body ?? '', message.isHtml, this.urls.openPixel(message.id));
    try {
      const info = await this.transports.get(sender, password).sendMail({
        from: { name: sender.name ?? '', address: sender.email },
        to: message.recipient,
        subject: message.subject,
        html: rendered.html,
        text: rendered.text ?? undefined,
        // Stable across retries, so a receiver that dedupes by Message-ID collapses a resend.
        messageId: `<${message.id}@${sender.email.split('@')[1]}>`,
      });
      await this.finish(em, messageId, MessageStatus.SENT, {
        smtpResponse: info.response,
        sentAt: new Date(),
      });
      this.logger.info({ messageId, accountId: message.accountId, attempt: attempt.attempt }, 'message sent');
    } catch (error) {
      const failure = classifySmtpError(error, [password]);
      const lastAttempt = attempt.attempt >= attempt.maxAttempts;
      if (failure.permanent || lastAttempt) {
        await this.finish(em, messageId, MessageStatus.FAILED, { error: failure.message });
        this.logger.warn({ messageId, attempt: attempt.attempt, error: failure.message }, 'message failed');
        return;
      }
      await this.finish(em, messageId, MessageStatus.QUEUED, { error: failure.message });
      throw new TransientDeliveryError(`transient SMTP failure, will retry: ${failure.message}`);
    }
  }

  /**
   * QUEUED -> SENDING. A message found in SENDING was held by a worker that died mid-send: it is
   * sent again (at least once), with the same Message-ID.
   */
  private async claim(em: EntityManager, messageId: string): Promise<boolean> {
    const claimed = await em.execute<{ id: string }[]>(
      `update message set status = 'SENDING', send_attempts = send_attempts + 1, updated_at = now()
       where id = ? and status in ('QUEUED', 'SENDING') returning id`,
      [messageId],
    );
    return claimed.length === 1;
  }

  /** SENDING -> outcome, only from SENDING; retried briefly because losing a SENT would resend. */
  private async finish(
    em: EntityManager,
    messageId: string,
    status: MessageStatus,
    fields: { error?: string; smtpResponse?: string; sentAt?: Date },
  ): Promise<void> {
    const changes = {
      status,
      error: fields.error ?? null,
      smtpResponse: fields.smtpResponse ?? null,
      updatedAt: new Date(),
      ...(fields.sentAt ? { sentAt: fields.sentAt } : {}),
    };
    const attempt = () =>
      em.nativeUpdate(EmailMessage, { id: messageId, status: MessageStatus.SENDING }, changes);
    for (let retry = 0; ; retry++) {
      try {
        await attempt();
        return;
      } catch (error) {
        if (retry >= 5) throw error;
        this.logger.warn({ err: error, messageId, retry }, 'could not record the send outcome; retrying');
        await new Promise((r) => setTimeout(r, 200 * 2 ** retry));
      }
    }
  }
}
