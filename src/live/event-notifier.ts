import type { Pool } from 'pg';
import type { Logger } from '../logger.js';
import { watchedAccounts } from './subscription-presence.sql.js';

/** A new or updated event, as live subscribers are told of it: [id, occurredAt, accountId, campaignId, type]. */
export type EventKey = [string, string, string, string | null, string];

export const EVENTS_CHANNEL = 'mailtrace_events';
/** NOTIFY payloads must stay under 8,000 bytes; a key is about 110. */
const KEYS_PER_NOTIFICATION = 60;
const WATCHED_REFRESH_MS = 2_000;

export interface EventNotification {
  /** new: just stored; updated: location, client or machine verdict now known. */
  kind: 'new' | 'updated';
  keys: EventKey[];
}

/**
 * The publishing half of live subscriptions, usable from any process (tracking routes, workers):
 * tells every API process, through PostgreSQL NOTIFY after the events committed, which events of
 * watched accounts are new or changed. Only ids travel; subscribers load what they need. Accounts
 * nobody watches cost nothing: the list of watched accounts is read at most every two seconds.
 */
export class EventNotifier {
  private watchedAccounts: string[] = [];
  private watchedAt = 0;
  private refreshing: Promise<void> | null = null;
  /** Bumped by invalidate(): a refresh that started before it may have read the old list. */
  private generation = 0;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  /** The accounts with a live subscriber somewhere, as of at most two seconds ago. */
  async watched(): Promise<string[]> {
    if (Date.now() - this.watchedAt > WATCHED_REFRESH_MS) {
      if (!this.refreshing) {
        const refreshing = this.refresh().finally(() => {
          if (this.refreshing === refreshing) this.refreshing = null;
        });
        this.refreshing = refreshing;
      }
      await this.refreshing;
    }
    return this.watchedAccounts;
  }

  /** Forgets the cached list (a subscriber just arrived in this process), a refresh under way too. */
  invalidate(): void {
    this.watchedAt = 0;
    this.generation++;
    this.refreshing = null;
  }

  async publish(notification: EventNotification): Promise<void> {
    for (let i = 0; i < notification.keys.length; i += KEYS_PER_NOTIFICATION) {
      const payload = JSON.stringify({
        kind: notification.kind,
        keys: notification.keys.slice(i, i + KEYS_PER_NOTIFICATION),
      });
      try {
        await this.pool.query('select pg_notify($1, $2)', [EVENTS_CHANNEL, payload]);
      } catch (error) {
        // live delivery is best effort: the events are stored, and the API still serves them
        this.logger.warn({ err: error }, 'could not notify live subscribers');
      }
    }
  }

  private async refresh(): Promise<void> {
    const generation = this.generation;
    try {
      this.watchedAccounts = await watchedAccounts(this.pool);
      // read before an invalidate(): no fresher than before, so not trusted for two seconds
      if (generation === this.generation) this.watchedAt = Date.now();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the watched accounts');
    }
  }
}
