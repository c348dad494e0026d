import type { TrackingLimits } from '../config.js';

/** What mailtrace needs to know of each kind of tracked event, kept in one place. */
export interface EventKindRules {
  /** Its name in rate-limit scopes, logs and metrics' labels. */
  label: string;
  /** The whole-service limit per minute it counts against; null: only per address and message. */
  limit: keyof Pick<TrackingLimits, 'opensPerMinute' | 'clicksPerMinute'> | null;
  /** The message and campaign_stats counters it feeds (human and machine apart where both exist). */
  counters: readonly string[];
  /** process_events judges it by the message's behaviour; otherwise it is stored finished. */
  judgedByBehaviour: boolean;
}

/**
 * The tracked event kinds. The GraphQL enum TrackingEventType is made from this list (and the
 * message outcomes webhooks can ask for, see tracking-event.type.ts). Adding a kind here, in a
 * migration (the type check on tracking_event), in the counter statements
 * (tracking/ingest/event.sql.ts), in the metrics type and in the dashboard is all it takes; a kind
 * that a counter statement does not name is counted by none, never as an open.
 */
export const EVENT_KINDS = {
  OPEN: {
    label: 'open',
    limit: 'opensPerMinute',
    counters: ['open_count', 'machine_open_count', 'opens', 'unique_opens', 'machine_opens'],
    judgedByBehaviour: false,
  },
  CLICK: {
    label: 'click',
    limit: 'clicksPerMinute',
    counters: ['click_count', 'machine_click_count', 'clicks', 'unique_clicks', 'machine_clicks'],
    judgedByBehaviour: true,
  },
  UNSUBSCRIBE: { label: 'unsubscribe', limit: null, counters: ['unsubscribes'], judgedByBehaviour: false },
} as const satisfies Record<string, EventKindRules>;

export type TrackingEventKind = keyof typeof EVENT_KINDS;

export const TRACKING_EVENT_KINDS = Object.keys(EVENT_KINDS) as TrackingEventKind[];
