import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { WebhookSettings } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { isUuid, newId } from '../db/ids.js';
import { BadInputError, NotFoundError } from '../errors.js';
import type { TrackingEventType } from '../tracking/tracking-event.type.js';
import { enqueueWebhookDelivery } from '../jobs/enqueue.js';
import { checkWebhookUrl } from './webhook-url.js';
import { CreatedWebhook, type DeliveryStatus, Webhook, WebhookDelivery } from './webhook.types.js';

const MAX_WEBHOOKS = 20;

interface WebhookRow {
  id: string;
  url: string;
  events: TrackingEventType[];
  include_machine: boolean;
  created_at: Date;
  disabled_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: number;
}

const toWebhook = (r: WebhookRow) =>
  Object.assign(new Webhook(), {
    id: r.id,
    url: r.url,
    events: r.events,
    includeMachine: r.include_machine,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
    consecutiveFailures: r.consecutive_failures,
  });

export class WebhookService {
  constructor(
    private readonly pool: Pool,
    private readonly secretBox: SecretBox,
    private readonly settings: WebhookSettings,
  ) {}

  /** A new endpoint; its signing secret is returned once and kept encrypted. */
  async create(
    accountId: string,
    url: string,
    events: TrackingEventType[],
    includeMachine: boolean,
  ): Promise<CreatedWebhook> {
    const checked = checkWebhookUrl(url, this.settings);
    const types = [...new Set(events)];
    if (types.length === 0) throw new BadInputError('events must name at least one event type');
    const { rows: count } = await this.pool.query<{ n: number }>(
      'select count(*)::int as n from webhook where account_id = $1 and deleted_at is null',
      [accountId],
    );
    if (count[0].n >= MAX_WEBHOOKS) throw new BadInputError(`at most ${MAX_WEBHOOKS} webhooks per account`);
    const id = newId();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const { rows } = await this.pool.query<WebhookRow>(
      `insert into webhook (id, account_id, url, events, include_machine, secret_encrypted) values ($1, $2, $3, $4, $5, $6)
       returning *`,
      [id, accountId, checked.href, types, includeMachine, this.secretBox.seal(secret, id)],
    );
    return Object.assign(new CreatedWebhook(), { webhook: toWebhook(rows[0]), signingSecret: secret });
  }

  async list(accountId: string): Promise<Webhook[]> {
    const { rows } = await this.pool.query<WebhookRow>(
      'select * from webhook where account_id = $1 and deleted_at is null order by created_at',
      [accountId],
    );
    return rows.map(toWebhook);
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const { rowCount } = isUuid(id)
      ? await this.pool.query(
          'update webhook set deleted_at = now() where id = $1 and account_id = $2 and deleted_at is null',
          [id, accountId],
        )
      : { rowCount: 0 };
    if (!rowCount) throw new NotFoundError('webhook', id);
    return true;
  }

  /** The delivery log, newest first. */
  async deliveries(accountId: string, webhookId: string | null, first: number): Promise<WebhookDelivery[]> {
    if (!Number.isInteger(first) || first < 1 || first > 500)
      throw new BadInputError('first must be from 1 to 500');
    if (webhookId && !isUuid(webhookId)) throw new NotFoundError('webhook', webhookId);
    const { rows } = await this.pool.query(
      `select id, webhook_id, status, event_count, attempts, last_status_code, last_error, created_at, last_attempt_at,
              next_attempt_at, delivered_at
       from webhook_delivery where account_id = $1 and ($2::uuid is null or webhook_id = $2)
       order by created_at desc, id desc limit $3`,
      [accountId, webhookId, first],
    );
    return rows.map((r) =>
      Object.assign(new WebhookDelivery(), {
        id: r.id,
        webhookId: r.webhook_id,
        status: r.status as DeliveryStatus,
        eventCount: r.event_count,
        attempts: r.attempts,
        lastStatusCode: r.last_status_code,
        lastError: r.last_error,
        createdAt: r.created_at,
        lastAttemptAt: r.last_attempt_at,
        nextAttemptAt: r.next_attempt_at,
        deliveredAt: r.delivered_at,
      }),
    );
  }

  /** Sends a delivery again now (any status); re-enables its endpoint if it was disabled. */
  async redeliver(accountId: string, deliveryId: string): Promise<WebhookDelivery> {
    const { rows } = isUuid(deliveryId)
      ? await this.pool.query<{ webhook_id: string }>(
          `update webhook_delivery d set status = 'PENDING', attempts = 0, next_attempt_at = now()
           from webhook w where d.id = $1 and d.account_id = $2 and w.id = d.webhook_id and w.deleted_at is null
           returning d.webhook_id`,
          [deliveryId, accountId],
        )
      : { rows: [] };
    if (!rows[0]) throw new NotFoundError('webhook delivery', deliveryId);
    await this.pool.query(
      'update webhook set disabled_at = null, disabled_reason = null, consecutive_failures = 0 where id = $1',
      [rows[0].webhook_id],
    );
    await enqueueWebhookDelivery(this.pool, deliveryId, rows[0].webhook_id, null);
    return (await this.deliveries(accountId, rows[0].webhook_id, 500)).find((d) => d.id === deliveryId)!;
  }
}
