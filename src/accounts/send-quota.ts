import type { PoolClient } from 'pg';
import type { SendQuota } from '../config.js';
import { RateLimitedError } from '../errors.js';

/**
 * Counts `count` messages against the account's hourly and daily send quota, inside the caller's
 * transaction (a send that fails later gives its quota back), or refuses the whole call with
 * RATE_LIMITED: a mutation sends everything it was asked to or nothing. The per-sender limits
 * (maxPerMinute, maxPerDay) still pace the delivery itself.
 */
export async function takeSendQuota(
  client: PoolClient,
  accountId: string,
  count: number,
  quota: SendQuota,
): Promise<void> {
  const { rows } = await client.query<{ granted: boolean; retry_at: Date }>(
    'select granted, retry_at from mailtrace_take_account_quota($1, $2, $3, $4)',
    [accountId, count, quota.perHour, quota.perDay],
  );
  if (rows[0].granted) return;
  const retryAfter = Math.max(1, Math.ceil((rows[0].retry_at.getTime() - Date.now()) / 1000));
  throw new RateLimitedError(
    `the account's send quota (${quota.perHour} an hour, ${quota.perDay} a day) has no room for ${count} more ` +
      `message${count === 1 ? '' : 's'}: try again in ${retryAfter} s`,
    retryAfter,
  );
}
