import type { Pool } from 'pg';
import {
  AccountOverview,
  CampaignMetrics,
  ClientCount,
  CountryCount,
  LinkCount,
  TimeBucket,
  TimelinePoint,
} from './campaign-metrics.type.js';

/** MINUTE buckets look back this far: a live chart's window, not a campaign's whole life. */
const MINUTE_WINDOW_MS = 24 * 3_600_000;

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
 * The reads behind campaign metrics, breakdowns and the account overview, many campaigns per
 * query (the DataLoaders batch them). Totals come from the counters (campaign_stats,
 * campaign_country, message), one indexed read whatever the number of events, and still there
 * after retention. Breakdowns (timelines, clients, links) read the campaigns' events through the
 * tracking_event_campaign index (campaign_id, type, occurred_at) and cover what retention kept.
 */
export class CampaignStatsRepository {
  constructor(private readonly pool: Pool) {}

  async accountOverview(accountId: string): Promise<AccountOverview> {
    const { rows } = await this.pool.query(
      `select count(distinct c.id)::int as campaigns,
         coalesce(sum(c.recipient_count) filter (where s.shard = 0), 0)::int as recipients,
         coalesce(sum(s.sent), 0)::int as sent, coalesce(sum(s.failed), 0)::int as failed,
         coalesce(sum(s.suppressed), 0)::int as suppressed, coalesce(sum(s.opens), 0)::int as opens,
         coalesce(sum(s.unique_opens), 0)::int as "uniqueOpens", coalesce(sum(s.machine_opens), 0)::int as "machineOpens",
         coalesce(sum(s.clicks), 0)::int as clicks, coalesce(sum(s.unique_clicks), 0)::int as "uniqueClicks",
         coalesce(sum(s.unsubscribes), 0)::int as unsubscribes,
         (select count(*) from message m where m.account_id = $1 and m.campaign_id is null and m.status = 'SENT')::int
           as "transactionalSent"
       from campaign c join campaign_stats s on s.campaign_id = c.id where c.account_id = $1`,
      [accountId],
    );
    const row = rows[0];
    const rate = (n: number) => (row.sent === 0 ? 0 : n / row.sent);
    return Object.assign(new AccountOverview(), row, {
      openRate: rate(row.uniqueOpens),
      clickRate: rate(row.uniqueClicks),
    });
  }

  /**
   * Metrics of many campaigns from their counters (campaign_stats, kept as messages and events
   * change): one indexed read whatever the number of events, and still there after retention.
   */
  async metrics(campaignIds: readonly string[]): Promise<CampaignMetrics[]> {
    const { rows } = await this.pool.query<MetricsRow>(
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

  /** Median of firstOpenedAt - sentAt over the human-opened messages of each campaign (index message_campaign_opened). */
  async medianTimeToOpen(campaignIds: readonly string[]): Promise<(number | null)[]> {
    const { rows } = await this.pool.query<{ campaign_id: string; median: number | null }>(
      `select campaign_id,
              (percentile_disc(0.5) within group (order by extract(epoch from first_opened_at - sent_at)))::int as median
       from message where campaign_id = any($1::uuid[]) and first_opened_at is not null and sent_at is not null
       group by campaign_id`,
      [campaignIds],
    );
    const byId = new Map(rows.map((r) => [r.campaign_id, r.median]));
    return campaignIds.map((id) => byId.get(id) ?? null);
  }

  /** Human opens by country for many campaigns, top `limit` each, from campaign_country (counted as opens are stored). */
  async topCountries(campaignIds: readonly string[], limit: number): Promise<CountryCount[][]> {
    const { rows } = await this.pool.query<{ campaign_id: string; country: string; opens: number }>(
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

  /**
   * Breakdowns read the campaign's events through the tracking_event_campaign index (campaign_id,
   * type, occurred_at), many campaigns per query. They cover the events retention has kept.
   */
  async timelines(campaignIds: readonly string[], bucket: TimeBucket): Promise<TimelinePoint[][]> {
    const { rows } = await this.pool.query<TimelinePoint & { campaign_id: string }>(
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

  async clients(campaignIds: readonly string[], limit: number): Promise<ClientCount[][]> {
    const { rows } = await this.pool.query<ClientCount & { campaign_id: string }>(
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

  async links(campaignIds: readonly string[], limit: number): Promise<LinkCount[][]> {
    const { rows } = await this.pool.query<LinkCount & { campaign_id: string }>(
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
