import type { Pool } from 'pg';
import type { TrackingLimits } from '../../config.js';
import type { EventNotifier } from '../../live/event-notifier.js';
import type { Logger } from '../../logger.js';
import type { ServiceMetrics } from '../../observability/metrics.js';
import type { WebhookDispatch } from '../../webhooks/webhook-dispatch.js';
import { enqueueEventProcessing } from '../../jobs/enqueue.js';
import { insertHits } from './event.sql.js';
import type { HitEnricher } from './hit-enricher.js';
import { SharedRateLimiter } from '../../rate-limits/shared-rate-limiter.js';
import { trackingScopes } from './rate-limits.js';
import type { TrackingHit } from '../tracking-event.js';

/** process_events is asked for at most this often per process; one job then takes every new event. */
const SCHEDULE_EVERY_MS = 1_000;

/**
 * What the event buffer writes with: the abuse limits, the insert, the news for live subscribers
 * (after the commit), and a nudge to the
 * process_events job (behaviour checks and, later, locations) that looks at new events in batches.
 */
export interface EventWriterDeps {
  pool: Pool;
  limits: TrackingLimits;
  enricher: HitEnricher;
  notifier: EventNotifier;
  webhooks: WebhookDispatch;
  metrics: ServiceMetrics;
  logger: Logger;
}

export class EventWriter {
  private limited = 0;
  private lastScheduled = 0;
  private trailing: NodeJS.Timeout | null = null;
  private readonly limiter: SharedRateLimiter<TrackingHit>;

  constructor(private readonly deps: EventWriterDeps) {
    const { pool, limits } = deps;
    this.limiter = new SharedRateLimiter(pool, (hit) => trackingScopes(hit, limits), limits.syncMs);
  }

  async write(hits: readonly TrackingHit[]): Promise<void> {
    const allowed = await this.limiter.filter(hits);
    const limited = hits.length - allowed.length;
    if (limited > 0) {
      const kept = new Set(allowed);
      countByKind(
        hits.filter((hit) => !kept.has(hit)),
        (kind, n) => this.deps.metrics.hitsRateLimited.inc({ kind }, n),
      );
      this.limited += limited;
      this.deps.logger.warn(
        { limited, total: this.limited },
        'tracking hits over the abuse limits were not recorded',
      );
    }
    if (allowed.length === 0) return;
    const enriched = await this.deps.enricher.enrich(allowed);
    const { watched, hooked } = await insertHits(
      this.deps.pool,
      enriched,
      await this.deps.notifier.watched(),
    );
    this.deps.metrics.eventBatches.inc({ stage: 'insert' });
    countByKind(allowed, (kind, n) => this.deps.metrics.hitsRecorded.inc({ kind }, n));
    if (watched.length > 0) await this.deps.notifier.publish({ kind: 'new', keys: watched });
    if (hooked.length > 0) {
      await this.deps.webhooks.forEvents(
        hooked.map(([id, occurredAt, accountId]) => ({ id, occurredAt: new Date(occurredAt), accountId })),
      );
    }
    await this.scheduleProcessing();
  }

  /** Hits answered but not recorded because of the limits, since this process started. */
  rateLimited(): number {
    return this.limited;
  }

  /** At most once a second, and always once more after the last batch (trailing edge). */
  private async scheduleProcessing(): Promise<void> {
    const wait = this.lastScheduled + SCHEDULE_EVERY_MS - Date.now();
    if (wait > 0) {
      this.trailing ??= setTimeout(() => {
        this.trailing = null;
        void this.scheduleProcessing();
      }, wait);
      return;
    }
    this.lastScheduled = Date.now();
    try {
      await enqueueEventProcessing(this.deps.pool);
    } catch (error) {
      // the events are stored; the next batch, or the crontab's minute, will ask again
      this.deps.logger.warn({ err: error }, 'could not schedule process_events');
    }
  }

  /** Stops the trailing timer (shutdown). */
  close(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = null;
  }
}

/** One counter step per kind in a batch: a labelled increment per hit costs a label lookup each. */
function countByKind(hits: readonly TrackingHit[], add: (kind: string, n: number) => void): void {
  const counts = new Map<string, number>();
  for (const hit of hits) counts.set(hit.type, (counts.get(hit.type) ?? 0) + 1);
  for (const [kind, n] of counts) add(kind, n);
}
