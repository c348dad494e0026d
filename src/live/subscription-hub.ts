import { hostname } from 'node:os';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { EventRepository } from '../tracking/event.repository.js';
import type { EventKey } from './event-notifier.js';
import type { TrackingEvent, TrackingEventType } from '../tracking/tracking-event.type.js';
import { EVENTS_CHANNEL, type EventNotification, type EventNotifier } from './event-notifier.js';
import { clearPresence, setPresence } from './subscription-presence.sql.js';

/** Events held for a subscriber that does not read; past it the oldest are dropped (and counted). */
export const QUEUE_LIMIT = 1_000;
const PRESENCE_EVERY_MS = 10_000;
const PRESENCE_TTL_S = 30;

export interface SubscriptionFilter {
  accountId: string;
  campaignId: string | null;
  types: TrackingEventType[] | null;
}

/** One subscriber's stream: an async iterator over a bounded queue. */
export class EventStream implements AsyncIterableIterator<TrackingEvent> {
  private queue: TrackingEvent[] = [];
  private waiting: ((result: IteratorResult<TrackingEvent>) => void) | null = null;
  private ended = false;
  dropped = 0;

  get closed(): boolean {
    return this.ended;
  }

  constructor(
    readonly filter: SubscriptionFilter,
    private readonly onClose: (stream: EventStream) => void,
  ) {}

  matches(event: TrackingEvent): boolean {
    return (
      (this.filter.campaignId === null || event.campaignId === this.filter.campaignId) &&
      (this.filter.types === null || this.filter.types.includes(event.type))
    );
  }

  push(event: TrackingEvent): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: event, done: false });
      return;
    }
    if (this.queue.length >= QUEUE_LIMIT) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(event);
  }

  next(): Promise<IteratorResult<TrackingEvent>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<TrackingEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
    this.onClose(this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * The receiving half of live subscriptions, one per API process: a single LISTEN connection;
 * for each notification, the events of accounts with subscribers here are loaded once (one query
 * per account) and handed to every matching subscriber. A slow subscriber only fills its own
 * bounded queue; nothing waits for it.
 */
export class SubscriptionHub {
  private readonly streams = new Set<EventStream>();
  /** Streams being announced, not counted yet: every announce includes their accounts. */
  private readonly arriving = new Set<EventStream>();
  /** Announces run one after another, each writing the set as it is when it runs. */
  private announcing: Promise<void> = Promise.resolve();
  private listener: pg.Client | null = null;
  private presenceTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly processId = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly databaseUrl: string,
    private readonly pool: pg.Pool,
    private readonly events: EventRepository,
    private readonly notifier: EventNotifier,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.listen();
    this.presenceTimer = setInterval(() => void this.announce(), PRESENCE_EVERY_MS);
    this.presenceTimer.unref();
  }

  /**
   * Announced, and this process's cache of watched accounts dropped, before the stream counts: once
   * subscriberCount() includes it, a hit recorded here is published to it. (Publishers in other
   * processes learn of it within their cache's two seconds.)
   */
  async subscribe(filter: SubscriptionFilter): Promise<AsyncIterableIterator<TrackingEvent>> {
    const stream = new EventStream(filter, (closed) => {
      this.streams.delete(closed);
      // the account may have no stream here any more: publishers stop notifying for it
      if (!this.stopped) void this.announce();
    });
    this.arriving.add(stream);
    try {
      await this.announce();
    } finally {
      this.arriving.delete(stream);
    }
    this.notifier.invalidate();
    // the client may have gone while the announce ran
    if (!stream.closed) this.streams.add(stream);
    return stream;
  }

  subscriberCount(): number {
    return this.streams.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    for (const stream of [...this.streams]) stream.close();
    await clearPresence(this.pool, this.processId).catch(() => {});
    await this.listener?.end().catch(() => {});
  }

  /** Tells publishers which accounts this process watches (a row per account, renewed before it expires). */
  private announce(): Promise<void> {
    this.announcing = this.announcing.then(() => this.writePresence());
    return this.announcing;
  }

  private async writePresence(): Promise<void> {
    const accounts = [...new Set([...this.streams, ...this.arriving].map((s) => s.filter.accountId))];
    try {
      await setPresence(this.pool, this.processId, accounts, PRESENCE_TTL_S);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not announce live subscriptions');
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      if (message.channel === EVENTS_CHANNEL && message.payload) void this.deliver(message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'live subscription connection lost; reconnecting');
      this.listener = null;
      client.end().catch(() => {});
      this.reconnect(1_000);
    });
    await client.connect();
    await client.query(`listen ${EVENTS_CHANNEL}`);
    this.listener = client;
  }

  private reconnect(delayMs: number): void {
    if (this.stopped) return;
    setTimeout(() => {
      this.listen().catch(() => this.reconnect(Math.min(delayMs * 2, 30_000)));
    }, delayMs).unref();
  }

  private async deliver(payload: string): Promise<void> {
    let notification: EventNotification;
    try {
      notification = JSON.parse(payload) as EventNotification;
    } catch {
      return;
    }
    const watchedHere = new Set([...this.streams].map((s) => s.filter.accountId));
    const byAccount = Map.groupBy(
      notification.keys.filter((key) => watchedHere.has(key[2])),
      (key: EventKey) => key[2],
    );
    for (const [accountId, keys] of byAccount) {
      try {
        const events = await this.events.byKeys(
          accountId,
          keys.map(([id, occurredAt]) => ({ id, occurredAt: new Date(occurredAt) })),
        );
        for (const stream of this.streams) {
          if (stream.filter.accountId !== accountId) continue;
          for (const event of events) if (stream.matches(event)) stream.push(event);
        }
      } catch (error) {
        this.logger.warn({ err: error, accountId }, 'could not load events for live subscribers');
      }
    }
  }
}
