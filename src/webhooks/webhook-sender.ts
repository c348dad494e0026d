import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Pool } from 'pg';
import type { WebhookSettings } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Logger } from '../logger.js';
import { enqueueWebhookDelivery } from '../jobs/enqueue.js';
import type { HostLookup } from '../net/host-lookup.js';
import { resolveEndpoint } from './webhook-url.js';

/** Attempts per delivery: with the backoff below they span about a day. */
export const WEBHOOK_MAX_ATTEMPTS = 12;

/** 30 s, 1 min, 2 min, ... doubling, capped at 6 h, +-20% so that endpoints coming back are not stampeded. */
export function webhookRetryDelayMs(attempt: number): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 6 * 3_600_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** The signature header: v1 = HMAC-SHA256(secret, `${timestamp}.${body}`), hex. */
export function signature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

interface DeliveryRow {
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

interface Outcome {
  statusCode: number | null;
  error: string | null;
}

/**
 * Sends one delivery: a signed JSON POST to the endpoint's checked address, a timeout, no
 * redirects. 2xx delivers; anything else is retried with backoff, and an endpoint that has failed
 * every attempt for WEBHOOK_DISABLE_AFTER_HOURS is disabled with the reason.
 */
export class WebhookSender {
  constructor(
    private readonly pool: Pool,
    private readonly secretBox: SecretBox,
    private readonly settings: WebhookSettings,
    private readonly lookup: HostLookup,
    private readonly logger: Logger,
  ) {}

  async deliver(deliveryId: string): Promise<void> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `select d.id, d.webhook_id, d.status, d.attempts, d.payload, w.url, w.secret_encrypted, w.deleted_at, w.disabled_at
       from webhook_delivery d join webhook w on w.id = d.webhook_id where d.id = $1`,
      [deliveryId],
    );
    const delivery = rows[0];
    if (!delivery || delivery.status !== 'PENDING') return;
    if (delivery.deleted_at || delivery.disabled_at) {
      await this.record(delivery, 'FAILED', {
        statusCode: null,
        error: 'the endpoint was deleted or disabled',
      });
      return;
    }
    const body = JSON.stringify({ delivery_id: delivery.id, events: delivery.payload.events });
    const outcome = await this.post(delivery, body);
    if (outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300) {
      await this.record(delivery, 'DELIVERED', outcome);
      await this.pool.query(
        'update webhook set consecutive_failures = 0, failing_since = null where id = $1',
        [delivery.webhook_id],
      );
      return;
    }
    const disabled = await this.countFailure(delivery.webhook_id, outcome);
    const attempts = delivery.attempts + 1;
    if (disabled || attempts >= WEBHOOK_MAX_ATTEMPTS) {
      await this.record(delivery, 'FAILED', outcome);
      return;
    }
    const next = new Date(Date.now() + webhookRetryDelayMs(attempts));
    await this.record(delivery, 'PENDING', outcome, next);
    await enqueueWebhookDelivery(this.pool, delivery.id, delivery.webhook_id, next);
  }

  private async post(delivery: DeliveryRow, body: string): Promise<Outcome> {
    const url = new URL(delivery.url);
    const timestamp = Math.floor(Date.now() / 1000);
    const secret = this.secretBox.open(delivery.secret_encrypted, delivery.webhook_id);
    let address: string;
    try {
      address = await resolveEndpoint(url, this.settings, this.lookup);
    } catch (error) {
      return { statusCode: null, error: (error as Error).message };
    }
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Outcome>((resolve) => {
      const req = request(
        {
          host: address,
          port: url.port || (url.protocol === 'https:' ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          servername: url.hostname,
          timeout: this.settings.timeoutMs,
          headers: {
            host: url.host,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'mailtrace-webhooks/1',
            'mailtrace-delivery': delivery.id,
            'mailtrace-timestamp': String(timestamp),
            'mailtrace-signature': signature(secret, timestamp, body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const code = res.statusCode ?? 0;
            const redirect = code >= 300 && code < 400;
            resolve({
              statusCode: code,
              error:
                code >= 200 && code < 300
                  ? null
                  : redirect
                    ? `HTTP ${code}: redirects are not followed`
                    : `HTTP ${code}`,
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.settings.timeoutMs} ms`)));
      req.on('error', (error) => resolve({ statusCode: null, error: error.message }));
      req.end(body);
    });
  }

  private async record(delivery: DeliveryRow, status: string, outcome: Outcome, next: Date | null = null) {
    await this.pool.query(
      `update webhook_delivery set status = $2, attempts = attempts + 1, last_status_code = $3, last_error = $4,
         last_attempt_at = now(), next_attempt_at = $5, delivered_at = case when $2 = 'DELIVERED' then now() end
       where id = $1`,
      [delivery.id, status, outcome.statusCode, outcome.error?.slice(0, 500) ?? null, next],
    );
  }

  /** Counts a failed attempt; disables the endpoint once it has failed for long enough. */
  private async countFailure(webhookId: string, outcome: Outcome): Promise<boolean> {
    const { rows } = await this.pool.query<{ disabled: boolean }>(
      `update webhook set consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now()),
         disabled_at = case when coalesce(failing_since, now()) <= now() - make_interval(secs => $2 / 1000.0)
                            then now() end,
         disabled_reason = case when coalesce(failing_since, now()) <= now() - make_interval(secs => $2 / 1000.0)
                                then 'failing since ' || to_char(coalesce(failing_since, now()), 'YYYY-MM-DD HH24:MI') || ' UTC, '
                                     || (consecutive_failures + 1) || ' failed attempts; last: ' || $3 end
       where id = $1 returning disabled_at is not null as disabled`,
      [webhookId, this.settings.disableAfterMs, outcome.error ?? 'unknown error'],
    );
    if (rows[0]?.disabled)
      this.logger.warn({ webhookId }, 'webhook endpoint disabled after sustained failure');
    return rows[0]?.disabled ?? false;
  }
}
