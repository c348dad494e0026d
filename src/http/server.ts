import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { EntityManager } from '@mikro-orm/postgresql';
import express from 'express';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Account } from '../accounts/account.entity.js';
import type { SubscriptionHub } from '../live/subscription-hub.js';
import type { GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Config } from '../config.js';
import type { Context } from '../graphql/context.js';
import { bearerToken } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/format-error.js';
import { createLoaders } from '../graphql/loaders.js';
import { queryLimitProtection } from '../graphql/query-limits.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { createDashboardHandler } from '../dashboard/dashboard.routes.js';
import { createPlaygroundHandler } from '../playground/playground.routes.js';
import { createTrackingHandler } from '../tracking/http/tracking.routes.js';
import { TRACKING_PREFIX } from '../tracking/tracking-urls.js';
import { costBudget } from '../graphql/api-limits.js';
import { apiGate, callerOf } from './api-gate.js';
import { clientIp } from './client-ip.js';
import { graphqlBodyParser } from './body-limits.js';
import { healthCheck } from './health.js';

export type HttpSettings = Pick<
  Config,
  | 'trustProxy'
  | 'queryLimits'
  | 'apiAnonymousBodyLimit'
  | 'apiBodyLimit'
  | 'apiImportBodyLimit'
  | 'metricsPort'
>;

/** Every answer of the API (JSON) is never sniffed, framed or given a referrer. */
const API_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

export interface HttpApp {
  server: Server;
  apollo: ApolloServer<Context>;
}

/**
 * One node:http server: tracking routes are dispatched before any framework (they are the hot path),
 * then the browser pages (dashboard, GraphQL playground), everything else goes to express (GraphQL,
 * /healthz); WebSocket upgrades on /graphql to graphql-ws.
 */
export async function createHttpApp(
  schema: GraphQLSchema,
  services: Services,
  settings: HttpSettings,
  logger: Logger,
  live?: SubscriptionHub,
): Promise<HttpApp> {
  const app = express();
  app.disable('x-powered-by');
  const server = createServer();
  const handleTracking = createTrackingHandler({
    tokens: services.tokens,
    buffer: services.eventBuffer,
    clickTargets: services.clickTargets,
    unsubscribes: services.unsubscribes,
    trustProxy: settings.trustProxy,
    metrics: services.metrics,
    logger,
  });
  const handleDashboard = createDashboardHandler();
  const handlePlayground = createPlaygroundHandler();
  server.on('request', (req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith(TRACKING_PREFIX)) return handleTracking(req, res);
    if (req.method === 'GET' || req.method === 'HEAD') {
      const path = url.split('?', 1)[0];
      if (handleDashboard(req, res, path) || handlePlayground(req, res, path)) return;
    }
    app(req, res);
  });

  const limits = queryLimitProtection(settings.queryLimits);
  const apollo = new ApolloServer<Context>({
    schema,
    formatError: createErrorFormatter(logger),
    // introspection answers authenticated callers only (src/graphql/query-limits.ts)
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // a text/plain or form POST, or a GET without a preflight-forcing header, is refused (CSRF)
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      ...limits.plugins,
      costBudget(schema, (accountId, cost) => services.apiLimits.allows({ kind: 'cost', accountId, cost })),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // browsers get our offline GraphiQL (src/playground/); Apollo's landing page loads from a CDN
      ApolloServerPluginLandingPageDisabled(),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
    ],
  });
  await apollo.start();

  app.use((_req, res, next) => {
    res.set(API_HEADERS);
    next();
  });
  // on this port unless METRICS_PORT gives it a listener of its own (src/observability/metrics-server.ts)
  if (settings.metricsPort === null) {
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await services.metrics.scrape();
      res.type(contentType).send(body);
    });
  }
  app.get('/healthz', async (_req, res) => {
    const health = await healthCheck(services);
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  app.use(
    '/graphql',
    apiGate({
      fork: () => services.orm.em.fork(),
      authenticate: (em, secret) => services.apiKeys.authenticate(em, secret),
      allows: (call) => services.apiLimits.allows(call),
      trustProxy: settings.trustProxy,
    }),
    ...graphqlBodyParser({
      anonymous: settings.apiAnonymousBodyLimit,
      general: settings.apiBodyLimit,
      imports: settings.apiImportBodyLimit,
    }),
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const { em, account, authError } = callerOf(res);
        if (authError) {
          throw new GraphQLError(authError.message, {
            extensions: { code: authError.code, http: { status: 401 } },
          });
        }
        return contextFor(services, em, account, live);
      },
    }),
  );

  // graphql-ws (the graphql-transport-ws protocol) on the same port and path as /graphql
  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>, { account?: Account }>(
    {
      schema,
      // the API key travels as connectionParams.authorization; a bad one closes the socket (4403)
      onConnect: async (ctx) => {
        const secret = bearerToken(String(ctx.connectionParams?.authorization ?? ''));
        if (!secret) return false;
        try {
          ctx.extra.account = await services.apiKeys.authenticate(services.orm.em.fork(), secret);
          return true;
        } catch {
          const ip = clientIp(ctx.extra.request, settings.trustProxy);
          await services.apiLimits.allows({ kind: 'failed_auth', ip });
          return false;
        }
      },
      context: (ctx) => contextFor(services, services.orm.em.fork(), ctx.extra.account ?? null, live),
    },
    wsServer,
  );

  app.use((_req, res) => {
    res.status(404).json({
      detail:
        'not found: the API is at /graphql, the dashboard at /dashboard/, tracking routes under /api/v1/tracking/',
    });
  });
  return { server, apollo };
}

function contextFor(
  services: Services,
  em: EntityManager,
  account: Account | null,
  live: SubscriptionHub | undefined,
): Context {
  return {
    em,
    account,
    loaders: createLoaders(
      { em, stats: services.campaignStats, events: services.events, messages: services.messages },
      account?.id ?? null,
    ),
    live,
  };
}
