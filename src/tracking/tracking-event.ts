import type { TrackingEventKind } from './event-kinds.js';

/** One hit on a tracking route, as the route saw it, before it is joined to its message and stored. */
export interface TrackingHit {
  id: string;
  messageId: string;
  type: TrackingEventKind;
  occurredAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  url: string | null;
  machine: boolean;
  machineReason: string | null;
}
