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

  @Field(() => Int, { description: 'human CLICK events' })
  clicks!: number;

  @Field(() => Int)
  uniqueClicks!: number;

  @Field(() => Int, { description: 'clicks made by scanners and other machines' })
  machineClicks!: number;

  @Field(() => Int)
  unsubscribes!: number;

  @Field(() => Float, { description: 'uniqueOpens / sent, 0 when nothing was sent' })
  openRate!: number;

  @Field(() => Float, { description: 'uniqueClicks / sent' })
  clickRate!: number;

  @Field(() => Float, { description: 'unsubscribes / sent' })
  unsubscribeRate!: number;
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
  machine_clicks: number;
  unsubscribes: number;
}

/**
 * Metrics of many campaigns from their counters (campaign_stats, kept as messages and events
 * change): one indexed read whatever the number of events, and still there after retention.
 */
export async function loadCampaignMetrics(
  pool: Pool,
  campaignIds: readonly string[],
): Promise<CampaignMetrics[]> {
  const { rows } = await pool.query<MetricsRow>(
    `select c.id as campaign_id, c.recipient_count as recipients, sum(s.sent)::int as sent, sum(s.failed)::int as failed,
       sum(s.suppressed)::int as suppressed, sum(s.opens)::int as opens, sum(s.unique_opens)::int as unique_opens,
       sum(s.machine_opens)::int as machine_opens, sum(s.clicks)::int as clicks, sum(s.unique_clicks)::int as unique_clicks,
       sum(s.machine_clicks)::int as machine_clicks, sum(s.unsubscribes)::int as unsubscribes
     from campaign c join campaign_stats s on s.campaign_id = c.id where c.id = any($1::uuid[]) group by c.id`,
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
    machineClicks: row?.machine_clicks ?? 0,
    unsubscribes: row?.unsubscribes ?? 0,
    openRate: rate(row?.unique_opens ?? 0),
    clickRate: rate(row?.unique_clicks ?? 0),
    unsubscribeRate: rate(row?.unsubscribes ?? 0),
  });
}

/** Median of firstOpenedAt - sentAt over the human-opened messages of each campaign (index message_campaign_opened). */
export async function loadMedianTimeToOpen(
  pool: Pool,
  campaignIds: readonly string[],
): Promise<(number | null)[]> {
  const { rows } = await pool.query<{ campaign_id: string; median: number | null }>(
    `select campaign_id,
            (percentile_disc(0.5) within group (order by extract(epoch from first_opened_at - sent_at)))::int as median
     from message where campaign_id = any($1::uuid[]) and first_opened_at is not null and sent_at is not null
     group by campaign_id`,
    [campaignIds],
  );
  const byId = new Map(rows.map((r) => [r.campaign_id, r.median]));
  return campaignIds.map((id) => byId.get(id) ?? null);
}

/** Human opens by country for many campaigns, top `limit` each, from the counters process_events keeps. */
export async function loadTopCountries(
  pool: Pool,
  campaignIds: readonly string[],
  limit: number,
): Promise<CountryCount[][]> {
  const { rows } = await pool.query<{ campaign_id: string; country: string; opens: number }>(
    `select campaign_id, country, opens from (
       select campaign_id, country, opens, row_number() over (partition by campaign_id order by opens desc, country) as rank
       from campaign_country where campaign_id = any($1::uuid[])
     ) ranked where rank <= $2 order by campaign_id, rank`,
    [campaignIds, limit],
  );
  return campaignIds.map((id) =>
    rows
      .filter((r) => r.campaign_id === id)
      .map((r) => Object.assign(new CountryCount(), { country: r.country, opens: r.opens })),
  );
}
