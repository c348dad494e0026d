import type { Pool, PoolClient } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { withTransaction } from '../../db/transaction.js';
import type { EventKey, EventNotifier } from '../../live/event-notifier.js';
import type { Logger } from '../../logger.js';
import type { ServiceMetrics } from '../../observability/metrics.js';
import type { WebhookDispatch } from '../../webhooks/webhook-dispatch.js';
import {
  advanceCursor,
  behaviourContext,
  type ClickFlip,
  deleteExpiredRateWindows,
  type EventCursor,
  flipClicks,
  type PendingEvent,
  pendingAfter,
  readCursor,
  tryLockProcessor,
  unlockProcessor,
} from './event-processing.sql.js';
import { BURST_WINDOW_MS, CLICK_BEFORE_OPEN_WINDOW_MS, classifyBehaviour } from '../machine-detection.js';

/**
 * Events per batch: the behaviour context (a burst window on each side of the batch's clicks) is
 * read once per batch, so bigger batches amortise it under a flood.
 */
const BATCH = 20_000;
/** How long a run waits before it asks again for the lock another run holds. */
const LOCK_RETRY_MS = 25;

export interface EventProcessorDeps {
  pool: Pool;
  notifier: EventNotifier;
  webhooks: WebhookDispatch;
  metrics: ServiceMetrics;
  logger: Logger;
}

/**
 * The process_events job's work. Events arrive finished (placed, named and judged by request at
 * insert); what is left needs a message's history: behaviour verdicts on clicks (bursts,
 * click-before-open, every link at once), which turn some human clicks into machine clicks,
 * counters included. Then the batch's webhooks and the live subscribers' updates go out. It reads
 * past a cursor (see event-processing.sql.ts), so no row is rewritten to say it was processed.
 * One processor runs at a time over every process (the process_events queue runs its jobs one
 * after another; an advisory lock guards the cursor from any other caller).
 */
export class EventProcessor {
  constructor(private readonly deps: EventProcessorDeps) {}

  /** Processes everything pending; returns how many events it looked at. */
  async run(): Promise<number> {
    const session = await this.lockedSession();
    let total = 0;
    try {
      try {
        let cursor = await readCursor(this.deps.pool);
        for (;;) {
          const pending = await pendingAfter(this.deps.pool, cursor, BATCH);
          if (pending.length === 0) break;
          cursor = await this.processBatch(pending);
          total += pending.length;
          if (pending.length < BATCH) break;
        }
      } finally {
        await unlockProcessor(session);
      }
    } finally {
      session.release();
    }
    await deleteExpiredRateWindows(this.deps.pool);
    if (total > 0) this.deps.logger.debug({ events: total }, 'processed tracking events');
    return total;
  }

  /**
   * A connection holding the processor lock. A caller that finds another run at work (a test, or
   * the demo, beside the job) waits for it without holding a connection in the meantime.
   */
  private async lockedSession(): Promise<PoolClient> {
    for (;;) {
      const session = await this.deps.pool.connect();
      let locked: boolean;
      try {
        locked = await tryLockProcessor(session);
      } catch (error) {
        session.release(true);
        throw error;
      }
      if (locked) return session;
      session.release();
      await sleep(LOCK_RETRY_MS);
    }
  }

  /** Verdicts, then webhooks and the cursor in one transaction (each event is delivered once); returns the new cursor. */
  private async processBatch(pending: PendingEvent[]): Promise<EventCursor> {
    await this.applyBehaviour(pending);
    const last = pending[pending.length - 1];
    const cursor = { insertedBy: last.inserted_by, eventId: last.id };
    await withTransaction(this.deps.pool, async (client) => {
      await this.deps.webhooks.forEvents(
        pending.map((p) => ({ id: p.id, occurredAt: p.occurred_at, accountId: p.account_id })),
        client,
      );
      await advanceCursor(client, cursor);
    });
    this.deps.metrics.eventBatches.inc({ stage: 'process' });
    await this.announce(pending);
    return cursor;
  }

  /** Live subscribers of these accounts get the events again, now with their final verdict. */
  private async announce(processed: PendingEvent[]): Promise<void> {
    const watched = new Set(await this.deps.notifier.watched());
    const keys = processed
      .filter((p) => watched.has(p.account_id))
      .map((p): EventKey => [p.id, p.occurred_at.toISOString(), p.account_id, p.campaign_id, p.type]);
    if (keys.length > 0) await this.deps.notifier.publish({ kind: 'updated', keys });
  }

  /**
   * Judges the batch's clicks by their messages' behaviour and flips the machines among them. The
   * rules see only clicks within BURST_WINDOW_MS of a click and whether the message was opened by
   * then, so the context is bounded: the clicks of the clicked messages within one window of the
   * batch's clicks (every click this batch can change), one window further where a person's click
   * at that edge needs its own neighbours to be judged (a machine cannot change), and each
   * message's first open within CLICK_BEFORE_OPEN_WINDOW_MS of its send. Missing context can only
   * leave a click human, never make one a machine. None of this grows with how many events a
   * message already has, and classifyBehaviour is O(n log n) in that context: the cost per click
   * is bounded by the clicks around it, not by the message's history.
   */
  private async applyBehaviour(pending: PendingEvent[]): Promise<void> {
    const clicks = pending.filter((p) => p.type === 'CLICK');
    if (clicks.length === 0) return;
    const times = clicks.map((p) => p.occurred_at.getTime());
    const context = await behaviourContext(this.deps.pool, {
      messageIds: [...new Set(clicks.map((p) => p.message_id))],
      // (a loop, not Math.min(...times): a batch has more clicks than a call takes arguments)
      from: new Date(times.reduce((a, b) => Math.min(a, b))),
      to: new Date(times.reduce((a, b) => Math.max(a, b))),
      reachMs: BURST_WINDOW_MS,
      openWindowSeconds: CLICK_BEFORE_OPEN_WINDOW_MS / 1000,
    });
    const flips: ClickFlip[] = [];
    for (const [messageId, events] of Map.groupBy(context, (e) => e.message_id)) {
      const verdicts = classifyBehaviour(
        events.map((e) => ({
          key: e.id,
          type: e.type,
          occurredAt: e.occurred_at,
          url: e.url,
          machine: e.machine,
          machineReason: e.machine_reason,
        })),
        events[0].sent_at,
      );
      for (const e of events) {
        const reason = verdicts.get(e.id)?.reason;
        if (reason) flips.push({ messageId, occurredAt: e.occurred_at, id: e.id, reason });
      }
    }
    await flipClicks(this.deps.pool, flips);
  }
}
