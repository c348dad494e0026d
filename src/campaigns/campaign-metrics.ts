import type { Pool } from 'pg';
import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class CountryCount {
  @Field()
  country!: string;

  @Field(() => Int)
  opens!: number;
}

@ObjectType({ description: 'Counts of what exists; rates are over `sent`, 0 when nothing was sent.' })
export class CampaignMetrics {
  /** For the topCountries field. */
  campaignId!: string;

  @Field(() => Int)
  recipients!: number;

  @Field(() => Int)
  sent!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int)
  suppressed!: number;

  @Field(() => Int, { description: 'human OPEN events' })
  opens!: number;

  @Field(() => Int, { description: 'messages with at least one human open' })
  uniqueOpens!: number;

  @Field(() => Int)
  machineOpens!: number;

  @Field(() => Int)
  clicks!: number;

  @Field(() => Int)
  uniqueClicks!: number;

  @Field(() => Int)
  unsubscribes!: number;

  @Field(() => Float, { description: 'uniqueOpens / sent, 0 when nothing was sent' })
  openRate!: number;

  @Field(() => Float, { description: 'uniqueClicks / sent' })
  clickRate!: number;

  @Field(() => Float, { description: 'unsubscribes / sent' })
  unsubscribeRate!: number;

  @Field(() => Int, { nullable: true, description: 'median of firstOpenedAt - sentAt over human opens' })
  medianTimeToOpenSeconds!: number | null;
}

interface MetricsRow {
  campaign_id: string;
  recipients: number;
  sent: number;
  failed: number;
  suppressed: number;
  opens: number;
  unique_opens: number;
  machine_opens: number;
  clicks: number;
  unique_clicks: number;
  unsubscribes: number;
  median_time_to_open: number | null;
}

/** Metrics of many campaigns in one aggregate over their messages (the message_campaign index). */
export async function loadCampaignMetrics(
  pool: Pool,
  campaignIds: readonly string[],
): Promise<CampaignMetrics[]> {
  const { rows } = await pool.query<MetricsRow>(
    `select c.id as campaign_id, c.recipient_count as recipients,
       count(m.id) filter (where m.status = 'SENT')::int as sent,
       count(m.id) filter (where m.status = 'FAILED')::int as failed,
       count(m.id) filter (where m.status = 'SUPPRESSED')::int as suppressed,
       coalesce(sum(m.open_count), 0)::int as opens,
       count(m.id) filter (where m.open_count > 0)::int as unique_opens,
       coalesce(sum(m.machine_open_count), 0)::int as machine_opens,
       coalesce(sum(m.click_count), 0)::int as clicks,
       count(m.id) filter (where m.click_count > 0)::int as unique_clicks,
       count(m.id) filter (where m.unsubscribed_at is not null)::int as unsubscribes,
       (percentile_disc(0.5) within group (order by extract(epoch from m.first_opened_at - m.sent_at))
         filter (where m.first_opened_at is not null and m.sent_at is not null))::int as median_time_to_open
     from unnest($1::uuid[]) as wanted(id)
     join campaign c on c.id = wanted.id
     left join message m on m.campaign_id = c.id
     group by c.id`,
    [campaignIds],
  );
  const byId = new Map(rows.map((r) => [r.campaign_id, r]));
  return campaignIds.map((id) => toMetrics(id, byId.get(id)));
}

function toMetrics(campaignId: string, row: MetricsRow | undefined): CampaignMetrics {
  const sent = row?.sent ?? 0;
  const rate = (n: number) => (sent === 0 ? 0 : n / sent);
  return Object.assign(new CampaignMetrics(), {
    campaignId,
    recipients: row?.recipients ?? 0,
    sent,
    failed: row?.failed ?? 0,
    suppressed: row?.suppressed ?? 0,
    opens: row?.opens ?? 0,
    uniqueOpens: row?.unique_opens ?? 0,
    machineOpens: row?.machine_opens ?? 0,
    clicks: row?.clicks ?? 0,
    uniqueClicks: row?.unique_clicks ?? 0,
    unsubscribes: row?.unsubscribes ?? 0,
    openRate: rate(row?.unique_opens ?? 0),
    clickRate: rate(row?.unique_clicks ?? 0),
    unsubscribeRate: rate(row?.unsubscribes ?? 0),
    medianTimeToOpenSeconds: row?.median_time_to_open ?? null,
  });
}

/** Human opens by country (from resolved locations) for many campaigns, top `limit` each. */
export async function loadTopCountries(
  pool: Pool,
  campaignIds: readonly string[],
  limit: number,
): Promise<CountryCount[][]> {
  const { rows } = await pool.query<{ campaign_id: string; country: string; opens: number }>(
    `select campaign_id, country, opens from (
       select campaign_id, country, count(*)::int as opens,
              row_number() over (partition by campaign_id order by count(*) desc, country) as rank
       from tracking_event
       where campaign_id = any($1::uuid[]) and type = 'OPEN' and not machine and country is not null
       group by campaign_id, country
     ) ranked where rank <= $2 order by campaign_id, rank`,
    [campaignIds, limit],
  );
  return campaignIds.map((id) =>
    rows
      .filter((r) => r.campaign_id === id)
      .map((r) => Object.assign(new CountryCount(), { country: r.country, opens: r.opens })),
  );
}
