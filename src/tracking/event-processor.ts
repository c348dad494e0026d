import type { ServiceMetrics } from '../observability/metrics.js';
import type { Pool, PoolClient } from 'pg';
import type { GeoIp, GeoLocation } from '../../geo/geoip.js';
import type { TrackingPrivacy } from '../config.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { withTransaction } from '../db/transaction.js';
import type { EventNotifier } from '../live/event-notifier.js';
import type { Logger } from '../logger.js';
import type { WebhookDispatch } from '../webhooks/webhook-dispatch.js';
import type { EventKey } from './event.sql.js';
import {
  BURST_WINDOW_MS,
  CLICK_BEFORE_OPEN_WINDOW_MS,
  classifyBehaviour,
  type StoredEvent,
  type Verdict,
} from './machine-detection.js';
import { parseUserAgent } from './user-agent.js';

const BATCH = 1_000;
const NOT_RESOLVED = { client: null, device: null };
/** How often, and how long apart, a run retries events whose message an insert held. */
const HELD_BACK_RETRIES = 50;
const HELD_BACK_PAUSE_MS = 20;

interface PendingRow {
  id: string;
  occurred_at: Date;
  message_id: string;
  account_id: string;
  campaign_id: string | null;
  type: StoredEvent['type'];
  ip_address: string | null;
  user_agent: string | null;
  /** Located and named by the process that stored it (HitEnricher): nothing to resolve again. */
  placed: boolean;
}

interface ContextRow extends Omit<
  PendingRow,
  'ip_address' | 'user_agent' | 'account_id' | 'campaign_id' | 'placed'
> {
  url: string | null;
  machine: boolean;
  machine_reason: string | null;
  sent_at: Date | null;
}

/**
 * The process_events job's work: takes new events in batches (oldest first; events stored while
 * no worker ran are simply still there), resolves their location from the local GeoIP database
 * and their client from the user agent, judges clicks by their message's behaviour (turning the
 * machines among them into machine events, counters included), drops the raw address and agent in
 * strict privacy mode, and marks the batch processed.
 */
export interface EventProcessorDeps {
  pool: Pool;
  /** Opened on first use: API-only processes never load the database files. */
  geo: () => Promise<GeoIp>;
  privacy: TrackingPrivacy;
  notifier: EventNotifier;
  webhooks: WebhookDispatch;
  metrics: ServiceMetrics;
  logger: Logger;
}

export class EventProcessor {
  constructor(private readonly deps: EventProcessorDeps) {}

  /** Processes everything pending; returns how many events it looked at. */
  async run(): Promise<number> {
    let total = 0;
    for (let heldBackRuns = 0; ;) {
      const { processed, heldBack } = await withTransaction(this.deps.pool, (client) =>
        this.processBatch(client),
      );
      if (processed.length > 0) this.deps.metrics.eventBatches.inc({ stage: 'process' });
      total += processed.length;
      await this.announce(processed);
      await this.deps.webhooks.forEvents(
        processed.map((p) => ({ id: p.id, occurredAt: p.occurred_at, accountId: p.account_id })),
      );
      // events of messages an insert held at that moment wait for the next batch, milliseconds away
      if (heldBack > 0 && heldBackRuns++ < HELD_BACK_RETRIES) {
        await sleep(HELD_BACK_PAUSE_MS);
        continue;
      }
      if (processed.length + heldBack < BATCH) break;
    }
    await this.deps.pool.query(
      `delete from tracking_rate where window_start < now() - interval '10 minutes'`,
    );
    if (total > 0) this.deps.logger.debug({ events: total }, 'processed tracking events');
    return total;
  }

  /** Live subscribers of these accounts get the events again, now with location and verdict. */
  private async announce(processed: PendingRow[]): Promise<void> {
    if (processed.length === 0) return;
    const watched = new Set(await this.deps.notifier.watched());
    const keys = processed
      .filter((p) => watched.has(p.account_id))
      .map((p): EventKey => [p.id, p.occurred_at.toISOString(), p.account_id, p.campaign_id, p.type]);
    if (keys.length > 0) await this.deps.notifier.publish({ kind: 'updated', keys });
  }

  /** One batch: the events it finished, and how many it left for later (their message was busy). */
  private async processBatch(client: PoolClient): Promise<{ processed: PendingRow[]; heldBack: number }> {
    const { rows: pending } = await client.query<PendingRow>(
      `select id, occurred_at, message_id, account_id, campaign_id, type, host(ip_address) as ip_address, user_agent,
              client is not null or country is not null as placed
       from tracking_event
       where processed_at is null order by occurred_at limit $1 for update skip locked`,
      [BATCH],
    );
    if (pending.length === 0) return { processed: [], heldBack: 0 };
    const flips = await this.behaviourFlips(client, pending);
    const busy = flips.length > 0 ? await applyFlips(client, flips) : new Set<string>();
    const processed = pending.filter((p) => !busy.has(p.message_id));
    await this.markProcessed(client, processed, await machineEvents(client, processed));
    return { processed, heldBack: pending.length - processed.length };
  }

  /** Location and client for each event, in one statement; strict mode keeps no address, agent or city. */
  private async markProcessed(
    client: PoolClient,
    pending: PendingRow[],
    machines: Set<string>,
  ): Promise<void> {
    // only what the insert did not resolve (unsubscribes, rows stored before it did); the rest
    // keeps its values (the update below coalesces), and no agent is parsed twice
    const geo = pending.some((p) => !p.placed && p.ip_address) ? await this.deps.geo() : null;
    const strict = this.deps.privacy === 'strict';
    const locations = pending.map((p): GeoLocation | null =>
      !p.placed ? (geo?.lookup(p.ip_address) ?? null) : null,
    );
    const clients = pending.map((p) => (!p.placed ? parseUserAgent(p.user_agent) : NOT_RESOLVED));
    await countCountries(client, pending, locations, machines);
    await client.query(
      // what the insert already resolved stays (strict privacy stores no address to resolve again)
      `update tracking_event e set processed_at = now(), country = coalesce(e.country, p.country),
         region = coalesce(e.region, p.region), city = coalesce(e.city, p.city),
         latitude = coalesce(e.latitude, p.latitude), longitude = coalesce(e.longitude, p.longitude),
         client = coalesce(e.client, p.client), device = coalesce(e.device, p.device),
         ip_address = case when $10 then null else e.ip_address end,
         user_agent = case when $10 then null else e.user_agent end
       from unnest($1::timestamptz[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[],
                   $8::text[], $9::text[])
         as p(occurred_at, id, country, region, city, latitude, longitude, client, device)
       where e.occurred_at = p.occurred_at and e.id = p.id`,
      [
        pending.map((p) => p.occurred_at),
        pending.map((p) => p.id),
        locations.map((l) => l?.country ?? null),
        locations.map((l) => l?.region ?? null),
        locations.map((l) => (strict ? null : (l?.city ?? null))),
        locations.map((l) => (strict ? null : (l?.latitude ?? null))),
        locations.map((l) => (strict ? null : (l?.longitude ?? null))),
        clients.map((c) => c.client),
        clients.map((c) => c.device),
        strict,
      ],
    );
  }

  /**
   * Clicks that behaviour shows to be machines, among the clicks near this batch's. The rules see
   * only clicks within BURST_WINDOW_MS of a click and whether the message was opened by then, so
   * the context is bounded: the clicks of the clicked messages within two windows of the batch's
   * clicks (enough to judge every click one window away exactly; clicks farther out gain no new
   * neighbours from this batch), and each message's first open within CLICK_BEFORE_OPEN_WINDOW_MS
   * of its send (the only opens the rule asks about). Index tracking_event_message serves both, and
   * neither grows with how many events a message already has.
   */
  private async behaviourFlips(
    client: PoolClient,
    pending: PendingRow[],
  ): Promise<{ row: ContextRow; verdict: Verdict }[]> {
    const clicks = pending.filter((p) => p.type === 'CLICK');
    const clicked = [...new Set(clicks.map((p) => p.message_id))];
    if (clicked.length === 0) return [];
    const times = clicks.map((p) => p.occurred_at.getTime());
    const { rows } = await client.query<ContextRow>(
      `select e.id, e.occurred_at, e.message_id, e.type, e.url, e.machine, e.machine_reason, m.sent_at
       from tracking_event e join message m on m.id = e.message_id
       where e.message_id = any($1::uuid[]) and e.type = 'CLICK' and e.occurred_at between $2 and $3
       union all
       select o.id, o.occurred_at, m.id, o.type, o.url, o.machine, o.machine_reason, m.sent_at
       from message m cross join lateral (
         select e.id, e.occurred_at, e.type, e.url, e.machine, e.machine_reason from tracking_event e
         where e.message_id = m.id and e.type = 'OPEN'
           and e.occurred_at <= m.sent_at + make_interval(secs => $4)
         order by e.occurred_at limit 1
       ) o
       where m.id = any($1::uuid[])`,
      [
        clicked,
        new Date(Math.min(...times) - 2 * BURST_WINDOW_MS),
        new Date(Math.max(...times) + 2 * BURST_WINDOW_MS),
        CLICK_BEFORE_OPEN_WINDOW_MS / 1000,
      ],
    );
    const flips: { row: ContextRow; verdict: Verdict }[] = [];
    for (const [, events] of Map.groupBy(rows, (r) => r.message_id)) {
      const verdicts = classifyBehaviour(
        events.map((e) => ({
          key: e.id,
          type: e.type,
          occurredAt: e.occurred_at,
          url: e.url,
          machine: e.machine,
          machineReason: e.machine_reason,
        })),
        events[0].sent_at,
      );
      for (const event of events) {
        const verdict = verdicts.get(event.id);
        if (verdict) flips.push({ row: event, verdict });
      }
    }
    return flips;
  }
}

/** Which of these events are machines (as stored, behaviour verdicts included). */
async function machineEvents(client: PoolClient, pending: PendingRow[]): Promise<Set<string>> {
  const { rows } = await client.query<{ id: string }>(
    `select e.id from tracking_event e join unnest($1::timestamptz[], $2::uuid[]) as p(occurred_at, id)
       on e.occurred_at = p.occurred_at and e.id = p.id where e.machine`,
    [pending.map((p) => p.occurred_at), pending.map((p) => p.id)],
  );
  return new Set(rows.map((r) => r.id));
}

/** Human opens per campaign and country (campaign_country), so that topCountries is a small read. */
async function countCountries(
  client: PoolClient,
  pending: PendingRow[],
  locations: (GeoLocation | null)[],
  machines: Set<string>,
): Promise<void> {
  const counts = new Map<string, number>();
  pending.forEach((event, i) => {
    const country = locations[i]?.country;
    if (event.type !== 'OPEN' || !event.campaign_id || !country || machines.has(event.id)) return;
    const key = `${event.campaign_id}|${country}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  if (counts.size === 0) return;
  const keys = [...counts.keys()].sort();
  await client.query(
    `insert into campaign_country as c (campaign_id, country, opens)
     select split_part(k, '|', 1)::uuid, split_part(k, '|', 2), n from unnest($1::text[], $2::int[]) as t(k, n)
     on conflict (campaign_id, country) do update set opens = c.opens + excluded.opens`,
    [keys, keys.map((k) => counts.get(k)!)],
  );
}

/**
 * Human clicks become machine clicks, on the events and in their messages' counters; returns the
 * messages it left alone because another transaction held them. It never waits for a message row:
 * the insert path updates counters without ordering its locks (ordering them cost a fifth of its
 * rate), so a processor that waited could close a cycle with it. Busy messages keep their batch
 * events unprocessed, to be judged again in a moment. Then events (by time and id) and
 * campaign_stats (by campaign) are locked in one order, and an event another processor holds is
 * left to it (it is in that processor's batch, judged against the same committed clicks). Counters
 * move by the events this statement really flipped, never by what it meant to flip.
 */
async function applyFlips(
  client: PoolClient,
  allFlips: { row: ContextRow; verdict: Verdict }[],
): Promise<Set<string>> {
  const wanted = [...new Set(allFlips.map((f) => f.row.message_id))].sort();
  const { rows: locked } = await client.query<{ id: string }>(
    'select id from message where id = any($1::uuid[]) order by id for update skip locked',
    [wanted],
  );
  const mine = new Set(locked.map((r) => r.id));
  const busy = new Set(wanted.filter((id) => !mine.has(id)));
  const flips = allFlips.filter((f) => mine.has(f.row.message_id));
  if (flips.length === 0) return busy;
  const { rows: flipped } = await client.query<{ message_id: string; n: number }>(
    `with target as materialized (
       select e.occurred_at, e.id, f.reason from tracking_event e
       join unnest($1::timestamptz[], $2::uuid[], $3::text[]) as f(occurred_at, id, reason)
         on e.occurred_at = f.occurred_at and e.id = f.id
       where not e.machine order by e.occurred_at, e.id for update of e skip locked
     ), flipped as (
       update tracking_event e set machine = true, machine_reason = t.reason from target t
       where e.occurred_at = t.occurred_at and e.id = t.id and not e.machine
       returning e.message_id
     )
     select message_id, count(*)::int as n from flipped group by message_id order by message_id`,
    [flips.map((f) => f.row.occurred_at), flips.map((f) => f.row.id), flips.map((f) => f.verdict.reason)],
  );
  if (flipped.length === 0) return busy;
  await client.query(
    `with moves as (select * from unnest($1::uuid[], $2::int[]) as f(id, n)
     ), changed as (
       update message m set click_count = greatest(m.click_count - f.n, 0), machine_click_count = m.machine_click_count + f.n
       from moves f where m.id = f.id
       returning m.campaign_id, f.n as moved, m.click_count = 0 as lost_unique
     ), per_campaign as (
       select campaign_id, sum(moved)::int as moved, count(*) filter (where lost_unique)::int as lost
       from changed where campaign_id is not null group by campaign_id
     ), locked_stats as materialized (
       select s.campaign_id from campaign_stats s
       where s.shard = 0 and s.campaign_id in (select campaign_id from per_campaign) order by s.campaign_id for update
     )
     update campaign_stats s set clicks = greatest(s.clicks - p.moved, 0), machine_clicks = s.machine_clicks + p.moved,
       unique_clicks = greatest(s.unique_clicks - p.lost, 0)
     from per_campaign p join locked_stats l on l.campaign_id = p.campaign_id
     where s.campaign_id = p.campaign_id and s.shard = 0`,
    [flipped.map((f) => f.message_id), flipped.map((f) => f.n)],
  );
  return busy;
}
