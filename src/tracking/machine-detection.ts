import type { TrackingEventKind } from './event-kinds.js';

/**
 * Is an open or a click a person, or a machine (a mail privacy proxy, a prefetcher, a security
 * scanner)? Every rule is here, in two stages:
 * - at the request, from what the request says: method, user agent, headers, address, honeypot;
 * - after it is stored (the process_events job), from behaviour across the message's events:
 *   bursts of clicks, clicks before any open.
 * A rule can make an event a machine, never a machine a person. Some human events keep a reason too
 * (`gmail_proxy`): the proxy fetched because a person opened the email.
 */
export type MachineReason =
  | 'honeypot'
  | 'head_request'
  | 'prefetch'
  | 'known_agent'
  | 'no_user_agent'
  | 'apple_mpp'
  | 'gmail_proxy'
  | 'yahoo_proxy'
  | 'scanner_burst'
  | 'click_before_open';

export interface Verdict {
  machine: boolean;
  reason: MachineReason | null;
}

export interface RequestSignals {
  type: 'OPEN' | 'CLICK';
  method: string;
  userAgent: string | null;
  ipAddress: string | null;
  /** The `Purpose`, `Sec-Purpose` or `X-Moz` request header. */
  purpose: string | null;
  honeypot: boolean;
}

const HUMAN: Verdict = { machine: false, reason: null };
const machine = (reason: MachineReason): Verdict => ({ machine: true, reason });

/** Agents that are never a person reading mail: crawlers, link unfurlers, HTTP libraries, headless browsers, mail security gateways. */
const KNOWN_AGENTS =
  /bot\b|crawler|spider|preview|facebookexternalhit|slack|whatsapp|telegram|discord|skypeuripreview|curl\/|wget\/|python-requests|python-urllib|aiohttp|go-http-client|okhttp|java\/|apache-httpclient|libwww-perl|node-fetch|undici|axios|headlesschrome|phantomjs|barracuda|mimecast|proofpoint|safelinks|symantec|trend ?micro|forcepoint|fireeye|sophos|zscaler|cisco|ironport|microsoft office existence discovery/i;

/** Apple's own network: Mail Privacy Protection fetches from here. */
function isApple(ip: string | null): boolean {
  return ip !== null && /^17\./.test(ip);
}

export function classifyRequest(signals: RequestSignals): Verdict {
  const agent = signals.userAgent?.trim() ?? '';
  if (signals.honeypot) return machine('honeypot');
  if (signals.method === 'HEAD') return machine('head_request');
  if (signals.purpose && /prefetch|preview/i.test(signals.purpose)) return machine('prefetch');
  if (!agent) return machine('no_user_agent');
  if (signals.type === 'OPEN') {
    // Gmail and Yahoo fetch images through their proxies when the person opens the email.
    if (/GoogleImageProxy/i.test(agent)) return { machine: false, reason: 'gmail_proxy' };
    if (/YahooMailProxy/i.test(agent)) return { machine: false, reason: 'yahoo_proxy' };
    // Apple Mail Privacy Protection preloads every image, opened or not, with a bare agent.
    if (agent === 'Mozilla/5.0' || isApple(signals.ipAddress)) return machine('apple_mpp');
  }
  if (KNOWN_AGENTS.test(agent)) return machine('known_agent');
  return HUMAN;
}

export interface StoredEvent {
  key: string;
  type: TrackingEventKind;
  occurredAt: Date;
  url: string | null;
  machine: boolean;
  machineReason: string | null;
}

/** Clicks this close together on one message are a scanner following every link. */
export const BURST_WINDOW_MS = 2_000;
export const BURST_CLICKS = 3;
/** Two different links of one message clicked within this are not a person. */
export const DISTINCT_LINKS_WINDOW_MS = 1_000;
/** A click with no open before it, this soon after sending, is a gateway scanning the delivery. */
export const CLICK_BEFORE_OPEN_WINDOW_MS = 120_000;

/**
 * Behaviour verdicts for the events of one message (in any order): which human events become
 * machines, and why. Returns only the changes.
 *
 * O(n log n) in the n events given (a sort, then two sliding windows over the clicks and the
 * earliest open), so a message's cost per click does not grow with its history. The caller needs
 * to give only what the rules can see: the clicks within BURST_WINDOW_MS of the clicks to judge,
 * and the message's first open (see EventProcessor).
 */
export function classifyBehaviour(events: readonly StoredEvent[], sentAt: Date | null): Map<string, Verdict> {
  const changes = new Map<string, Verdict>();
  const clicks = events
    .filter((e) => e.type === 'CLICK')
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const times = clicks.map((c) => c.occurredAt.getTime());
  const firstOpen = Math.min(
    ...events.filter((e) => e.type === 'OPEN').map((e) => e.occurredAt.getTime()),
    Infinity,
  );
  const burst = slidingWindow(times, BURST_WINDOW_MS);
  const links = slidingWindow(times, DISTINCT_LINKS_WINDOW_MS);
  /** Clicks per link inside the ±DISTINCT_LINKS_WINDOW_MS window around the current click. */
  const linkCounts = new Map<string | null, number>();
  const count = (url: string | null, by: number) => linkCounts.set(url, (linkCounts.get(url) ?? 0) + by);
  const mark = (event: StoredEvent, reason: MachineReason) => {
    if (!event.machine && !changes.has(event.key)) changes.set(event.key, machine(reason));
  };
  for (const [i, click] of clicks.entries()) {
    const t = times[i];
    const near = burst.around(i);
    links.around(
      i,
      (j) => count(clicks[j].url, 1),
      (j) => count(clicks[j].url, -1),
    );
    const inLinkWindow = links.size();
    const otherLinks = inLinkWindow - (linkCounts.get(click.url) ?? 0);
    if (near >= BURST_CLICKS || otherLinks > 0) {
      mark(click, 'scanner_burst');
      continue;
    }
    if (!(firstOpen <= t) && sentAt && t - sentAt.getTime() <= CLICK_BEFORE_OPEN_WINDOW_MS)
      mark(click, 'click_before_open');
  }
  return changes;
}

/**
 * The indexes of sorted `times` within ±width of times[i], for i = 0, 1, 2, ... in turn: both ends
 * only move forward, so a whole pass costs O(n). `enter` and `leave` hear of each index as it comes
 * into the window and goes out of it.
 */
function slidingWindow(times: number[], width: number) {
  let lo = 0;
  let hi = -1;
  return {
    around(i: number, enter?: (j: number) => void, leave?: (j: number) => void): number {
      // (increments outside the optional calls: `f?.(x++)` skips the x++ when f is missing)
      while (hi + 1 < times.length && times[hi + 1] <= times[i] + width) {
        hi++;
        enter?.(hi);
      }
      while (times[lo] < times[i] - width) {
        leave?.(lo);
        lo++;
      }
      return hi - lo + 1;
    },
    size: () => hi - lo + 1,
  };
}
