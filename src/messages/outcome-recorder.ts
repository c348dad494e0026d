import type { Pool } from 'pg';
import type { Logger } from '../logger.js';
import type { MessageStatus } from './message.entity.js';

interface Outcome {
  messageId: string;
  status: MessageStatus;
  error: string | null;
  smtpResponse: string | null;
  sentAt: Date | null;
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
    private readonly pool: Pool,
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
        await this.write(batch);
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

  private async write(batch: Outcome[]): Promise<void> {
    await this.pool.query(
      `with outcome as (
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
           as o(id, status, error, smtp_response, sent_at)
         -- message rows in id order, as every counter writer takes them (tracking/ingest/event.sql.ts)
         order by id
       ), changed as (
         update message m set status = o.status, error = o.error, smtp_response = o.smtp_response,
           sent_at = coalesce(o.sent_at, m.sent_at), updated_at = now()
         from outcome o where m.id = o.id and m.status = 'SENDING'
         returning m.id, m.campaign_id, m.status
       ), per_shard as (
         select campaign_id, abs(hashtext(id::text)) % 8 as shard,
                count(*) filter (where status = 'SENT')::int as sent, count(*) filter (where status = 'FAILED')::int as failed
         from changed where campaign_id is not null group by 1, 2
       )
       update campaign_stats s set sent = s.sent + p.sent, failed = s.failed + p.failed
       from per_shard p where s.campaign_id = p.campaign_id and s.shard = p.shard`,
      [
        batch.map((o) => o.messageId),
        batch.map((o) => o.status),
        batch.map((o) => o.error),
        batch.map((o) => o.smtpResponse),
        batch.map((o) => o.sentAt),
      ],
    );
  }
}
