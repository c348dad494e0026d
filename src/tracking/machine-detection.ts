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
  type: 'OPEN' | 'CLICK' | 'UNSUBSCRIBE';
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
 * Behaviour verdicts for the events of one message (all of them, in any order): which human events
 * become machines, and why. Returns only the changes.
 */
export function classifyBehaviour(events: readonly StoredEvent[], sentAt: Date | null): Map<string, Verdict> {
  const changes = new Map<string, Verdict>();
  const sorted = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const clicks = sorted.filter((e) => e.type === 'CLICK');
  const mark = (event: StoredEvent, reason: MachineReason) => {
    if (!event.machine && !changes.has(event.key)) changes.set(event.key, machine(reason));
  };
  for (const [i, click] of clicks.entries()) {
    const t = click.occurredAt.getTime();
    const near = clicks.filter((other) => Math.abs(other.occurredAt.getTime() - t) <= BURST_WINDOW_MS);
    const otherLinks = clicks.filter(
      (other, j) =>
        j !== i &&
        other.url !== click.url &&
        Math.abs(other.occurredAt.getTime() - t) <= DISTINCT_LINKS_WINDOW_MS,
    );
    if (near.length >= BURST_CLICKS || otherLinks.length > 0) {
      mark(click, 'scanner_burst');
      continue;
    }
    const openedBefore = sorted.some((e) => e.type === 'OPEN' && e.occurredAt.getTime() <= t);
    if (!openedBefore && sentAt && t - sentAt.getTime() <= CLICK_BEFORE_OPEN_WINDOW_MS)
      mark(click, 'click_before_open');
  }
  return changes;
}
