import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { accountIdOf, type Context } from '../graphql/context.js';
import { MessagePage } from '../messages/message.type.js';
import type { MessageService } from '../messages/message.service.js';
import { Sender } from '../senders/sender.entity.js';
import { Campaign } from './campaign.entity.js';
import { CampaignInput, RecipientInput } from './campaign.input.js';
import { AddRecipientsResult } from './campaign.type.js';
import type { CampaignService } from './campaign.service.js';
import {
  AccountOverview,
  CampaignMetrics,
  ClientCount,
  CountryCount,
  LinkCount,
  TimeBucket,
  TimelinePoint,
} from './campaign-metrics.type.js';
import type { CampaignStatsRepository } from './campaign-stats.repository.js';
import { TrackingEvent } from '../tracking/tracking-event.type.js';

/** A campaign's recent activity is a feed, not an export (that is what webhooks are for). */
const MAX_CAMPAIGN_EVENTS = 100;

@Resolver(() => Campaign)
export class CampaignResolver {
  constructor(
    private readonly campaignService: CampaignService,
    private readonly messageService: MessageService,
    private readonly stats: CampaignStatsRepository,
  ) {}

  @Query(() => [Campaign], { description: 'newest first' })
  campaigns(@Ctx() context: Context): Promise<Campaign[]> {
    return this.campaignService.list(context.em, accountIdOf(context));
  }

  @Query(() => AccountOverview, { description: 'totals and rates across all campaigns of the account' })
  overview(@Ctx() context: Context): Promise<AccountOverview> {
    return this.stats.accountOverview(accountIdOf(context));
  }

  @Query(() => Campaign, { nullable: true })
  campaign(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<Campaign | null> {
    return this.campaignService.get(context.em, accountIdOf(context), id);
  }

  @Mutation(() => Campaign)
  createCampaign(
    @Arg('input', () => CampaignInput) input: CampaignInput,
    @Ctx() context: Context,
  ): Promise<Campaign> {
    return this.campaignService.create(context.em, accountIdOf(context), input);
  }

  @Mutation(() => Campaign, { description: 'only while DRAFT' })
  updateCampaign(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => CampaignInput) input: CampaignInput,
    @Ctx() context: Context,
  ): Promise<Campaign> {
    return this.campaignService.update(context.em, accountIdOf(context), id, input);
  }

  @Mutation(() => AddRecipientsResult, { description: 'at most 10,000 per call; only while DRAFT' })
  addRecipients(
    @Arg('campaignId', () => ID) campaignId: string,
    @Arg('recipients', () => [RecipientInput]) recipients: RecipientInput[],
    @Ctx() context: Context,
  ): Promise<AddRecipientsResult> {
    return this.campaignService.addRecipients(accountIdOf(context), campaignId, recipients);
  }

  @Mutation(() => AddRecipientsResult, {
    description: 'header: email[,first_name,last_name,...attributes]; up to 25 MiB; only while DRAFT',
  })
  importRecipients(
    @Arg('campaignId', () => ID) campaignId: string,
    @Arg('csv') csv: string,
    @Ctx() context: Context,
  ): Promise<AddRecipientsResult> {
    return this.campaignService.importRecipients(accountIdOf(context), campaignId, csv);
  }

  @Mutation(() => Campaign, { description: 'DRAFT -> SENDING; messages are created and sent by workers' })
  sendCampaign(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<Campaign> {
    return this.campaignService.send(context.em, accountIdOf(context), id);
  }

  @FieldResolver(() => Sender, { description: 'deleted senders are still shown here' })
  sender(@Root() campaign: Campaign, @Ctx() context: Context): Promise<Sender> {
    return context.loaders.sender.load(campaign.senderId);
  }

  @FieldResolver(() => CampaignMetrics)
  metrics(@Root() campaign: Campaign, @Ctx() context: Context): Promise<CampaignMetrics> {
    return context.loaders.campaignMetrics.load(campaign.id);
  }

  @FieldResolver(() => MessagePage)
  messages(
    @Root() campaign: Campaign,
    @Ctx() context: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<MessagePage> {
    // first pages batch across campaigns (a list of campaigns with their messages); later ones page one by one
    if (!after) return context.loaders.campaignMessages(first ?? 50).load(campaign.id);
    return this.messageService.list(context.em, campaign.accountId, {
      campaignId: campaign.id,
      first: first ?? 50,
      after,
    });
  }

  @FieldResolver(() => [TrackingEvent], {
    description: `its newest opens, clicks and unsubscribes, newest first; at most ${MAX_CAMPAIGN_EVENTS}`,
  })
  events(
    @Root() campaign: Campaign,
    @Ctx() context: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
  ): Promise<TrackingEvent[]> {
    return context.loaders.campaignEvents(clamp(first, 20, MAX_CAMPAIGN_EVENTS)).load(campaign.id);
  }
}

const clamp = (value: number | null | undefined, fallback: number, max: number) =>
  Math.max(1, Math.min(value ?? fallback, max));

@Resolver(() => CampaignMetrics)
export class CampaignMetricsResolver {
  @FieldResolver(() => Int, {
    nullable: true,
    description: 'median of firstOpenedAt - sentAt over human opens',
  })
  medianTimeToOpenSeconds(@Root() metrics: CampaignMetrics, @Ctx() context: Context): Promise<number | null> {
    return context.loaders.medianTimeToOpen.load(metrics.campaignId);
  }

  @FieldResolver(() => [TimelinePoint], { description: 'opens and clicks per UTC hour or day, oldest first' })
  timeline(
    @Root() metrics: CampaignMetrics,
    @Ctx() context: Context,
    @Arg('bucket', () => TimeBucket, { nullable: true, defaultValue: TimeBucket.DAY })
    bucket?: TimeBucket | null,
  ): Promise<TimelinePoint[]> {
    return context.loaders.timeline(bucket ?? TimeBucket.DAY).load(metrics.campaignId);
  }

  @FieldResolver(() => [ClientCount], { description: 'human opens by email client and device, most first' })
  clients(
    @Root() metrics: CampaignMetrics,
    @Ctx() context: Context,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10 }) limit?: number | null,
  ): Promise<ClientCount[]> {
    return context.loaders.clients(clamp(limit, 10, 250)).load(metrics.campaignId);
  }

  @FieldResolver(() => [LinkCount], { description: 'clicks per link, most clicked first' })
  links(
    @Root() metrics: CampaignMetrics,
    @Ctx() context: Context,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 20 }) limit?: number | null,
  ): Promise<LinkCount[]> {
    return context.loaders.links(clamp(limit, 20, 500)).load(metrics.campaignId);
  }

  @FieldResolver(() => [CountryCount])
  topCountries(
    @Root() metrics: CampaignMetrics,
    @Ctx() context: Context,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10 }) limit?: number | null,
  ): Promise<CountryCount[]> {
    return context.loaders.topCountries(clamp(limit, 10, 250)).load(metrics.campaignId);
  }
}
