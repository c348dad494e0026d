import type { Pool } from 'pg';

export type ClickTarget = { exists: false } | { exists: true; linkDomains: string[] };

/** What a click needs to know of its message: does it still exist, and its account's allowed link domains. */
export class ClickTargets {
  constructor(private readonly pool: Pool) {}

  async lookup(messageId: string): Promise<ClickTarget> {
    const { rows } = await this.pool.query<{ link_domains: string[] }>(
      'select a.link_domains from message m join account a on a.id = m.account_id where m.id = $1',
      [messageId],
    );
    return rows[0] ? { exists: true, linkDomains: rows[0].link_domains } : { exists: false };
  }
}
