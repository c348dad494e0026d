import type { Transaction } from '../db/transaction.js';

/**
 * Counts `count` messages against the account's hourly and daily windows, all or nothing
 * (mailtrace_take_account_quota: two rows of account_send_window by primary key, locked hour then
 * day). Inside the caller's transaction, so a send rolled back gives its quota back.
 */
export async function takeAccountQuota(
  tx: Transaction,
  accountId: string,
  count: number,
  perHour: number,
  perDay: number,
): Promise<{ granted: boolean; retryAt: Date }> {
  const { rows } = await tx.query<{ granted: boolean; retry_at: Date }>(
    'select granted, retry_at from mailtrace_take_account_quota($1, $2, $3, $4)',
    [accountId, count, perHour, perDay],
  );
  return { granted: rows[0].granted, retryAt: rows[0].retry_at };
}
