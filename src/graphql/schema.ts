import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { requireAccount } from './auth.middleware.js';

const UNUSED_PUBSUB = {
  publish: () => {
    throw new Error('publish through src/live/event-notifier.ts');
  },
  subscribe: () => {
    throw new Error('subscriptions use their own subscribe function');
  },
};

/**
 * Builds the schema from the resolver instances the service wired (src/services.ts): their classes
 * are the schema's resolvers, and each class resolves to its one instance.
 */
export function buildGraphqlSchema(resolvers: NonEmptyArray<object>): Promise<GraphQLSchema> {
  const byClass = new Map<Function, object>(resolvers.map((r) => [r.constructor, r]));
  return buildSchema({
    resolvers: [...byClass.keys()] as NonEmptyArray<Function>,
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
        if (!instance) throw new Error(`no instance for resolver ${someClass.name}`);
        return instance;
      },
    },
  });
}

/** The committed schema.graphql is exactly this text. */
export function printSchemaFile(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
