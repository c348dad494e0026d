import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/transaction.js';
import { enqueueWebhookDelivery } from '../jobs/enqueue.js';
import type { TrackingEventType } from '../tracking/tracking-event.type.js';

export interface WebhookRow {
  id: string;
  url: string;
  events: TrackingEventType[];
  include_machine: boolean;
  created_at: Date;
  disabled_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: number;
}

/** A line of the delivery log, as the API shows it. */
export interface DeliveryLogRow {
  id: string;
  webhook_id: string;
  status: string;
  event_count: number;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
}

/** A delivery with what sending it needs of its endpoint. */
export interface DeliveryToSend {
  id: string;
  webhook_id: string;
  status: string;
  attempts: number;
  payload: { events: unknown[] };
  url: string;
  secret_encrypted: string;
  deleted_at: Date | null;
  disabled_at: Date | null;
}

/** An endpoint that is neither deleted nor disabled, and what it asked for. */
export interface Endpoint {
  id: string;
  account_id: string;
  events: string[];
  include_machine: boolean;
}

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

/** A payload row and the account it belongs to (dispatch matches it to that account's endpoints). */
export type AccountEventPayload = WebhookEventPayload & { account_id: string };

/** A batch of events for one endpoint, to be stored and queued. */
export interface NewDelivery {
  id: string;
  webhookId: string;
  accountId: string;
  events: WebhookEventPayload[];
}

/**
 * The SQL of webhooks: endpoints (read by account through index webhook_account), deliveries
 * (by primary key, or the log through webhook_delivery_webhook / webhook_delivery_created), and the
 * events' payloads. Statements that dispatch runs in its caller's transaction take that client.
 */
export class WebhookRepository {
  constructor(private readonly pool: Pool) {}

  /** The account's endpoints not deleted (index webhook_account, partial on deleted_at is null). */
  async countEndpoints(accountId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'select count(*)::int as n from webhook where account_id = $1 and deleted_at is null',
      [accountId],
    );
    return rows[0].n;
  }

  async insertEndpoint(endpoint: {
    id: string;
    accountId: string;
    url: string;
    events: TrackingEventType[];
    includeMachine: boolean;
    secretEncrypted: string;
  }): Promise<WebhookRow> {
    const { rows } = await this.pool.query<WebhookRow>(
      `insert into webhook (id, account_id, url, events, include_machine, secret_encrypted) values ($1, $2, $3, $4, $5, $6)
       returning *`,
      [
        endpoint.id,
        endpoint.accountId,
        endpoint.url,
        endpoint.events,
        endpoint.includeMachine,
        endpoint.secretEncrypted,
      ],
    );
    return rows[0];
  }

  /** Index webhook_account. */
  async listEndpoints(accountId: string): Promise<WebhookRow[]> {
    const { rows } = await this.pool.query<WebhookRow>(
      'select * from webhook where account_id = $1 and deleted_at is null order by created_at',
      [accountId],
    );
    return rows;
  }

  /** Soft delete by primary key; false when the account has no such endpoint. */
  async deleteEndpoint(accountId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'update webhook set deleted_at = now() where id = $1 and account_id = $2 and deleted_at is null',
      [id, accountId],
    );
    return Boolean(rowCount);
  }

  /**
   * Newest first: index webhook_delivery_webhook when an endpoint is named, else
   * webhook_delivery_created read backwards and filtered by account.
   */
  async deliveryLog(accountId: string, webhookId: string | null, first: number): Promise<DeliveryLogRow[]> {
    const { rows } = await this.pool.query<DeliveryLogRow>(
      `select id, webhook_id, status, event_count, attempts, last_status_code, last_error, created_at, last_attempt_at,
              next_attempt_at, delivered_at
       from webhook_delivery where account_id = $1 and ($2::uuid is null or webhook_id = $2)
       order by created_at desc, id desc limit $3`,
      [accountId, webhookId, first],
    );
    return rows;
  }

  /** Sets a delivery of the account back to PENDING with no attempts (primary key); its endpoint's id, or null. */
  async resetDelivery(accountId: string, deliveryId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ webhook_id: string }>(
      `update webhook_delivery d set status = 'PENDING', attempts = 0, next_attempt_at = now()
       from webhook w where d.id = $1 and d.account_id = $2 and w.id = d.webhook_id and w.deleted_at is null
       returning d.webhook_id`,
      [deliveryId, accountId],
    );
    return rows[0]?.webhook_id ?? null;
  }

  /** Re-enables the endpoint and forgets its failures (primary key). */
  async enableEndpoint(webhookId: string): Promise<void> {
    await this.pool.query(
      'update webhook set disabled_at = null, disabled_reason = null, consecutive_failures = 0 where id = $1',
      [webhookId],
    );
  }

  /** The deliver_webhook job of a stored delivery, at `runAt` (null: now). */
  async queueDelivery(deliveryId: string, webhookId: string, runAt: Date | null): Promise<void> {
    await enqueueWebhookDelivery(this.pool, deliveryId, webhookId, runAt);
  }

  /** The delivery and its endpoint, by primary keys; undefined when it is gone. */
  async deliveryToSend(deliveryId: string): Promise<DeliveryToSend | undefined> {
    const { rows } = await this.pool.query<DeliveryToSend>(
      `select d.id, d.webhook_id, d.status, d.attempts, d.payload, w.url, w.secret_encrypted, w.deleted_at, w.disabled_at
       from webhook_delivery d join webhook w on w.id = d.webhook_id where d.id = $1`,
      [deliveryId],
    );
    return rows[0];
  }

  /** One attempt's outcome (primary key); `next` is the retry's time for a delivery still PENDING. */
  async recordAttempt(
    deliveryId: string,
    status: string,
    outcome: { statusCode: number | null; error: string | null },
    next: Date | null,
  ): Promise<void> {
    await this.pool.query(
      `update webhook_delivery set status = $2, attempts = attempts + 1, last_status_code = $3, last_error = $4,
         last_attempt_at = now(), next_attempt_at = $5, delivered_at = case when $2 = 'DELIVERED' then now() end
       where id = $1`,
      [deliveryId, status, outcome.statusCode, outcome.error?.slice(0, 500) ?? null, next],
    );
  }

  /** A success ends the endpoint's failing streak (primary key). */
  async clearFailures(webhookId: string): Promise<void> {
    await this.pool.query('update webhook set consecutive_failures = 0, failing_since = null where id = $1', [
      webhookId,
    ]);
  }

  /**
   * Counts a failed attempt (primary key) and disables the endpoint once it has been failing for
   * `disableAfterMs`, with the reason; true when it is disabled now.
   */
  async countFailure(webhookId: string, disableAfterMs: number, error: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ disabled: boolean }>(
      `update webhook set consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now()),
         disabled_at = case when coalesce(failing_since, now()) <= now() - make_interval(secs => $2 / 1000.0)
                            then now() end,
         disabled_reason = case when coalesce(failing_since, now()) <= now() - make_interval(secs => $2 / 1000.0)
                                then 'failing since ' || to_char(coalesce(failing_since, now()), 'YYYY-MM-DD HH24:MI') || ' UTC, '
                                     || (consecutive_failures + 1) || ' failed attempts; last: ' || $3 end
       where id = $1 returning disabled_at is not null as disabled`,
      [webhookId, disableAfterMs, error],
    );
    return rows[0]?.disabled ?? false;
  }

  /**
   * The endpoints of these accounts that still deliver (index webhook_account). In the caller's
   * transaction when given: it holds a connection already.
   */
  async activeEndpoints(accountIds: readonly string[], transaction?: PoolClient): Promise<Endpoint[]> {
    const { rows } = await (transaction ?? this.pool).query<Endpoint>(
      `select id, account_id, events, include_machine from webhook
       where account_id = any($1::uuid[]) and deleted_at is null and disabled_at is null`,
      [[...new Set(accountIds)]],
    );
    return rows;
  }

  /**
   * The payloads of these events of these accounts, oldest first: each event by its primary key
   * (occurred_at, id) in its day partition, and its message by primary key.
   */
  async eventPayloads(
    keys: readonly { id: string; occurredAt: Date }[],
    accountIds: readonly string[],
    transaction?: PoolClient,
  ): Promise<AccountEventPayload[]> {
    const { rows } = await (transaction ?? this.pool).query<AccountEventPayload>(
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
      [keys.map((k) => k.occurredAt), keys.map((k) => k.id), accountIds],
    );
    return rows;
  }

  /**
   * SENT and FAILED payloads of these messages (primary key), for accounts with an endpoint that
   * delivers (index webhook_account), in the order they were sent.
   */
  async messagePayloads(messageIds: readonly string[]): Promise<AccountEventPayload[]> {
    const { rows } = await this.pool.query<AccountEventPayload>(
      `select account_id, status as event_type, id as event_id, id as message_id, campaign_id, recipient,
              to_char(coalesce(sent_at, updated_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as timestamp,
              false as machine, null as machine_reason, null as url, null::json as location
       from message where id = any($1::uuid[]) and status in ('SENT', 'FAILED')
         and account_id in (select account_id from webhook where deleted_at is null and disabled_at is null)
       order by coalesce(sent_at, updated_at), id`,
      [messageIds],
    );
    return rows;
  }

  /**
   * Stores the deliveries and queues a deliver_webhook job for each, in `transaction` when given
   * (they then commit with the caller's work, or not at all), else in a transaction of their own.
   */
  async insertDeliveries(deliveries: readonly NewDelivery[], transaction?: PoolClient): Promise<void> {
    if (deliveries.length === 0) return;
    const insert = async (client: PoolClient) => {
      for (const delivery of deliveries) {
        await client.query(
          `insert into webhook_delivery (id, webhook_id, account_id, payload, event_count, next_attempt_at)
           values ($1, $2, $3, $4, $5, now())`,
          [
            delivery.id,
            delivery.webhookId,
            delivery.accountId,
            JSON.stringify({ events: delivery.events }),
            delivery.events.length,
          ],
        );
        await enqueueWebhookDelivery(client, delivery.id, delivery.webhookId, null);
      }
    };
    await (transaction ? insert(transaction) : withTransaction(this.pool, insert));
  }
}
