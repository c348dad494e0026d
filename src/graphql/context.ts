import type { EntityManager } from '@mikro-orm/postgresql';
import type { Account } from '../accounts/account.entity.js';
import { UnauthenticatedError } from '../errors.js';
import type { SubscriptionHub } from '../live/subscription-hub.js';
import type { Loaders } from './loaders.js';

/** Per request (or per subscription operation): a forked entity manager, the caller's account and batch loaders. */
export interface Context {
  em: EntityManager;
  account: Account | null;
  loaders: Loaders;
  /** Live subscriptions of this process (API processes only). */
  live?: SubscriptionHub;
}

/** The caller's account id; the auth middleware has already refused anonymous root fields. */
export function accountIdOf(context: Context): string {
  if (!context.account) throw new UnauthenticatedError();
  return context.account.id;
}

/** Accepts `Bearer <key>` or the bare key. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^\s*(?:bearer\s+)?(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
