import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { linkDomainsOfMessages } from './click-targets.sql.js';

export type ClickTarget = { exists: false } | { exists: true; linkDomains: string[] };

/**
 * What a click needs to know of its message: does it still exist, and its account's allowed link
 * domains. Lookups of concurrent clicks share one query (batched per event-loop turn, never cached,
 * so a deleted message or a changed allow-list takes effect at once).
 */
export class ClickTargets {
  private readonly loader: DataLoader<string, ClickTarget>;

  constructor(pool: Pool) {
    this.loader = new DataLoader(
      async (messageIds) => {
        const rows = await linkDomainsOfMessages(pool, messageIds);
        const byId = new Map(rows.map((r) => [r.id, r.link_domains]));
        return messageIds.map((id): ClickTarget => {
          const linkDomains = byId.get(id);
          return linkDomains ? { exists: true, linkDomains } : { exists: false };
        });
      },
      // setImmediate gathers the clicks of a whole event-loop turn (each request is its own tick)
      { cache: false, maxBatchSize: 500, batchScheduleFn: (callback) => setImmediate(callback) },
    );
  }

  lookup(messageId: string): Promise<ClickTarget> {
    return this.loader.load(messageId);
  }
}
