import type { PoolClient } from 'pg';
import { newId } from '../db/ids.js';
import type { AccountEventPayload, Endpoint, NewDelivery, WebhookRepository } from './webhook.repository.js';

/** Events per POST: batches keep a burst from becoming thousands of requests. */
const EVENTS_PER_DELIVERY = 100;

/**
 * Turns events into deliveries for the endpoints that asked for them: tracking events once
 * process_events has judged and located them (so a scanner's click never reaches an endpoint that
 * did not ask for machine events), and SENT/FAILED when delivery records the outcome.
 */
export class WebhookDispatch {
  constructor(private readonly webhooks: WebhookRepository) {}

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
    const events = await this.webhooks.eventPayloads(
      keys,
      [...new Set(endpoints.map((e) => e.account_id))],
      transaction,
    );
    await this.webhooks.insertDeliveries(deliveriesOf(endpoints, events), transaction);
  }

  async forMessages(messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    const events = await this.webhooks.messagePayloads(messageIds);
    if (events.length === 0) return;
    const endpoints = await this.endpointsOf(events.map((r) => r.account_id));
    await this.webhooks.insertDeliveries(deliveriesOf(endpoints, events));
  }

  /** In the caller's transaction when given: it holds a connection already. */
  private async endpointsOf(accountIds: readonly string[], transaction?: PoolClient): Promise<Endpoint[]> {
    if (accountIds.length === 0) return [];
    return this.webhooks.activeEndpoints(accountIds, transaction);
  }
}

/** Each endpoint's events (its types; machine events only if it asked), EVENTS_PER_DELIVERY to a delivery. */
function deliveriesOf(endpoints: readonly Endpoint[], events: readonly AccountEventPayload[]): NewDelivery[] {
  const deliveries: NewDelivery[] = [];
  for (const endpoint of endpoints) {
    const matching = events
      .filter((e) => e.account_id === endpoint.account_id && endpoint.events.includes(e.event_type))
      .filter((e) => endpoint.include_machine || !e.machine)
      .map(({ account_id: _account, ...event }) => event);
    for (let i = 0; i < matching.length; i += EVENTS_PER_DELIVERY) {
      deliveries.push({
        id: newId(),
        webhookId: endpoint.id,
        accountId: endpoint.account_id,
        events: matching.slice(i, i + EVENTS_PER_DELIVERY),
      });
    }
  }
  return deliveries;
}
