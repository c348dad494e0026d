import type { PoolClient } from 'pg';

/**
 * The next sequence number of each recipient for this account, in one statement; an address counts
 * whatever its case (Person@x and person@x are one mailbox in practice). Rows are upserted
 * in address order so that concurrent transactions take their row locks in the same order (no
 * deadlocks); each lock makes concurrent sends to one recipient take turns, so numbers have no gaps
 * and no duplicates. Call it inside the transaction that inserts the messages.
 */
export async function nextSequenceIds(
  client: PoolClient,
  accountId: string,
  recipients: readonly string[],
): Promise<Map<string, number>> {
  const keys = [...new Set(recipients.map((r) => r.toLowerCase()))];
  const { rows } = await client.query<{ recipient: string; last_sequence_id: number }>(
    `insert into recipient_sequence (account_id, recipient, last_sequence_id)
     select $1, r, 1 from unnest($2::text[]) as r order by r
     on conflict (account_id, recipient) do update set last_sequence_id = recipient_sequence.last_sequence_id + 1
     returning recipient, last_sequence_id`,
    [accountId, keys],
  );
  const byKey = new Map(rows.map((r) => [r.recipient, r.last_sequence_id]));
  return new Map(recipients.map((r) => [r, byKey.get(r.toLowerCase())!]));
}
