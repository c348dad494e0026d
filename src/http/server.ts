import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import { AppError } from '../errors.js';
import type { Context } from '../graphql/context.js';
import { bearerToken } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/format-error.js';
import { createLoaders } from '../graphql/loaders.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { createTrackingHandler } from '../tracking/tracking.routes.js';
import { TRACKING_PREFIX } from '../tracking/tracking-urls.js';
import { healthCheck } from './health.js';

export interface HttpApp {
  server: Server;
  apollo: ApolloServer<Context>;
}

/**
 * One node:http server: tracking routes are dispatched before any framework (they are the hot path),
 * everything else goes to express (GraphQL, /healthz).
 */
export async function createHttpApp(
  schema: GraphQLSchema,
  services: Services,
  trustProxy: number,
  logger: Logger,
): Promise<HttpApp> {
  const app = express();
  app.disable('x-powered-by');
  const server = createServer();
  const handleTracking = createTrackingHandler({
    tokens: services.tokens,
    buffer: services.eventBuffer,
    clickTargets: services.clickTargets,
    unsubscribes: services.unsubscribes,
    trustProxy,
    logger,
  });
  server.on('request', (req, res) => {
    if (req.url?.startsWith(TRACKING_PREFIX)) handleTracking(req, res);
    else app(req, res);
  });

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: createErrorFormatter(logger),
    introspection: true,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server })],
  });
  await apollo.start();

  app.get('/healthz', async (_req, res) => {
    const health = await healthCheck(services);
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  app.use(
    '/graphql',
    // room for a 25 MiB recipients CSV inside a JSON body
    express.json({ limit: '32mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const em = services.orm.em.fork();
        const secret = bearerToken(req.headers.authorization);
        let account = null;
        if (secret) {
          try {
            account = await services.apiKeys.authenticate(em, secret);
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            throw new GraphQLError(error.message, {
              extensions: { code: error.code, http: { status: 401 } },
            });
          }
        }
        return {
          em,
          account,
          loaders: createLoaders({ em, pool: services.pool, events: services.events }, account?.id ?? null),
        };
      },
    }),
  );
  app.use((_req, res) => {
    res
      .status(404)
      .json({ detail: 'not found: the API is at /graphql, tracking routes under /api/v1/tracking/' });
  });
  return { server, apollo };
}
