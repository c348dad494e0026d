import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum TimeBucket {
  MINUTE = 'MINUTE',
  HOUR = 'HOUR',
  DAY = 'DAY',
}
registerEnumType(TimeBucket, {
  name: 'TimeBucket',
  valuesConfig: { MINUTE: { description: 'the last 24 hours only, so that a timeline stays small' } },
});

@ObjectType()
export class CountryCount {
  @Field()
  country!: string;

  @Field(() => Int)
  opens!: number;
}

@ObjectType({ description: 'Counts of what exists; rates are over `sent`, 0 when nothing was sent.' })
export class CampaignMetrics {
  /** For the topCountries field. */
  campaignId!: string;

  @Field(() => Int)
  recipients!: number;

  @Field(() => Int)
  sent!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int)
  suppressed!: number;

  @Field(() => Int, { description: 'human OPEN events' })
  opens!: number;

  @Field(() => Int, { description: 'messages with at least one human open' })
  uniqueOpens!: number;

  @Field(() => Int)
  machineOpens!: number;

  @Field(() => Int, { description: 'human CLICK events' })
  clicks!: number;

  @Field(() => Int)
  uniqueClicks!: number;

  @Field(() => Int, { description: 'clicks made by scanners and other machines' })
  machineClicks!: number;

  @Field(() => Int)
  unsubscribes!: number;

  @Field(() => Float, { description: 'uniqueOpens / sent, 0 when nothing was sent' })
  openRate!: number;

  @Field(() => Float, { description: 'uniqueClicks / sent' })
  clickRate!: number;

  @Field(() => Float, { description: 'unsubscribes / sent' })
  unsubscribeRate!: number;
}

@ObjectType({ description: 'Opens and clicks of one minute, hour or day (UTC).' })
export class TimelinePoint {
  @Field()
  at!: Date;

  @Field(() => Int, { description: 'human opens' })
  opens!: number;

  @Field(() => Int, { description: 'messages opened (by a person) in this bucket' })
  uniqueOpens!: number;

  @Field(() => Int, { description: 'human clicks' })
  clicks!: number;

  @Field(() => Int)
  machineOpens!: number;

  @Field(() => Int)
  machineClicks!: number;
}

@ObjectType({ description: 'Human opens by email client and device family (from the user agent).' })
export class ClientCount {
  @Field()
  client!: string;

  @Field()
  device!: string;

  @Field(() => Int)
  opens!: number;
}

@ObjectType({ description: 'Clicks of one link of the campaign.' })
export class LinkCount {
  @Field()
  url!: string;

  @Field(() => Int, { description: 'human clicks' })
  clicks!: number;

  @Field(() => Int, { description: 'messages whose recipient clicked it' })
  uniqueClicks!: number;

  @Field(() => Int)
  machineClicks!: number;
}

@ObjectType({
  description: 'The account across all its campaigns (from their counters), plus its single sends.',
})
export class AccountOverview {
  @Field(() => Int)
  campaigns!: number;

  @Field(() => Int)
  recipients!: number;

  @Field(() => Int, { description: 'campaign messages sent' })
  sent!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int)
  suppressed!: number;

  @Field(() => Int)
  opens!: number;

  @Field(() => Int)
  uniqueOpens!: number;

  @Field(() => Int)
  machineOpens!: number;

  @Field(() => Int)
  clicks!: number;

  @Field(() => Int)
  uniqueClicks!: number;

  @Field(() => Int)
  unsubscribes!: number;

  @Field(() => Float, { description: 'uniqueOpens / sent over all campaigns' })
  openRate!: number;

  @Field(() => Float)
  clickRate!: number;

  @Field(() => Int, { description: 'sendEmail messages sent (outside campaigns)' })
  transactionalSent!: number;
}
