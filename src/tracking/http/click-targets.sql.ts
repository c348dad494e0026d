import type { Pool } from 'pg';

/**
 * The allowed link domains of each message's account, for the click redirect: one statement for
 * all the clicks of an event-loop turn, each message and its account by primary key. A message
 * that is gone has no row.
 */
export async function linkDomainsOfMessages(
  pool: Pool,
  messageIds: readonly string[],
): Promise<{ id: string; link_domains: string[] }[]> {
  const { rows } = await pool.query<{ id: string; link_domains: string[] }>(
    `select m.id, a.link_domains from message m join account a on a.id = m.account_id
     where m.id = any($1::uuid[])`,
    [messageIds],
  );
  return rows;
}
