import type { Logger } from '../../logger.js';
import type { TrackingHit } from '../tracking-event.js';

export interface EventBufferOptions {
  /** Hits held at most; past it new hits are dropped and counted (only while the database is down). */
  limit: number;
  /** Hits per insert statement. */
  batchSize: number;
  /** Counts each dropped hit (mailtrace_tracking_hits_dropped_total). */
  onDrop: () => void;
  logger: Logger;
}

export interface EventBufferStats {
  pending: number;
  written: number;
  dropped: number;
  failedFlushes: number;
}

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 10_000;

/**
 * Decouples the tracking routes from the database: a route adds a hit and answers at once; hits are
 * written in multi-row inserts, the next one starting as soon as the previous one ends (a timer would
 * cap throughput at low concurrency). When the database is down, hits wait here, up to `limit`,
 * and are written when it is back.
 */
export class EventBuffer {
  private pending: TrackingHit[] = [];
  /** Hits taken out for the write in progress: they still count against the bound. */
  private inFlight = 0;
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = RETRY_MIN_MS;
  private scheduled = false;
  private written = 0;
  private dropped = 0;
  private failedFlushes = 0;
  private lastDropLog = 0;

  constructor(
    private readonly write: (hits: TrackingHit[]) => Promise<unknown>,
    private readonly options: EventBufferOptions,
  ) {}

  /** Never throws and never waits: the caller answers its request regardless. */
  add(hit: TrackingHit): boolean {
    if (this.pending.length + this.inFlight >= this.options.limit) {
      this.dropped++;
      this.options.onDrop();
      this.logDrop();
      return false;
    }
    this.pending.push(hit);
    if (!this.scheduled && !this.flushing && !this.retryTimer) {
      // setImmediate lets the hits of one event-loop turn go out in the same insert
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.startFlush();
      });
    }
    return true;
  }

  stats(): EventBufferStats {
    return {
      pending: this.pending.length + this.inFlight,
      written: this.written,
      dropped: this.dropped,
      failedFlushes: this.failedFlushes,
    };
  }

  /** Writes everything pending (retrying through outages) until empty or the deadline passes. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.length > 0 || this.flushing) {
      if (Date.now() > deadline) return false;
      if (this.retryTimer) {
        clearTimeout(this.retryTimer);
        this.retryTimer = null;
      }
      this.startFlush();
      await this.flushing;
      if (this.pending.length > 0) await new Promise((r) => setTimeout(r, Math.min(RETRY_MIN_MS, timeoutMs)));
    }
    return true;
  }

  private startFlush(): void {
    if (this.flushing) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null;
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.batchSize);
      this.inFlight = batch.length;
      try {
        await this.write(batch);
        this.written += batch.length;
        this.retryDelay = RETRY_MIN_MS;
      } catch (error) {
        // Put the batch back in front; nothing is lost while there is room.
        this.pending.unshift(...batch);
        this.failedFlushes++;
        this.options.logger.warn(
          { err: error, pending: this.pending.length, retryInMs: this.retryDelay },
          'could not store tracking events; keeping them in memory and retrying',
        );
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.startFlush();
        }, this.retryDelay);
        this.retryTimer.unref();
        this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
        return;
      } finally {
        this.inFlight = 0;
      }
    }
  }

  private logDrop(): void {
    const now = Date.now();
    if (now - this.lastDropLog < 5_000) return;
    this.lastDropLog = now;
    this.options.logger.error(
      { dropped: this.dropped, limit: this.options.limit },
      'tracking event buffer is full: dropping events until the database is back',
    );
  }
}
