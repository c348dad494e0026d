import type { Pool } from 'pg';

const minuteOf = (time: number) => Math.floor(time / 60_000);

/** A scope an item counts against, its limit per minute, and how much the item weighs (1 if unsaid). */
export type RateScope = readonly [scope: string, limit: number, weight?: number];

/**
 * Per-minute limits over scopes (a client address, an API key, a message), counted in PostgreSQL
 * (tracking_rate, one row per scope and minute), so they hold across processes. To keep the hot path cheap, a process adds
 * its hits to those rows at most every `syncMs` (one statement for all scopes it saw) and, between
 * syncs, judges hits by the totals of its last sync plus its own hits since: several processes may
 * together let through up to one sync interval of traffic more than a limit. With syncMs 0 every
 * batch syncs, and the limits are exact. Every hit counts, recorded or not, so a flood stays
 * limited for the rest of its minute.
 */
export class SharedRateLimiter<T> {
  /** Totals per scope as of the last sync, and the minute they belong to. */
  private known = new Map<string, number>();
  private knownMinute = 0;
  /** This process's hits per scope since the last sync. */
  private unsynced = new Map<string, number>();
  private lastSync = 0;

  constructor(
    private readonly pool: Pool,
    private readonly scopesOf: (item: T) => RateScope[],
    private readonly syncMs: number,
  ) {}

  /** The items within every limit; the others are over one. */
  async filter(hits: readonly T[]): Promise<T[]> {
    const now = Date.now();
    if (minuteOf(now) !== this.knownMinute) {
      this.known.clear();
      this.unsynced.clear();
      this.knownMinute = minuteOf(now);
    }
    const seen = new Map<string, number>();
    const allowed = hits.filter((hit) => {
      let fits = true;
      for (const [scope, limit, weight = 1] of this.scopesOf(hit)) {
        const before =
          (this.known.get(scope) ?? 0) + (this.unsynced.get(scope) ?? 0) + (seen.get(scope) ?? 0);
        if (before + weight > limit) fits = false;
        seen.set(scope, (seen.get(scope) ?? 0) + weight);
      }
      return fits;
    });
    for (const [scope, n] of seen) this.unsynced.set(scope, (this.unsynced.get(scope) ?? 0) + n);
    if (now - this.lastSync >= this.syncMs) {
      await this.sync(now);
      // Exact mode: judge this very batch by the totals every process has written.
      if (this.syncMs === 0) return this.judgeAfterSync(hits, seen);
    }
    return allowed;
  }

  /** Adds this process's unsynced hits to the shared counts and takes the totals back. */
  private async sync(now: number): Promise<void> {
    const scopes = [...this.unsynced.keys()];
    const counts = scopes.map((s) => this.unsynced.get(s)!);
    this.unsynced.clear();
    this.lastSync = now;
    if (scopes.length === 0) return;
    const { rows } = await this.pool.query<{ scope: string; hits: number }>(
      `insert into tracking_rate as r (scope, window_start, hits)
       select scope, date_trunc('minute', now()), n from unnest($1::text[], $2::int[]) as t(scope, n)
       order by scope
       on conflict (scope) do update set
         hits = case when r.window_start = excluded.window_start then r.hits + excluded.hits else excluded.hits end,
         window_start = excluded.window_start
       returning scope, hits`,
      [scopes, counts],
    );
    for (const { scope, hits } of rows) this.known.set(scope, hits);
  }

  /** With fresh totals (this batch included): a scope lets through what was left before the batch. */
  private judgeAfterSync(hits: readonly T[], batchCounts: Map<string, number>): T[] {
    const room = new Map<string, number>();
    for (const [scope, n] of batchCounts) room.set(scope, (this.known.get(scope) ?? n) - n);
    return hits.filter((hit) => {
      let fits = true;
      for (const [scope, limit, weight = 1] of this.scopesOf(hit)) {
        const before = room.get(scope) ?? 0;
        if (before + weight > limit) fits = false;
        room.set(scope, before + weight);
      }
      return fits;
    });
  }
}
