import { type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  validate,
} from 'graphql';
import { secondsToNextWindow } from '../rate-limits/api-rate-limits.js';
import type { Context } from './context.js';

/** 429 RATE_LIMITED with Retry-After: the caller is over a per-minute limit until the window ends. */
export function rateLimited(what = 'too many requests'): GraphQLError {
  const retryAfter = secondsToNextWindow();
  return new GraphQLError(`${what}: try again in ${retryAfter} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds: retryAfter,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
    },
  });
}

/**
 * Charges each operation's cost to its account's budget per minute (API_LIMIT_COST_PER_MINUTE):
 * many cheap requests are limited by the request count, a few expensive ones by this.
 */
export function costBudget(
  schema: GraphQLSchema,
  allows: (accountId: string, cost: number) => Promise<boolean>,
): ApolloServerPlugin<Context> {
  const costs = new WeakMap<OperationDefinitionNode, number>();
  return {
    async requestDidStart({ contextValue }) {
      const account = contextValue.account;
      if (!account) return;
      return {
        async didResolveOperation({ document, operation }) {
          if (!operation) return;
          let cost = costs.get(operation);
          if (cost === undefined) {
            cost = operationCost(schema, document, operation);
            costs.set(operation, cost);
          }
          if (!(await allows(account.id, cost))) throw rateLimited("over the account's query cost budget");
        },
      };
    },
  };
}

/**
 * graphql-armor's own cost measure (the one QUERY_MAX_COST limits) of the operation that runs,
 * whole units. Apollo keeps parsed documents, so `costs` above computes it once per document.
 */
function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) {
  let cost = 0;
  const only: DocumentNode = {
    ...document,
    definitions: document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION),
  };
  validate(schema, only, [
    costLimitRule({
      maxCost: Number.MAX_SAFE_INTEGER,
      propagateOnRejection: false,
      onAccept: [(_context, { n }) => void (cost = n)],
    }),
  ]);
  return Math.max(1, Math.ceil(cost));
}
