import type { Pool } from 'pg';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum TimeBucket {
  MINUTE = 'MINUTE',
  HOUR = 'HOUR',
  DAY = 'DAY',
}
registerEnumType(TimeBucket, {
  name: 'TimeBucket',
  valuesConfig: { MINUTE: { description: 'the last 24 hours only, so that a timeline stays small' } },
});

/** MINUTE buckets look back this far: a live chart's window, not a campaign's whole life. */
const MINUTE_WINDOW_MS = 24 * 3_600_000;

@ObjectType({ description: 'Opens and clicks of one minute, hour or day (UTC).' })
export class TimelinePoint {
  @Field()
  at!: Date;

  @Field(() => Int, { description: 'human opens' })
  opens!: number;

  @Field(() => Int, { description: 'messages opened (by a person) in this bucket' })
  uniqueOpens!: number;

  @Field(() => Int, { description: 'human clicks' })
  clicks!: number;

  @Field(() => Int)
  machineOpens!: number;

  @Field(() => Int)
  machineClicks!: number;
}

@ObjectType({ description: 'Human opens by email client and device family (from the user agent).' })
export class ClientCount {
  @Field()
  client!: string;

  @Field()
  device!: string;

  @Field(() => Int)
  opens!: number;
}

@ObjectType({ description: 'Clicks of one link of the campaign.' })
export class LinkCount {
  @Field()
  url!: string;

  @Field(() => Int, { description: 'human clicks' })
  clicks!: number;

  @Field(() => Int, { description: 'messages whose recipient clicked it' })
  uniqueClicks!: number;

  @Field(() => Int)
  machineClicks!: number;
}

/**
 * Breakdowns read the campaign's events through the tracking_event_campaign index (campaign_id,
 * type, occurred_at), many campaigns per query. They cover the events retention has kept.
 */
export async function loadTimelines(
  pool: Pool,
  campaignIds: readonly string[],
  bucket: TimeBucket,
): Promise<TimelinePoint[][]> {
  const { rows } = await pool.query<TimelinePoint & { campaign_id: string }>(
    `select campaign_id, date_trunc($2, occurred_at, 'UTC') as at,
       count(*) filter (where type = 'OPEN' and not machine)::int as "opens",
       count(distinct message_id) filter (where type = 'OPEN' and not machine)::int as "uniqueOpens",
       count(*) filter (where type = 'CLICK' and not machine)::int as "clicks",
       count(*) filter (where type = 'OPEN' and machine)::int as "machineOpens",
       count(*) filter (where type = 'CLICK' and machine)::int as "machineClicks"
     from tracking_event where campaign_id = any($1::uuid[]) and type in ('OPEN', 'CLICK')
       and ($3::timestamptz is null or occurred_at >= $3)
     group by campaign_id, 2 order by campaign_id, 2`,
    [
      campaignIds,
      bucket.toLowerCase(),
      bucket === TimeBucket.MINUTE ? new Date(Date.now() - MINUTE_WINDOW_MS) : null,
    ],
  );
  return groupRows(campaignIds, rows, TimelinePoint);
}

export async function loadClients(
  pool: Pool,
  campaignIds: readonly string[],
  limit: number,
): Promise<ClientCount[][]> {
  const { rows } = await pool.query<ClientCount & { campaign_id: string }>(
    `select campaign_id, client, device, opens from (
       select campaign_id, coalesce(client, 'unknown') as client, coalesce(device, 'unknown') as device, count(*)::int as opens,
              row_number() over (partition by campaign_id order by count(*) desc, client, device) as rank
       from tracking_event where campaign_id = any($1::uuid[]) and type = 'OPEN' and not machine
       group by campaign_id, client, device
     ) ranked where rank <= $2 order by campaign_id, rank`,
    [campaignIds, limit],
  );
  return groupRows(campaignIds, rows, ClientCount);
}

export async function loadLinks(
  pool: Pool,
  campaignIds: readonly string[],
  limit: number,
): Promise<LinkCount[][]> {
  const { rows } = await pool.query<LinkCount & { campaign_id: string }>(
    `select campaign_id, url, clicks, "uniqueClicks", "machineClicks" from (
       select campaign_id, url, count(*) filter (where not machine)::int as clicks,
              count(distinct message_id) filter (where not machine)::int as "uniqueClicks",
              count(*) filter (where machine)::int as "machineClicks",
              row_number() over (partition by campaign_id order by count(*) filter (where not machine) desc, url) as rank
       from tracking_event where campaign_id = any($1::uuid[]) and type = 'CLICK' and url is not null
       group by campaign_id, url
     ) ranked where rank <= $2 order by campaign_id, rank`,
    [campaignIds, limit],
  );
  return groupRows(campaignIds, rows, LinkCount);
}

function groupRows<T extends object>(
  campaignIds: readonly string[],
  rows: (T & { campaign_id: string })[],
  type: new () => T,
): T[][] {
  const byCampaign = Map.groupBy(rows, (r) => r.campaign_id);
  return campaignIds.map((id) =>
    (byCampaign.get(id) ?? []).map(({ campaign_id: _campaign, ...fields }) =>
      Object.assign(new type(), fields),
    ),
  );
}
