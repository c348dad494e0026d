import type { Logger } from '../logger.js';
import type { MessageStatus } from './message.entity.js';
import type { MessageRepository, SendOutcome } from './message.repository.js';

interface Outcome extends SendOutcome {
  done: (error?: unknown) => void;
}

/** Outcomes that arrive within this window are recorded together. */
const GATHER_MS = 5;

/**
 * Records send outcomes (SENDING -> SENT, FAILED or back to QUEUED) a few milliseconds after the
 * SMTP reply, many in one statement, with the campaign counters in the same statement. Each
 * caller waits for its own commit, so nothing is acknowledged before it is recorded; gathering
 * for 5 ms is what keeps 10 workers from queueing one UPDATE per message. Only from SENDING, so
 * a late or repeated outcome changes nothing; retried briefly, because losing a SENT means a resend.
 */
export class OutcomeRecorder {
  private queued: Outcome[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repository: MessageRepository,
    private readonly logger: Logger,
  ) {}

  record(
    messageId: string,
    status: MessageStatus,
    fields: { error?: string; smtpResponse?: string; sentAt?: Date },
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({
        messageId,
        status,
        error: fields.error ?? null,
        smtpResponse: fields.smtpResponse ?? null,
        sentAt: fields.sentAt ?? null,
        done: (error) => (error ? reject(error) : resolve()),
      });
      this.timer ??= setTimeout(() => void this.flush(), GATHER_MS);
    });
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const batch = this.queued;
    this.queued = [];
    for (let retry = 0; ; retry++) {
      try {
        await this.repository.recordOutcomes(batch);
        for (const outcome of batch) outcome.done();
        return;
      } catch (error) {
        if (retry >= 5) {
          for (const outcome of batch) outcome.done(error);
          return;
        }
        this.logger.warn(
          { err: error, outcomes: batch.length, retry },
          'could not record send outcomes; retrying',
        );
        await new Promise((r) => setTimeout(r, 200 * 2 ** retry));
      }
    }
  }
}
