import type { Pool } from 'pg';
import { newId } from '../../db/ids.js';
import { withTransaction } from '../../db/transaction.js';
import type { SuppressionService } from '../../suppressions/suppression.service.js';
import { SuppressionReason } from '../../suppressions/suppression.type.js';
import type { EventNotifier } from '../../live/event-notifier.js';
import { insertHits } from './event.sql.js';
import type { HitEnricher } from './hit-enricher.js';
import { enqueueEventProcessing } from '../../jobs/enqueue.js';

export interface UnsubscribeTarget {
  recipient: string;
  senderName: string;
  unsubscribedAt: Date | null;
}

interface TargetRow {
  account_id: string;
  recipient: string;
  sender_name: string | null;
  sender_email: string;
  unsubscribed_at: Date | null;
}

const TARGET = `select m.account_id, m.recipient, m.unsubscribed_at, s.name as sender_name, s.email as sender_email
  from message m join sender s on s.id = m.sender_id where m.id = $1`;

function toTarget(row: TargetRow): UnsubscribeTarget {
  return {
    recipient: row.recipient,
    senderName: row.sender_name || row.sender_email,
    unsubscribedAt: row.unsubscribed_at,
  };
}

export interface UnsubscribeServiceDeps {
  pool: Pool;
  suppressions: SuppressionService;
  notifier: EventNotifier;
  /** Places and names the event before its insert, as for every other hit. */
  enricher: HitEnricher;
}

/** Unsubscribing from a message's link: written at once (not buffered), because the person waits for the answer. */
export class UnsubscribeService {
  private readonly pool: Pool;

  constructor(private readonly deps: UnsubscribeServiceDeps) {
    this.pool = deps.pool;
  }

  async describe(messageId: string): Promise<UnsubscribeTarget | null> {
    const { rows } = await this.pool.query<TargetRow>(TARGET, [messageId]);
    return rows[0] ? toTarget(rows[0]) : null;
  }

  /**
   * Idempotent: the first call sets unsubscribedAt, records one UNSUBSCRIBE event and suppresses
   * the address for the account; later calls change nothing. null when the message is gone.
   */
  async unsubscribe(
    messageId: string,
    request: { ipAddress: string | null; userAgent: string | null },
  ): Promise<{ target: UnsubscribeTarget; already: boolean } | null> {
    const watchedAccounts = await this.deps.notifier.watched();
    const [event] = await this.deps.enricher.enrich([
      {
        id: newId(),
        messageId,
        type: 'UNSUBSCRIBE',
        occurredAt: new Date(),
        ipAddress: request.ipAddress,
        userAgent: request.userAgent,
        url: null,
        machine: false,
        machineReason: null,
      },
    ]);
    const result = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<TargetRow>(`${TARGET} for update of m`, [messageId]);
      if (!rows[0]) return null;
      const target = toTarget(rows[0]);
      if (target.unsubscribedAt) return { target, already: true, watched: [] };
      await client.query(
        `with changed as (update message set unsubscribed_at = now(), updated_at = now() where id = $1 returning campaign_id)
         update campaign_stats s set unsubscribes = s.unsubscribes + 1
         from changed c where s.campaign_id = c.campaign_id and s.shard = 0`,
        [messageId],
      );
      const { watched } = await insertHits(client, [event], watchedAccounts);
      await this.deps.suppressions.suppress(
        rows[0].account_id,
        target.recipient,
        SuppressionReason.UNSUBSCRIBED,
        null,
        client,
      );
      return { target: { ...target, unsubscribedAt: new Date() }, already: false, watched };
    });
    if (result?.watched.length) await this.deps.notifier.publish({ kind: 'new', keys: result.watched });
    if (result && !result.already) await enqueueEventProcessing(this.pool);
    return result && { target: result.target, already: result.already };
  }
}
