import type { Pool } from 'pg';
import type { ApiLimits } from '../config.js';
import { type RateScope, SharedRateLimiter } from './shared-rate-limiter.js';

/**
 * One GraphQL request: by an account's key, without a key, or with a key that did not
 * authenticate; and, once its operation is known, that operation's cost to the account.
 */
export type ApiCall =
  | { kind: 'key'; accountId: string }
  | { kind: 'cost'; accountId: string; cost: number }
  | { kind: 'anonymous'; ip: string | null }
  | { kind: 'failed_auth'; ip: string | null };

function apiScopes(call: ApiCall, limits: ApiLimits): RateScope[] {
  switch (call.kind) {
    case 'key':
      return [[`api:account:${call.accountId}`, limits.requestsPerMinute]];
    case 'cost':
      return [[`api:cost:${call.accountId}`, limits.costPerMinute, call.cost]];
    case 'anonymous':
      return [[`api:anon:${call.ip ?? 'none'}`, limits.anonymousPerMinute]];
    case 'failed_auth':
      // credential stuffing: every bad key from one address counts, and so does the request itself
      return [
        [`api:badkey:${call.ip ?? 'none'}`, limits.failedAuthPerMinute],
        [`api:anon:${call.ip ?? 'none'}`, limits.anonymousPerMinute],
      ];
  }
}

/**
 * Per-minute limits of the GraphQL API, shared by every process through PostgreSQL (the same
 * counter table and sync rule as the tracking limits: each process syncs at most every `syncMs`).
 */
export class ApiRateLimits {
  private readonly limiter: SharedRateLimiter<ApiCall>;

  constructor(pool: Pool, limits: ApiLimits) {
    this.limiter = new SharedRateLimiter(pool, (call) => apiScopes(call, limits), limits.syncMs);
  }

  /** Counts the call; true when it is within every limit of its scope. */
  async allows(call: ApiCall): Promise<boolean> {
    return (await this.limiter.filter([call])).length === 1;
  }
}

/** Seconds until the current minute's window ends, for Retry-After. */
export function secondsToNextWindow(now = Date.now()): number {
  return Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000));
}
