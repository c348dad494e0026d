import type { Pool } from 'pg';
import type { TrackingLimits } from '../config.js';
import type { TrackingHit } from './tracking-event.js';

/** The scopes a hit counts against, each with its limit per minute. */
function scopesOf(hit: TrackingHit, limits: TrackingLimits): [string, number][] {
  const kind = hit.type === 'CLICK' ? 'click' : 'open';
  return [
    [`${kind}:all`, kind === 'click' ? limits.clicksPerMinute : limits.opensPerMinute],
    [`${kind}:ip:${hit.ipAddress ?? 'none'}`, limits.perIpPerMinute],
    [`${kind}:msg:${hit.messageId}`, limits.perMessagePerMinute],
  ];
}

/**
 * The abuse limits of the tracking routes, kept in PostgreSQL so that they hold across processes:
 * one statement per batch adds the batch's hits to each scope's count for the current minute and
 * returns the totals; a hit is kept only while every scope it counts against is under its limit.
 * Every hit counts, recorded or not, so a flood stays limited for the rest of its minute.
 */
export async function withinLimits(
  pool: Pool,
  hits: readonly TrackingHit[],
  limits: TrackingLimits,
): Promise<{ allowed: TrackingHit[]; limited: number }> {
  const perScope = new Map<string, { limit: number; count: number }>();
  for (const hit of hits) {
    for (const [scope, limit] of scopesOf(hit, limits)) {
      const entry = perScope.get(scope) ?? { limit, count: 0 };
      entry.count++;
      perScope.set(scope, entry);
    }
  }
  const scopes = [...perScope.keys()];
  const { rows } = await pool.query<{ scope: string; hits: number }>(
    `insert into tracking_rate as r (scope, window_start, hits)
     select scope, date_trunc('minute', now()), n from unnest($1::text[], $2::int[]) as t(scope, n)
     order by scope
     on conflict (scope) do update set
       hits = case when r.window_start = excluded.window_start then r.hits + excluded.hits else excluded.hits end,
       window_start = excluded.window_start
     returning scope, hits`,
    [scopes, scopes.map((s) => perScope.get(s)!.count)],
  );
  // How many of this batch's hits each scope still lets through.
  const room = new Map<string, number>();
  for (const { scope, hits: total } of rows) {
    const { limit, count } = perScope.get(scope)!;
    room.set(scope, Math.max(0, Math.min(count, limit - (total - count))));
  }
  const allowed: TrackingHit[] = [];
  for (const hit of hits) {
    const scopesOfHit = scopesOf(hit, limits).map(([scope]) => scope);
    const fits = scopesOfHit.every((scope) => (room.get(scope) ?? 0) > 0);
    for (const scope of scopesOfHit) room.set(scope, (room.get(scope) ?? 0) - 1);
    if (fits) allowed.push(hit);
  }
  return { allowed, limited: hits.length - allowed.length };
}
