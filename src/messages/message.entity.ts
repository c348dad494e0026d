import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';

export enum MessageStatus {
  QUEUED = 'QUEUED',
  SENDING = 'SENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
  SUPPRESSED = 'SUPPRESSED',
}
registerEnumType(MessageStatus, {
  name: 'MessageStatus',
  valuesConfig: {
    QUEUED: { description: 'accepted, waiting for a worker' },
    SENDING: { description: 'a worker holds it' },
    SENT: { description: 'the SMTP server accepted it' },
    FAILED: { description: 'gave up; `error` says why' },
    SUPPRESSED: { description: 'not sent: the recipient unsubscribed or bounced before' },
  },
});

@ObjectType('EmailMessage', { description: 'One email to one recipient: a row of the dashboard.' })
@Entity({ tableName: 'message' })
export class EmailMessage {
  [OptionalProps]?:
    | 'campaignId'
    | 'recipientId'
    | 'body'
    | 'isHtml'
    | 'status'
    | 'error'
    | 'sendAttempts'
    | 'smtpResponse'
    | 'queuedAt'
    | 'sentAt'
    | 'openCount'
    | 'machineOpenCount'
    | 'firstOpenedAt'
    | 'lastOpenedAt'
    | 'lastOpenEventId'
    | 'clickCount'
    | 'unsubscribedAt'
    | 'updatedAt'
    | 'timeToOpenSeconds';

  @Field(() => ID, { description: 'the request id that sendEmail returns' })
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  accountId!: string;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  campaignId: string | null = null;

  /** The campaign_recipient row whose fields personalise this message. */
  @Property({ type: 'uuid', nullable: true })
  recipientId: string | null = null;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  senderId!: string;

  @Field()
  @Property({ type: 'text' })
  recipient!: string;

  @Field(() => Int, {
    description: '1 for the first email this account sent to this recipient, then 2, 3, ...',
  })
  @Property({ type: 'integer' })
  sequenceId!: number;

  @Field()
  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text', nullable: true, lazy: true })
  body: string | null = null;

  @Property({ type: 'boolean' })
  isHtml = false;

  @Field(() => MessageStatus)
  @Enum({ items: () => MessageStatus, nativeEnumName: undefined })
  status: MessageStatus = MessageStatus.QUEUED;

  @Field(() => String, { nullable: true, description: 'why it FAILED (or why the last attempt failed)' })
  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Field(() => Int, { description: 'SMTP attempts made so far' })
  @Property({ type: 'integer' })
  sendAttempts = 0;

  @Property({ type: 'text', nullable: true })
  smtpResponse: string | null = null;

  @Field()
  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  queuedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ columnType: 'timestamptz', nullable: true })
  sentAt: Date | null = null;

  @Field(() => Int, { description: 'human opens' })
  @Property({ type: 'integer' })
  openCount = 0;

  @Field(() => Int, { description: 'opens made by proxies, prefetchers and scanners' })
  @Property({ type: 'integer' })
  machineOpenCount = 0;

  @Field(() => Date, { nullable: true })
  @Property({ columnType: 'timestamptz', nullable: true })
  firstOpenedAt: Date | null = null;

  @Property({ columnType: 'timestamptz', nullable: true })
  lastOpenedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  lastOpenEventId: string | null = null;

  @Field(() => Int)
  @Property({ type: 'integer' })
  clickCount = 0;

  @Field(() => Date, { nullable: true })
  @Property({ columnType: 'timestamptz', nullable: true })
  unsubscribedAt: Date | null = null;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();

  @Field(() => Int, { nullable: true, description: 'firstOpenedAt - sentAt, counting only human opens' })
  get timeToOpenSeconds(): number | null {
    if (!this.firstOpenedAt || !this.sentAt) return null;
    return Math.max(0, Math.round((this.firstOpenedAt.getTime() - this.sentAt.getTime()) / 1000));
  }
}
