import { GraphQLError } from 'graphql';
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity.js';
import { isUuid } from '../db/ids.js';
import { AppError, NotFoundError } from '../errors.js';
import { accountIdOf, type Context } from '../graphql/context.js';
import { TrackingEvent, TrackingEventType } from '../tracking/tracking-event.type.js';

interface LiveArgs {
  campaignId?: string | null;
  types?: TrackingEventType[] | null;
}

/**
 * Checks the caller and the campaign, then hands back the process's stream of matching events.
 * A campaign of another account is refused (NOT_FOUND), not silently empty.
 */
async function subscribe(context: Context, args: LiveArgs, types: TrackingEventType[] | null) {
  try {
    const accountId = accountIdOf(context);
    if (!context.live) throw new Error('subscriptions are served over graphql-ws');
    const campaignId = args.campaignId ?? null;
    if (campaignId) {
      const owned =
        isUuid(campaignId) && (await context.em.count(Campaign, { id: campaignId, accountId })) > 0;
      if (!owned) throw new NotFoundError('campaign', campaignId);
    }
    return await context.live.subscribe({ accountId, campaignId, types });
  } catch (error) {
    // graphql-ws reports what subscribe throws; give it the same codes the HTTP API uses
    if (error instanceof AppError)
      throw new GraphQLError(error.message, { extensions: { code: error.code } });
    throw error;
  }
}

@Resolver()
export class LiveResolver {
  @Subscription(() => TrackingEvent, {
    description: 'opens as they happen, located, for one campaign or all',
    subscribe: ({ args, context }) =>
      subscribe(context as Context, args as LiveArgs, [TrackingEventType.OPEN]),
  })
  emailOpened(
    @Root() event: TrackingEvent,
    @Arg('campaignId', () => ID, { nullable: true }) _campaignId?: string,
  ): TrackingEvent {
    return event;
  }

  @Subscription(() => TrackingEvent, {
    description:
      'opens, clicks and unsubscribes as they happen (clicks again once judged), filtered by campaign and type',
    subscribe: ({ args, context }) => {
      const { types } = args as LiveArgs;
      return subscribe(context as Context, args as LiveArgs, types && types.length > 0 ? types : null);
    },
  })
  trackingEvents(
    @Root() event: TrackingEvent,
    @Arg('campaignId', () => ID, { nullable: true }) _campaignId?: string,
    @Arg('types', () => [TrackingEventType], { nullable: true }) _types?: TrackingEventType[],
  ): TrackingEvent {
    return event;
  }
}
