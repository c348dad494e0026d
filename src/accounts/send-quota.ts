import type { SendQuota } from '../config.js';
import type { Transaction } from '../db/transaction.js';
import { RateLimitedError } from '../errors.js';
import { takeAccountQuota } from './account.repository.js';

/**
 * Counts `count` messages against the account's hourly and daily send quota, inside the caller's
 * transaction (a send that fails later gives its quota back), or refuses the whole call with
 * RATE_LIMITED: a mutation sends everything it was asked to or nothing. The per-sender limits
 * (maxPerMinute, maxPerDay) still pace the delivery itself.
 */
export async function takeSendQuota(
  tx: Transaction,
  accountId: string,
  count: number,
  quota: SendQuota,
): Promise<void> {
  const { granted, retryAt } = await takeAccountQuota(tx, accountId, count, quota.perHour, quota.perDay);
  if (granted) return;
  const retryAfter = Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 1000));
  throw new RateLimitedError(
    `the account's send quota (${quota.perHour} an hour, ${quota.perDay} a day) has no room for ${count} more ` +
      `message${count === 1 ? '' : 's'}: try again in ${retryAfter} s`,
    retryAfter,
  );
}
