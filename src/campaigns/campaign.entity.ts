import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';

export enum CampaignStatus {
  DRAFT = 'DRAFT',
  SENDING = 'SENDING',
  SENT = 'SENT',
}
registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  valuesConfig: {
    DRAFT: { description: 'being prepared; can be edited' },
    SENDING: { description: 'messages are outstanding' },
    SENT: { description: 'every message is SENT, FAILED or SUPPRESSED' },
  },
});

@ObjectType({ description: 'One email, personalised and individually tracked for each recipient.' })
@Entity({ tableName: 'campaign' })
export class Campaign {
  [OptionalProps]?:
    | 'text'
    | 'status'
    | 'recipientCount'
    | 'fanoutCursor'
    | 'fanoutCompletedAt'
    | 'sendStartedAt'
    | 'completedAt'
    | 'createdAt'
    | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  accountId!: string;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field({ description: 'may use {{first_name}}-style placeholders like html' })
  @Property({ type: 'text' })
  subject!: string;

  @Field()
  @Property({ type: 'text' })
  html!: string;

  @Field(() => String, { nullable: true, description: 'plain-text alternative; personalised like html' })
  @Property({ type: 'text', nullable: true })
  text: string | null = null;

  @Property({ type: 'uuid' })
  senderId!: string;

  @Field(() => CampaignStatus)
  @Enum({ items: () => CampaignStatus })
  status: CampaignStatus = CampaignStatus.DRAFT;

  @Field(() => Int, { description: 'recipients added so far' })
  @Property({ type: 'integer' })
  recipientCount = 0;

  @Property({ type: 'uuid', nullable: true })
  fanoutCursor: string | null = null;

  @Property({ columnType: 'timestamptz', nullable: true })
  fanoutCompletedAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'when sendCampaign was called' })
  @Property({ columnType: 'timestamptz', nullable: true })
  sendStartedAt: Date | null = null;

  @Field(() => Date, {
    nullable: true,
    description: 'when the last message reached SENT, FAILED or SUPPRESSED',
  })
  @Property({ columnType: 'timestamptz', nullable: true })
  completedAt: Date | null = null;

  @Field()
  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
