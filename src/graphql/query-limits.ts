import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { BREAK, type DocumentNode, GraphQLError, type ValidationRule, visit } from 'graphql';
import type { QueryLimits } from '../config.js';
import type { Context } from './context.js';

/** The code of every refused document, with `limit` (which one) and `max` beside it. */
export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

type LimitName = 'maxTokens' | 'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxCost';

function queryTooComplex(limit: LimitName, max: number, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: QUERY_TOO_COMPLEX, limit, max } });
}

/** Armor reports through these instead of its own BAD_USER_INPUT, so the code names the cause. */
function reject(limit: LimitName, max: number) {
  const onReject: GraphQLArmorRejectCallback[] = [
    (ctx, error) => ctx?.reportError(queryTooComplex(limit, max, error.message)),
  ];
  return { onReject, propagateOnRejection: false, exposeLimits: true };
}

/**
 * graphql-armor's limits, checked before anything runs. The token limit stops graphql's parser
 * itself (a 300,000-alias document costs a few thousand tokens of lexing, not a parse), the others
 * are validation rules. Introspection is left out of depth and cost: GraphiQL's schema query is deep
 * by nature and is answered to authenticated callers only (see `introspectionForMembers`).
 */
export function queryLimitProtection(limits: QueryLimits): {
  plugins: ApolloServerPlugin<Context>[];
  validationRules: ValidationRule[];
  parseOptions: { maxTokens: number };
} {
  const armor = new ApolloArmor({
    blockFieldSuggestion: { enabled: false },
    // Apollo's own parser takes the token limit (parseOptions below): it stops lexing there
    maxTokens: { enabled: false },
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, ...reject('maxDepth', limits.maxDepth) },
    // __typename too: 300,000 aliases of it were the cheapest way to stall the event loop
    maxAliases: { n: limits.maxAliases, allowList: [], ...reject('maxAliases', limits.maxAliases) },
    maxDirectives: { n: limits.maxDirectives, ...reject('maxDirectives', limits.maxDirectives) },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, ...reject('maxCost', limits.maxCost) },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins: [
      ...(plugins as ApolloServerPlugin<Context>[]),
      queryTooComplexCode(limits.maxTokens),
      anonymousErrors,
    ],
    validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
  };
}

/**
 * Apollo re-codes every validation error as GRAPHQL_VALIDATION_FAILED and the token limit is a
 * parse error: both get the code that names the cause back here.
 */
function queryTooComplexCode(maxTokens: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (typeof error.extensions.limit === 'string') {
              error.extensions.code = QUERY_TOO_COMPLEX;
            } else if (/Document contains more tha[nt] \d+ tokens/.test(error.message)) {
              Object.assign(error.extensions, {
                code: QUERY_TOO_COMPLEX,
                limit: 'maxTokens',
                max: maxTokens,
              });
            }
          }
        },
      };
    },
  };
}

/**
 * Callers without a key learn nothing of the schema: no introspection, no "Did you mean" hints.
 * Authenticated callers (the playground, codegen with a key) keep both.
 */
const anonymousErrors: ApolloServerPlugin<Context> = {
  async requestDidStart({ contextValue }) {
    if (contextValue.account) return;
    return {
      async didResolveOperation({ document }) {
        if (asksForSchema(document)) {
          throw new GraphQLError('introspection needs an API key: send "Authorization: Bearer <key>"', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
      },
      async didEncounterErrors({ errors }) {
        for (const error of errors) error.message = error.message.replace(/ ?Did you mean .+\?/g, '');
      },
    };
  },
};

function asksForSchema(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
    },
  });
  return found;
}
