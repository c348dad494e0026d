import type { TrackingLimits } from '../../config.js';
import type { RateScope } from '../../rate-limits/shared-rate-limiter.js';
import { EVENT_KINDS } from '../event-kinds.js';
import type { TrackingHit } from '../tracking-event.js';

/** The scopes a hit counts against, each with its limit per minute: per kind, as event-kinds.ts says. */
export function trackingScopes(hit: TrackingHit, limits: TrackingLimits): RateScope[] {
  const { label, limit } = EVENT_KINDS[hit.type];
  return [
    ...(limit ? [[`${label}:all`, limits[limit]] as const] : []),
    [`${label}:ip:${hit.ipAddress ?? 'none'}`, limits.perIpPerMinute],
    [`${label}:msg:${hit.messageId}`, limits.perMessagePerMinute],
  ];
}
