import type { Pool } from 'pg';
import { TRACKING_EVENT_KINDS, type TrackingEventKind } from './event-kinds.js';
import { Location, TrackingEvent } from './tracking-event.type.js';

interface EventRow {
  id: string;
  type: TrackingEventKind;
  occurred_at: Date;
  message_id: string;
  campaign_id: string | null;
  recipient: string;
  ip_address: string | null;
  user_agent: string | null;
  url: string | null;
  machine: boolean;
  machine_reason: string | null;
  client: string | null;
  device: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

const EVENT_COLUMNS = `e.id, e.type, e.occurred_at, e.message_id, e.campaign_id, m.recipient, host(e.ip_address) as ip_address,
  e.user_agent, e.url, e.machine, e.machine_reason, e.client, e.device, e.country, e.region, e.city, e.latitude, e.longitude`;

/** Reads tracking events, always scoped to one account. */
export class EventRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Age of the next event process_events will judge, over every account: one row of index
   * tracking_event_pending (the lateral makes the cursor a parameter of the index scan).
   */
  async processingLagSeconds(): Promise<number> {
    const { rows } = await this.pool.query<{ lag: number }>(
      `select coalesce(extract(epoch from now() - max(next.occurred_at)), 0)::float8 as lag
       from tracking_event_cursor c cross join lateral (
         select e.occurred_at from tracking_event e
         where e.type <> 'OPEN' and (e.inserted_by, e.id) > (c.inserted_by, c.event_id)
         order by e.inserted_by, e.id limit 1
       ) next`,
    );
    return rows[0].lag;
  }

  /** The newest `first` events of each message, in one query for any number of messages. */
  async latestOfMessages(
    accountId: string,
    messageIds: readonly string[],
    first: number,
  ): Promise<TrackingEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `select ${EVENT_COLUMNS}
       from unnest($2::uuid[]) as wanted(message_id)
       join message m on m.id = wanted.message_id and m.account_id = $1
       cross join lateral (
         select * from tracking_event te
         where te.message_id = m.id and te.account_id = $1 and te.occurred_at >= m.queued_at - interval '1 day'
         order by te.occurred_at desc, te.id desc limit $3
       ) e`,
      [accountId, messageIds, first],
    );
    return rows.map(toEvent);
  }

  /**
   * The newest `first` events of each kind of each campaign, in one query for any number
   * of campaigns: per campaign and type, a short walk down tracking_event_campaign (campaign_id, type,
   * occurred_at), then the newest of those.
   */
  async latestOfCampaigns(
    accountId: string,
    campaignIds: readonly string[],
    first: number,
  ): Promise<TrackingEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `select ${EVENT_COLUMNS}
       from unnest($2::uuid[]) as wanted(campaign_id)
       cross join lateral (
         select newest.* from unnest($4::text[]) as kinds(type)
         cross join lateral (
           select * from tracking_event te
           where te.campaign_id = wanted.campaign_id and te.type = kinds.type and te.account_id = $1
           order by te.occurred_at desc limit $3
         ) newest
         order by newest.occurred_at desc, newest.id desc limit $3
       ) e
       join message m on m.id = e.message_id
       order by e.occurred_at desc, e.id desc`,
      [accountId, campaignIds, first, TRACKING_EVENT_KINDS],
    );
    return rows.map(toEvent);
  }

  /** Events by (occurredAt, id) key: the partition key makes each lookup touch one partition. */
  async byKeys(
    accountId: string,
    keys: readonly { id: string; occurredAt: Date }[],
  ): Promise<TrackingEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `select ${EVENT_COLUMNS}
       from unnest($2::uuid[], $3::timestamptz[]) as wanted(id, occurred_at)
       join tracking_event e on e.occurred_at = wanted.occurred_at and e.id = wanted.id and e.account_id = $1
       join message m on m.id = e.message_id`,
      [accountId, keys.map((k) => k.id), keys.map((k) => k.occurredAt)],
    );
    return rows.map(toEvent);
  }
}

function toEvent(row: EventRow): TrackingEvent {
  const hasLocation = row.country !== null || row.city !== null || row.latitude !== null;
  return Object.assign(new TrackingEvent(), {
    id: row.id,
    type: row.type,
    occurredAt: row.occurred_at,
    messageId: row.message_id,
    campaignId: row.campaign_id,
    recipient: row.recipient,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    url: row.url,
    machine: row.machine,
    machineReason: row.machine_reason,
    client: row.client,
    device: row.device,
    location: hasLocation
      ? Object.assign(new Location(), {
          country: row.country,
          region: row.region,
          city: row.city,
          latitude: row.latitude,
          longitude: row.longitude,
        })
      : null,
  });
}
