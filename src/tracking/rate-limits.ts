import type { TrackingLimits } from '../config.js';
import type { TrackingHit } from './tracking-event.js';

/** The scopes a hit counts against, each with its limit per minute. */
export function trackingScopes(hit: TrackingHit, limits: TrackingLimits): [string, number][] {
  const kind = hit.type === 'CLICK' ? 'click' : 'open';
  return [
    [`${kind}:all`, kind === 'click' ? limits.clicksPerMinute : limits.opensPerMinute],
    [`${kind}:ip:${hit.ipAddress ?? 'none'}`, limits.perIpPerMinute],
    [`${kind}:msg:${hit.messageId}`, limits.perMessagePerMinute],
  ];
}
