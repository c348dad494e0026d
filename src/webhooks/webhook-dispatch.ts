import type { Pool, PoolClient } from 'pg';
import { newId } from '../db/ids.js';
import { withTransaction } from '../db/transaction.js';
import { enqueueWebhookDelivery } from '../jobs/enqueue.js';

/** Events per POST: batches keep a burst from becoming thousands of requests. */
const EVENTS_PER_DELIVERY = 100;

/** One event as a webhook receives it. */
export interface WebhookEventPayload {
  event_type: string;
  event_id: string;
  message_id: string;
  campaign_id: string | null;
  recipient: string;
  timestamp: string;
  machine: boolean;
  machine_reason: string | null;
  url: string | null;
  location: {
    country: string | null;
    region: string | null;
    city: string | null;
    latitude: number | null;
    longitude: number | null;
  } | null;
}

interface Endpoint {
  id: string;
  account_id: string;
  events: string[];
  include_machine: boolean;
}

/**
 * Turns events into deliveries for the endpoints that asked for them: tracking events once
 * process_events has judged and located them (so a scanner's click never reaches an endpoint that
 * did not ask for machine events), and SENT/FAILED when delivery records the outcome.
 */
export class WebhookDispatch {
  constructor(private readonly pool: Pool) {}

  /** In `transaction` when given: the deliveries then commit with the caller's work, or not at all. */
  async forEvents(
    keys: readonly { id: string; occurredAt: Date; accountId: string }[],
    transaction?: PoolClient,
  ): Promise<void> {
    const endpoints = await this.endpointsOf(
      keys.map((k) => k.accountId),
      transaction,
    );
    if (endpoints.length === 0) return;
    const { rows } = await (transaction ?? this.pool).query<WebhookEventPayload & { account_id: string }>(
      `select e.account_id, e.type as event_type, e.id as event_id, e.message_id, e.campaign_id, m.recipient,
              to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as timestamp,
              e.machine, e.machine_reason, e.url,
              case when e.country is null and e.city is null then null else json_build_object('country', e.country,
                'region', e.region, 'city', e.city, 'latitude', e.latitude, 'longitude', e.longitude) end as location
       from unnest($1::timestamptz[], $2::uuid[]) as k(occurred_at, id)
       join tracking_event e on e.occurred_at = k.occurred_at and e.id = k.id
       join message m on m.id = e.message_id
       where e.account_id = any($3::uuid[])
       order by e.occurred_at, e.id`,
      [
        keys.map((k) => k.occurredAt),
        keys.map((k) => k.id),
        [...new Set(endpoints.map((e) => e.account_id))],
      ],
    );
    await this.deliver(endpoints, rows, transaction);
  }

  async forMessages(messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    const { rows } = await this.pool.query<WebhookEventPayload & { account_id: string }>(
      `select account_id, status as event_type, id as event_id, id as message_id, campaign_id, recipient,
              to_char(coalesce(sent_at, updated_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as timestamp,
              false as machine, null as machine_reason, null as url, null::json as location
       from message where id = any($1::uuid[]) and status in ('SENT', 'FAILED')
         and account_id in (select account_id from webhook where deleted_at is null and disabled_at is null)
       order by coalesce(sent_at, updated_at), id`,
      [messageIds],
    );
    if (rows.length === 0) return;
    await this.deliver(await this.endpointsOf(rows.map((r) => r.account_id)), rows);
  }

  /** In the caller's transaction when given: it holds a connection already. */
  private async endpointsOf(accountIds: readonly string[], transaction?: PoolClient): Promise<Endpoint[]> {
    if (accountIds.length === 0) return [];
    const { rows } = await (transaction ?? this.pool).query<Endpoint>(
      `select id, account_id, events, include_machine from webhook
       where account_id = any($1::uuid[]) and deleted_at is null and disabled_at is null`,
      [[...new Set(accountIds)]],
    );
    return rows;
  }

  private async deliver(
    endpoints: Endpoint[],
    events: (WebhookEventPayload & { account_id: string })[],
    transaction?: PoolClient,
  ): Promise<void> {
    const insert = async (client: PoolClient) => {
      for (const endpoint of endpoints) {
        const matching = events
          .filter((e) => e.account_id === endpoint.account_id && endpoint.events.includes(e.event_type))
          .filter((e) => endpoint.include_machine || !e.machine)
          .map(({ account_id: _account, ...event }) => event);
        for (let i = 0; i < matching.length; i += EVENTS_PER_DELIVERY) {
          const batch = matching.slice(i, i + EVENTS_PER_DELIVERY);
          const id = newId();
          await client.query(
            `insert into webhook_delivery (id, webhook_id, account_id, payload, event_count, next_attempt_at)
             values ($1, $2, $3, $4, $5, now())`,
            [id, endpoint.id, endpoint.account_id, JSON.stringify({ events: batch }), batch.length],
          );
          await enqueueWebhookDelivery(client, id, endpoint.id, null);
        }
      }
    };
    await (transaction ? insert(transaction) : withTransaction(this.pool, insert));
  }
}
