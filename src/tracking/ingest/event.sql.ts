import type { Pool, PoolClient } from 'pg';
import { boolArray, textArray, timestamptzArray, uuidArray } from './pg-binary-arrays.js';
import type { HitPlace } from './hit-enricher.js';
import type { TrackingHit } from '../tracking-event.js';
import { ensureEventPartitions } from '../../db/partitions.js';
import type { EventKey } from '../../live/event-notifier.js';

/**
 * Stores a batch of hits in one round trip: joins each to its message (hits for unknown messages
 * are dropped), inserts into the day partitions of tracking_event, and folds opens and clicks into
 * the message's and its campaign's counters (human and machine apart, first opens and clicks
 * counted once), and returns the keys of new events of `watched` accounts, for live subscribers. Event ids come from the app, so a retried batch inserts nothing twice.
 * Kept as one statement because this is the hottest write of the service. Every counter writer
 * takes message rows before campaign_stats rows, each in key order: this statement locks its
 * messages in id order before it updates them, then its few campaign_stats rows in campaign order. process_events does the same
 * (processing/event-processing.sql.ts), so no two writers can wait on each other in a cycle.
 */
const insertHitsSql = (onConflict: string) => `
with incoming as (
  select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
                       $7::text[], $8::boolean[], $9::text[], $11::text[], $12::text[], $13::text[],
                       $14::float8[], $15::float8[], $16::text[], $17::text[])
    as t(id, message_id, type, occurred_at, ip_address, user_agent, url, machine, machine_reason,
         country, region, city, latitude, longitude, client, device)
), inserted as (
  -- every event is stored finished (place, client, request-level verdict); process_events reads
  -- clicks and unsubscribes past its cursor for their behaviour verdicts and webhooks
  insert into tracking_event (id, occurred_at, account_id, message_id, campaign_id, type, ip_address,
                              user_agent, url, machine, machine_reason, country, region, city, latitude,
                              longitude, client, device)
  select i.id, i.occurred_at, m.account_id, m.id, m.campaign_id, i.type, i.ip_address::inet, i.user_agent,
         i.url, i.machine, i.machine_reason, i.country, i.region, i.city, i.latitude, i.longitude, i.client,
         i.device
  from incoming i join message m on m.id = i.message_id
  ${onConflict}
  returning id, occurred_at, message_id, account_id, campaign_id, type, machine, country
), countries as (
  -- human opens per campaign and country (topCountries), in key order like every counter
  insert into campaign_country as c (campaign_id, country, opens)
  select campaign_id, country, count(*) from inserted
  where type = 'OPEN' and not machine and campaign_id is not null and country is not null
  group by campaign_id, country order by campaign_id, country
  on conflict (campaign_id, country) do update set opens = c.opens + excluded.opens
  returning 1
), counts as (
  select message_id,
         count(*) filter (where type = 'OPEN' and not machine) as human_opens,
         count(*) filter (where type = 'OPEN' and machine) as machine_opens,
         min(occurred_at) filter (where type = 'OPEN' and not machine) as first_human_open_at,
         max(occurred_at) filter (where type = 'OPEN') as last_open_at,
         (array_agg(id order by occurred_at desc) filter (where type = 'OPEN'))[1] as last_open_id,
         count(*) filter (where type = 'CLICK' and not machine) as human_clicks,
         count(*) filter (where type = 'CLICK' and machine) as machine_clicks
  from inserted where type in ('OPEN', 'CLICK') group by message_id
), locked_messages as materialized (
  -- message rows locked in id order, whatever plan the update below gets (a hash join would take
  -- them in the table's order): two inserts, or an insert and process_events, cannot cross
  -- (the batch's message ids: one walk of the primary key, in order, no join)
  select id from message where id = any($2::uuid[]) order by id for no key update
), counted as (
  update message m set
    open_count = m.open_count + c.human_opens,
    machine_open_count = m.machine_open_count + c.machine_opens,
    first_opened_at = least(m.first_opened_at, c.first_human_open_at),
    last_open_event_id = case when c.last_open_at is not null and (m.last_opened_at is null or c.last_open_at >= m.last_opened_at)
                              then c.last_open_id else m.last_open_event_id end,
    last_opened_at = greatest(m.last_opened_at, c.last_open_at),
    click_count = m.click_count + c.human_clicks,
    machine_click_count = m.machine_click_count + c.machine_clicks,
    updated_at = now()
  from counts c join locked_messages l on l.id = c.message_id where m.id = c.message_id
  returning m.campaign_id, c.human_opens, c.machine_opens, c.human_clicks, c.machine_clicks,
            m.open_count = c.human_opens and c.human_opens > 0 as first_open,
            m.click_count = c.human_clicks and c.human_clicks > 0 as first_click
), campaign_counts as (
  select campaign_id, sum(human_opens) as opens, count(*) filter (where first_open) as unique_opens,
         sum(machine_opens) as machine_opens, sum(human_clicks) as clicks,
         count(*) filter (where first_click) as unique_clicks, sum(machine_clicks) as machine_clicks
  from counted where campaign_id is not null group by campaign_id
), locked_stats as materialized (
  -- a batch's few campaigns, in campaign order, as process_events locks them (no deadlock)
  select s.campaign_id from campaign_stats s
  where s.shard = 0 and s.campaign_id in (select campaign_id from campaign_counts) order by s.campaign_id for update
), campaign_counted as (
  update campaign_stats s set
    opens = s.opens + cc.opens, unique_opens = s.unique_opens + cc.unique_opens,
    machine_opens = s.machine_opens + cc.machine_opens, clicks = s.clicks + cc.clicks,
    unique_clicks = s.unique_clicks + cc.unique_clicks, machine_clicks = s.machine_clicks + cc.machine_clicks
  from campaign_counts cc join locked_stats l on l.campaign_id = cc.campaign_id
  where s.campaign_id = cc.campaign_id and s.shard = 0
  returning 1
)
select (select count(*) from inserted)::int as inserted,
       (select coalesce(json_agg(json_build_array(id, occurred_at, account_id, campaign_id, type)), '[]'::json)
        from inserted where account_id = any($10::uuid[])) as watched,
       -- finished opens of accounts with webhooks: their deliveries go out now, not after processing
       (select coalesce(json_agg(json_build_array(id, occurred_at, account_id)), '[]'::json) from inserted
        where type = 'OPEN' and account_id in (
          select account_id from webhook where deleted_at is null and disabled_at is null)) as hooked`;

/**
 * A plain insert is the usual case: ON CONFLICT's speculative insertion costs PostgreSQL about a
 * third more per row. A batch that meets an id already stored (a retry of a write whose commit
 * went through unseen) is written again skipping those ids: the statement is atomic, so the failed
 * attempt changed nothing. Both are named statements: each connection parses and plans them once.
 */
const INSERT_NEW_HITS = { name: 'mailtrace_insert_new_hits', text: insertHitsSql('') };
const INSERT_HITS_SKIPPING_STORED = {
  name: 'mailtrace_insert_hits_skipping_stored',
  text: insertHitsSql('on conflict do nothing'),
};

/** PostgreSQL's "no partition of relation found for row". */
const NO_PARTITION = '23514';
const UNIQUE_VIOLATION = '23505';

/** A finished open for webhooks: [id, occurredAt, accountId]. */
export type HookedKey = [string, string, string];

type InsertResult = { inserted: number; watched: EventKey[]; hooked: HookedKey[] };

/**
 * Give it the pool, not a client in a transaction, when the batch may be a retry: after a duplicate
 * id the second attempt could not run in the aborted transaction.
 */
export async function insertHits(
  pool: Pool | PoolClient,
  hits: readonly (TrackingHit & Partial<HitPlace>)[],
  watched: readonly string[] = [],
): Promise<InsertResult> {
  const params = [
    uuidArray(hits.map((h) => h.id)),
    uuidArray(hits.map((h) => h.messageId)),
    textArray(hits.map((h) => h.type)),
    timestamptzArray(hits.map((h) => h.occurredAt)),
    textArray(hits.map((h) => h.ipAddress)),
    textArray(hits.map((h) => h.userAgent)),
    textArray(hits.map((h) => h.url)),
    boolArray(hits.map((h) => h.machine)),
    textArray(hits.map((h) => h.machineReason)),
    watched,
    textArray(hits.map((h) => h.country ?? null)),
    textArray(hits.map((h) => h.region ?? null)),
    textArray(hits.map((h) => h.city ?? null)),
    hits.map((h) => h.latitude ?? null),
    hits.map((h) => h.longitude ?? null),
    textArray(hits.map((h) => h.client ?? null)),
    textArray(hits.map((h) => h.device ?? null)),
  ];
  const run = (statement: { name: string; text: string }) =>
    pool.query<InsertResult>({ ...statement, values: params }).then((result) => result.rows[0]);
  try {
    return await run(INSERT_NEW_HITS);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === UNIQUE_VIOLATION) return run(INSERT_HITS_SKIPPING_STORED);
    if (code !== NO_PARTITION) throw error;
    // The partition cron normally keeps a week ahead; this covers a long outage or clock skew.
    const times = hits.map((h) => h.occurredAt.getTime());
    await ensureEventPartitions(pool, new Date(Math.min(...times)), new Date(Math.max(...times)));
    return run(INSERT_HITS_SKIPPING_STORED);
  }
}
