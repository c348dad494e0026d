import { setTimeout as sleep } from 'node:timers/promises';
import type { Services } from '../services.js';
import type { DemoAccount } from './demo-account.js';
import {
  APPLE_PRIVACY_PROXY,
  FIRST_NAMES,
  LAST_NAMES,
  LINK_SCANNER,
  READERS,
  type Reader,
} from './demo-readers.js';

export interface DemoOptions {
  recipients: number;
  /** Over how long the simulated readers open and click, so that a dashboard watching fills up live. */
  seconds: number;
  /** Base URL of a mailtrace instance that trusts one proxy hop (the demo plays the proxy). */
  trackingBaseUrl: string;
  progress(line: string): void;
}

export interface DemoSummary {
  campaignId: string;
  sent: number;
  opens: number;
  clicks: number;
  unsubscribes: number;
  machineHits: number;
}

/** One request a reader's mail client (or a machine) makes, `at` ms after the readers start. */
interface Hit {
  at: number;
  kind: 'open' | 'click' | 'unsubscribe';
  messageId: string;
  reader: Reader;
  url?: string;
  machine: boolean;
}

const LINKS = [
  'https://example.com/winter-sale',
  'https://example.com/new-arrivals',
  'https://example.com/stores',
];

const HTML = `<!doctype html>
<html><body style="font-family: Arial, sans-serif; color: #222">
  <h1>Hello {{first_name|there}}, our winter sale starts today</h1>
  <p>Everything in store is up to 40% off until Sunday.</p>
  <p><a href="${LINKS[0]}">Shop the sale</a> · <a href="${LINKS[1]}">See what is new</a></p>
  <p>Prefer to try it on? <a href="${LINKS[2]}">Find a store near you</a>.</p>
</body></html>`;

/**
 * The demo: a campaign from the demo account's capture sender to `recipients` made-up people, sent
 * by the job workers, then their mail clients opening and clicking through the real tracking routes
 * from public addresses around the world, with the machines a real campaign meets (Apple's privacy
 * proxy, a link scanner) and one unsubscribe.
 */
export async function runDemoCampaign(
  services: Services,
  demo: DemoAccount,
  senderId: string,
  options: DemoOptions,
): Promise<DemoSummary> {
  const em = services.orm.em.fork();
  const name = `Winter sale (demo, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
  const campaign = await services.campaigns.create(em, demo.accountId, {
    name,
    senderId,
    subject: '{{first_name|Hello}}, our winter sale starts today',
    html: HTML,
    text: `Everything in store is up to 40% off until Sunday: ${LINKS[0]}`,
  });
  const added = await services.campaigns.addRecipients(
    demo.accountId,
    campaign.id,
    people(options.recipients),
  );
  if (added.errors.length > 0) throw new Error(`demo recipients rejected: ${added.errors[0].message}`);
  await services.campaigns.send(em, demo.accountId, campaign.id);
  options.progress(
    `campaign "${name}": sending to ${added.added} recipients through the capture SMTP server`,
  );

  const messages = await waitUntilSent(services, campaign.id, added.added, options.progress);
  const hits = schedule(messages, options.seconds * 1_000);
  options.progress(`readers open and click for the next ${options.seconds} s: watch the dashboard`);
  await play(services, hits, options);
  return {
    campaignId: campaign.id,
    sent: messages.length,
    opens: hits.filter((h) => h.kind === 'open' && !h.machine).length,
    clicks: hits.filter((h) => h.kind === 'click' && !h.machine).length,
    unsubscribes: hits.filter((h) => h.kind === 'unsubscribe').length,
    machineHits: hits.filter((h) => h.machine).length,
  };
}

function people(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const firstName = FIRST_NAMES[i % FIRST_NAMES.length];
    const lastName = LAST_NAMES[(i * 7) % LAST_NAMES.length];
    const handle = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
    return { email: `${handle}${i >= FIRST_NAMES.length ? i : ''}@example.com`, firstName, lastName };
  });
}

/** Polls until every message of the campaign is SENT; a failure (say, no capture server) stops the demo. */
async function waitUntilSent(
  services: Services,
  campaignId: string,
  expected: number,
  progress: (line: string) => void,
): Promise<string[]> {
  const deadline = Date.now() + 120_000;
  let lastLine = 0;
  for (;;) {
    const { rows } = await services.pool.query<{ id: string; status: string; error: string | null }>(
      'select id, status, error from message where campaign_id = $1 order by recipient',
      [campaignId],
    );
    const failed = rows.find((r) => r.status === 'FAILED');
    if (failed) throw new Error(`a demo email failed to send: ${failed.error ?? 'unknown error'}`);
    const sent = rows.filter((r) => r.status === 'SENT');
    if (sent.length === expected) return sent.map((r) => r.id);
    if (Date.now() > deadline)
      throw new Error(`only ${sent.length} of ${expected} demo emails were sent in 2 minutes`);
    if (Date.now() - lastLine > 2_000) {
      lastLine = Date.now();
      progress(`sent ${sent.length} of ${expected}`);
    }
    await sleep(250);
  }
}

/** A small seeded generator, so that every demo run tells the same story. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Who opens, clicks and unsubscribes when: about 3 in 4 open, 1 in 3 of them clicks, one unsubscribes. */
function schedule(messageIds: string[], durationMs: number): Hit[] {
  const random = seeded(20261201);
  const hits: Hit[] = [];
  let unsubscribed = false;
  for (const [i, messageId] of messageIds.entries()) {
    const reader = READERS[i % READERS.length];
    if (i % 5 === 0)
      hits.push({
        at: 300 + random() * 1_500,
        kind: 'open',
        messageId,
        reader: APPLE_PRIVACY_PROXY,
        machine: true,
      });
    if (i % 9 === 4) {
      // the gateway follows every link within a second of delivery (a burst, before any open), and
      // its recipient never reads the email
      for (const [n, url] of LINKS.entries())
        hits.push({ at: 500 + n * 150, kind: 'click', messageId, reader: LINK_SCANNER, url, machine: true });
      continue;
    }
    if (random() > 0.75) continue;
    // times scale with the duration; a click comes at least a second after its open, as a person's does
    const openAt = durationMs * (0.05 + 0.6 * random());
    hits.push({ at: openAt, kind: 'open', messageId, reader, machine: false });
    if (random() < 0.3)
      hits.push({
        at: openAt + durationMs * (0.1 + 0.2 * random()),
        kind: 'open',
        messageId,
        reader,
        machine: false,
      });
    if (random() < 0.35) {
      const url = LINKS[Math.floor(random() * LINKS.length)];
      const at = openAt + 1_000 + durationMs * 0.15 * random();
      hits.push({ at, kind: 'click', messageId, reader, url, machine: false });
    } else if (!unsubscribed && i > 5) {
      unsubscribed = true;
      hits.push({
        at: openAt + 1_000 + durationMs * 0.1,
        kind: 'unsubscribe',
        messageId,
        reader,
        machine: false,
      });
    }
  }
  return hits.sort((a, b) => a.at - b.at);
}

/** Makes each request at its time, as the reader's client would, through the proxy-trusting instance. */
async function play(services: Services, hits: Hit[], options: DemoOptions): Promise<void> {
  const start = Date.now();
  const inFlight: Promise<void>[] = [];
  const lastOfMessage = new Map<string, Promise<void>>();
  let done = 0;
  let lastLine = start;
  for (const hit of hits) {
    const wait = start + hit.at - Date.now();
    if (wait > 0) await sleep(wait);
    // a reader's requests go one after another, as a person clicks only once the email has shown:
    // on a busy machine a late open would otherwise land after its click (click-before-open)
    const previous = lastOfMessage.get(hit.messageId) ?? Promise.resolve();
    const made = previous.then(() => request(services, hit, options.trackingBaseUrl)).then(() => void done++);
    lastOfMessage.set(hit.messageId, made);
    inFlight.push(made);
    if (Date.now() - lastLine > 5_000) {
      lastLine = Date.now();
      options.progress(
        `${done} of ${hits.length} reader requests made (${Math.round((Date.now() - start) / 1000)} s)`,
      );
    }
  }
  await Promise.all(inFlight);
  options.progress(`${hits.length} of ${hits.length} reader requests made`);
}

async function request(services: Services, hit: Hit, baseUrl: string): Promise<void> {
  const links = services.urls.forMessage(hit.messageId);
  const publicUrl =
    hit.kind === 'open' ? links.pixel : hit.kind === 'click' ? links.click(hit.url!) : links.unsubscribe;
  const { pathname, search } = new URL(publicUrl);
  const response = await fetch(new URL(pathname + search, baseUrl), {
    method: hit.kind === 'unsubscribe' ? 'POST' : 'GET',
    // what a mail client's one-click unsubscribe (RFC 8058) sends
    body: hit.kind === 'unsubscribe' ? 'List-Unsubscribe=One-Click' : undefined,
    headers: {
      'User-Agent': hit.reader.userAgent,
      'X-Forwarded-For': hit.reader.ip,
      ...(hit.kind === 'unsubscribe' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
    },
    // a click answers with a redirect to the shop: the demo stays on this machine
    redirect: 'manual',
  });
  await response.arrayBuffer();
  if (response.status >= 400)
    throw new Error(`the tracking route answered ${response.status} to a demo ${hit.kind}`);
}
