import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { MessageStatus } from '../messages/message.entity.js';
import { TRACKING_EVENT_KINDS, type TrackingEventKind } from './event-kinds.js';

/**
 * A message's outcome that webhooks can ask for: a status of the message, not a tracked event.
 * The public contract lists both in one enum (createWebhook takes [TrackingEventType!]!).
 */
export type MessageOutcome = `${MessageStatus.SENT}` | `${MessageStatus.FAILED}`;

/**
 * The GraphQL enum TrackingEventType, made from the tracked kinds (event-kinds.ts) and the message
 * outcomes: a kind added there is a value here.
 */
export const TrackingEventType = {
  ...(Object.fromEntries(TRACKING_EVENT_KINDS.map((kind) => [kind, kind])) as {
    [K in TrackingEventKind]: K;
  }),
  SENT: MessageStatus.SENT,
  FAILED: MessageStatus.FAILED,
} as const satisfies Record<string, TrackingEventKind | MessageOutcome>;
export type TrackingEventType = TrackingEventKind | MessageOutcome;
registerEnumType(TrackingEventType, {
  name: 'TrackingEventType',
  valuesConfig: {
    SENT: { description: 'the SMTP server accepted the message (webhooks only)' },
    FAILED: { description: 'the message failed or bounced (webhooks only)' },
  },
});

@ObjectType()
export class Location {
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' })
  country!: string | null;

  @Field(() => String, { nullable: true })
  region!: string | null;

  @Field(() => String, { nullable: true })
  city!: string | null;

  @Field(() => Float, { nullable: true })
  latitude!: number | null;

  @Field(() => Float, { nullable: true })
  longitude!: number | null;
}

@ObjectType()
export class TrackingEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => TrackingEventType)
  type!: TrackingEventKind;

  @Field()
  occurredAt!: Date;

  @Field(() => ID)
  messageId!: string;

  @Field(() => ID, { nullable: true })
  campaignId!: string | null;

  @Field()
  recipient!: string;

  @Field(() => String, { nullable: true })
  ipAddress!: string | null;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'the email client from the user agent (e.g. "Apple Mail")',
  })
  client!: string | null;

  @Field(() => String, { nullable: true, description: 'desktop, mobile or tablet' })
  device!: string | null;

  @Field(() => Location, {
    nullable: true,
    description: 'from the local GeoIP database; null for private addresses and places it does not know',
  })
  location!: Location | null;

  @Field(() => String, { nullable: true, description: 'the destination, for CLICK' })
  url!: string | null;

  @Field({ description: 'true when made by a proxy, prefetcher or scanner, not a person' })
  machine!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'why the event was judged a machine (or a notable human)',
  })
  machineReason!: string | null;
}
