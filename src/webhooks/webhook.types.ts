import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { TrackingEventType } from '../tracking/tracking-event.type.js';

@ObjectType({ description: 'An endpoint that receives signed JSON POSTs of chosen event types.' })
export class Webhook {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => [TrackingEventType])
  events!: TrackingEventType[];

  @Field({ description: 'also deliver machine events (scanners, proxies); off by default' })
  includeMachine!: boolean;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'set when sustained failure disabled the endpoint' })
  disabledAt!: Date | null;

  @Field(() => String, { nullable: true })
  disabledReason!: string | null;

  @Field(() => Int, { description: 'failed attempts since the last success' })
  consecutiveFailures!: number;
}

@ObjectType()
export class CreatedWebhook {
  @Field(() => Webhook)
  webhook!: Webhook;

  @Field({ description: 'shown once; deliveries carry an HMAC-SHA256 of timestamp and body made with it' })
  signingSecret!: string;
}

export enum DeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(DeliveryStatus, { name: 'WebhookDeliveryStatus' });

@ObjectType({ description: 'One POST of one or more events to one endpoint, with its attempts.' })
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  webhookId!: string;

  @Field(() => DeliveryStatus)
  status!: DeliveryStatus;

  @Field(() => Int)
  eventCount!: number;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;
}
