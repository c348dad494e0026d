import { randomBytes } from 'node:crypto';
import type { WebhookSettings } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { isUuid, newId } from '../db/ids.js';
import { BadInputError, NotFoundError } from '../errors.js';
import type { TrackingEventType } from '../tracking/tracking-event.type.js';
import { checkWebhookUrl } from './webhook-url.js';
import { CreatedWebhook, type DeliveryStatus, Webhook, WebhookDelivery } from './webhook.types.js';
import type { WebhookRepository, WebhookRow } from './webhook.repository.js';

const MAX_WEBHOOKS = 20;

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
    private readonly webhooks: WebhookRepository,
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
    if ((await this.webhooks.countEndpoints(accountId)) >= MAX_WEBHOOKS)
      throw new BadInputError(`at most ${MAX_WEBHOOKS} webhooks per account`);
    const id = newId();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const row = await this.webhooks.insertEndpoint({
      id,
      accountId,
      url: checked.href,
      events: types,
      includeMachine,
      secretEncrypted: this.secretBox.seal(secret, id),
    });
    return Object.assign(new CreatedWebhook(), { webhook: toWebhook(row), signingSecret: secret });
  }

  async list(accountId: string): Promise<Webhook[]> {
    return (await this.webhooks.listEndpoints(accountId)).map(toWebhook);
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const deleted = isUuid(id) && (await this.webhooks.deleteEndpoint(accountId, id));
    if (!deleted) throw new NotFoundError('webhook', id);
    return true;
  }

  /** The delivery log, newest first. */
  async deliveries(accountId: string, webhookId: string | null, first: number): Promise<WebhookDelivery[]> {
    if (!Number.isInteger(first) || first < 1 || first > 500)
      throw new BadInputError('first must be from 1 to 500');
    if (webhookId && !isUuid(webhookId)) throw new NotFoundError('webhook', webhookId);
    const rows = await this.webhooks.deliveryLog(accountId, webhookId, first);
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
    const webhookId = isUuid(deliveryId) ? await this.webhooks.resetDelivery(accountId, deliveryId) : null;
    if (!webhookId) throw new NotFoundError('webhook delivery', deliveryId);
    await this.webhooks.enableEndpoint(webhookId);
    await this.webhooks.queueDelivery(deliveryId, webhookId, null);
    return (await this.deliveries(accountId, webhookId, 500)).find((d) => d.id === deliveryId)!;
  }
}
