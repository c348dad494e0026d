import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { AccountResolver } from '../accounts/account.resolver.js';
import { CampaignMetricsResolver, CampaignResolver } from '../campaigns/campaign.resolver.js';
import { MessageResolver } from '../messages/message.resolver.js';
import { LiveResolver } from '../live/live.resolver.js';
import { PrivacyResolver } from '../privacy/privacy.resolver.js';
import { SenderResolver } from '../senders/sender.resolver.js';
import { SuppressionResolver } from '../suppressions/suppression.resolver.js';
import { WebhookResolver } from '../webhooks/webhook.resolver.js';
import { requireAccount } from './auth.middleware.js';

export const RESOLVERS: NonEmptyArray<Function> = [
  AccountResolver,
  SenderResolver,
  MessageResolver,
  CampaignResolver,
  CampaignMetricsResolver,
  SuppressionResolver,
  PrivacyResolver,
  LiveResolver,
  WebhookResolver,
];

const UNUSED_PUBSUB = {
  publish: () => {
    throw new Error('publish through src/live/event-notifier.ts');
  },
  subscribe: () => {
    throw new Error('subscriptions use their own subscribe function');
  },
};

/** Builds the schema; `resolverInstances` supplies each resolver class with its services. */
export function buildGraphqlSchema(resolverInstances: object[] = []): Promise<GraphQLSchema> {
  const byClass = new Map<Function, object>(resolverInstances.map((r) => [r.constructor, r]));
  return buildSchema({
    resolvers: RESOLVERS,
    // The contract names the scalar DateTime (type-graphql 2 would say DateTimeISO).
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    globalMiddlewares: [requireAccount],
    // subscriptions bring their own streams (`subscribe`, fed by PostgreSQL LISTEN/NOTIFY, see
    // src/live/); type-graphql still asks for a pub/sub system, which nothing uses
    pubSub: UNUSED_PUBSUB,
    validate: false,
    container: {
      get: (someClass: Function) => {
        const instance = byClass.get(someClass);
        if (instance) return instance;
        // resolvers without dependencies need no wiring
        if (someClass.length === 0) return new (someClass as new () => object)();
        throw new Error(`no instance for resolver ${someClass.name}`);
      },
    },
  });
}

/** The committed schema.graphql is exactly this text. */
export function printSchemaFile(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
