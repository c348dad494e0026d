import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { WebhookSettings } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Logger } from '../logger.js';
import type { HostLookup } from '../net/host-lookup.js';
import { resolveEndpoint } from './webhook-url.js';
import type { DeliveryToSend, WebhookRepository } from './webhook.repository.js';

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
    private readonly webhooks: WebhookRepository,
    private readonly secretBox: SecretBox,
    private readonly settings: WebhookSettings,
    private readonly lookup: HostLookup,
    private readonly logger: Logger,
  ) {}

  async deliver(deliveryId: string): Promise<void> {
    const delivery = await this.webhooks.deliveryToSend(deliveryId);
    if (!delivery || delivery.status !== 'PENDING') return;
    if (delivery.deleted_at || delivery.disabled_at) {
      await this.webhooks.recordAttempt(
        delivery.id,
        'FAILED',
        { statusCode: null, error: 'the endpoint was deleted or disabled' },
        null,
      );
      return;
    }
    const body = JSON.stringify({ delivery_id: delivery.id, events: delivery.payload.events });
    const outcome = await this.post(delivery, body);
    if (outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300) {
      await this.webhooks.recordAttempt(delivery.id, 'DELIVERED', outcome, null);
      await this.webhooks.clearFailures(delivery.webhook_id);
      return;
    }
    const disabled = await this.countFailure(delivery.webhook_id, outcome);
    const attempts = delivery.attempts + 1;
    if (disabled || attempts >= WEBHOOK_MAX_ATTEMPTS) {
      await this.webhooks.recordAttempt(delivery.id, 'FAILED', outcome, null);
      return;
    }
    const next = new Date(Date.now() + webhookRetryDelayMs(attempts));
    await this.webhooks.recordAttempt(delivery.id, 'PENDING', outcome, next);
    await this.webhooks.queueDelivery(delivery.id, delivery.webhook_id, next);
  }

  private async post(delivery: DeliveryToSend, body: string): Promise<Outcome> {
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

  /** Counts a failed attempt; disables the endpoint once it has failed for long enough. */
  private async countFailure(webhookId: string, outcome: Outcome): Promise<boolean> {
    const disabled = await this.webhooks.countFailure(
      webhookId,
      this.settings.disableAfterMs,
      outcome.error ?? 'unknown error',
    );
    if (disabled) this.logger.warn({ webhookId }, 'webhook endpoint disabled after sustained failure');
    return disabled;
  }
}
