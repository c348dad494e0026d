import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestHandler, Response } from 'express';
import type { Account } from '../accounts/account.entity.js';
import { AppError } from '../errors.js';
import { bearerToken } from '../graphql/context.js';
import { rateLimited } from '../graphql/api-limits.js';
import type { ApiCall } from '../rate-limits/api-rate-limits.js';
import { clientIp } from './client-ip.js';

/** Who sent a /graphql request, as the gate found out from its headers alone. */
export interface ApiCaller {
  /** The request's own entity manager: the account was loaded in it, and the resolvers use it. */
  em: EntityManager;
  account: Account | null;
  /** Why the key in the header did not authenticate (answered 401 by the GraphQL context). */
  authError: AppError | null;
}

export interface ApiGateDeps {
  /** A fresh entity manager for one request. */
  fork: () => EntityManager;
  authenticate: (em: EntityManager, secret: string) => Promise<Account>;
  allows: (call: ApiCall) => Promise<boolean>;
  trustProxy: number;
}

/**
 * Runs before a /graphql body is read: authenticates the key in the Authorization header and
 * counts the request against its per-minute limit (the account's, or the client address's without
 * a key or with a bad one). Over a limit the answer is 429 at once and the connection is closed, so
 * a flood costs a header parse and a counter, never the reading and parsing of its bodies.
 */
export function apiGate(deps: ApiGateDeps): RequestHandler {
  return (req, res, next) => {
    void (async () => {
      const secret = bearerToken(req.headers.authorization);
      const ip = clientIp(req, deps.trustProxy);
      const caller: ApiCaller = { em: deps.fork(), account: null, authError: null };
      if (secret) {
        try {
          caller.account = await deps.authenticate(caller.em, secret);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          caller.authError = error;
          if (!(await deps.allows({ kind: 'failed_auth', ip }))) return tooManyRequests(res);
        }
      }
      const call: ApiCall = caller.account
        ? { kind: 'key', accountId: caller.account.id }
        : { kind: 'anonymous', ip };
      if (!caller.authError && !(await deps.allows(call))) return tooManyRequests(res);
      res.locals.caller = caller;
      next();
    })().catch(next);
  };
}

/** The caller the gate let through (every /graphql request passed it). */
export function callerOf(res: Response): ApiCaller {
  return res.locals.caller as ApiCaller;
}

/** As a GraphQL error response, so clients read it like any other; the body is never read. */
function tooManyRequests(res: Response): void {
  const { message, extensions } = rateLimited();
  const { http: _http, ...visible } = extensions;
  res
    .status(429)
    .set({ 'Retry-After': String(extensions.retryAfterSeconds), Connection: 'close' })
    .json({ errors: [{ message, extensions: visible }] });
}
