import { newId } from '../../db/ids.js';
import type { SuppressionService } from '../../suppressions/suppression.service.js';
import { SuppressionReason } from '../../suppressions/suppression.type.js';
import type { EventNotifier } from '../../live/event-notifier.js';
import { insertHits } from './event.sql.js';
import type { HitEnricher } from './hit-enricher.js';
import type { UnsubscribeRepository, UnsubscribeTargetRow } from './unsubscribe.repository.js';

export interface UnsubscribeTarget {
  recipient: string;
  senderName: string;
  unsubscribedAt: Date | null;
}

function toTarget(row: UnsubscribeTargetRow): UnsubscribeTarget {
  return {
    recipient: row.recipient,
    senderName: row.sender_name || row.sender_email,
    unsubscribedAt: row.unsubscribed_at,
  };
}

export interface UnsubscribeServiceDeps {
  unsubscribes: UnsubscribeRepository;
  suppressions: SuppressionService;
  notifier: EventNotifier;
  /** Places and names the event before its insert, as for every other hit. */
  enricher: HitEnricher;
}

/** Unsubscribing from a message's link: written at once (not buffered), because the person waits for the answer. */
export class UnsubscribeService {
  private readonly unsubscribes: UnsubscribeRepository;

  constructor(private readonly deps: UnsubscribeServiceDeps) {
    this.unsubscribes = deps.unsubscribes;
  }

  async describe(messageId: string): Promise<UnsubscribeTarget | null> {
    const row = await this.unsubscribes.target(messageId);
    return row ? toTarget(row) : null;
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
    const result = await this.unsubscribes.transaction(async (transaction) => {
      const row = await this.unsubscribes.lockTarget(transaction, messageId);
      if (!row) return null;
      const target = toTarget(row);
      if (target.unsubscribedAt) return { target, already: true, watched: [] };
      await this.unsubscribes.markUnsubscribed(transaction, messageId);
      const { watched } = await insertHits(transaction, [event], watchedAccounts);
      await this.deps.suppressions.suppress(
        row.account_id,
        target.recipient,
        SuppressionReason.UNSUBSCRIBED,
        null,
        transaction,
      );
      return { target: { ...target, unsubscribedAt: new Date() }, already: false, watched };
    });
    if (result?.watched.length) await this.deps.notifier.publish({ kind: 'new', keys: result.watched });
    if (result && !result.already) await this.unsubscribes.queueEventProcessing();
    return result && { target: result.target, already: result.already };
  }
}
