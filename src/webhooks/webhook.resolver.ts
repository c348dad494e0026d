import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { accountIdOf, type Context } from '../graphql/context.js';
import { TrackingEventType } from '../tracking/tracking-event.type.js';
import type { WebhookService } from './webhook.service.js';
import { CreatedWebhook, Webhook, WebhookDelivery } from './webhook.types.js';

@Resolver()
export class WebhookResolver {
  constructor(private readonly webhookService: WebhookService) {}

  @Query(() => [Webhook])
  webhooks(@Ctx() context: Context): Promise<Webhook[]> {
    return this.webhookService.list(accountIdOf(context));
  }

  @Query(() => [WebhookDelivery], { description: 'the delivery log, newest first' })
  webhookDeliveries(
    @Ctx() context: Context,
    @Arg('webhookId', () => ID, { nullable: true }) webhookId?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
  ): Promise<WebhookDelivery[]> {
    return this.webhookService.deliveries(accountIdOf(context), webhookId ?? null, first ?? 50);
  }

  @Mutation(() => CreatedWebhook, { description: 'https only; the signing secret is shown once' })
  createWebhook(
    @Arg('url') url: string,
    @Arg('events', () => [TrackingEventType]) events: TrackingEventType[],
    @Ctx() context: Context,
    @Arg('includeMachine', { nullable: true, defaultValue: false }) includeMachine?: boolean,
  ): Promise<CreatedWebhook> {
    return this.webhookService.create(accountIdOf(context), url, events, includeMachine ?? false);
  }

  @Mutation(() => Boolean)
  deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<boolean> {
    return this.webhookService.delete(accountIdOf(context), id);
  }

  @Mutation(() => WebhookDelivery, {
    description: 'send a delivery again now; re-enables a disabled endpoint',
  })
  redeliver(
    @Arg('deliveryId', () => ID) deliveryId: string,
    @Ctx() context: Context,
  ): Promise<WebhookDelivery> {
    return this.webhookService.redeliver(accountIdOf(context), deliveryId);
  }
}
