import type { Logger } from '../logger.js';
import type { RetentionRepository } from './retention.repository.js';

const DAY_MS = 86_400_000;

export interface PurgeResult {
  partitionsCreated: number;
  partitionsDropped: string[];
  messagesDeleted: number;
  recipientsDeleted: number;
}

/**
 * Tracking data does not outlive RETENTION_DAYS. Events go a whole day at a time by dropping their
 * day's partition (no long DELETE, no bloat, no lock on writers beyond the catalog change); messages
 * (one row per email, far fewer than events) and campaign recipients are deleted in small batches.
 * Campaign counters (campaign_stats) are aggregates without personal data and are kept.
 */
export class RetentionService {
  constructor(
    private readonly retention: RetentionRepository,
    private readonly retentionDays: number,
    private readonly logger: Logger,
  ) {}

  async purge(now = new Date()): Promise<PurgeResult> {
    const cutoff = new Date(now.getTime() - this.retentionDays * DAY_MS);
    const partitionsCreated = await this.retention.ensureComingPartitions(now);
    const partitionsDropped = await this.dropPartitionsBefore(cutoff);
    const messagesDeleted = await this.deleteInBatches('messages', () =>
      this.retention.deleteExpiredMessages(cutoff),
    );
    const recipientsDeleted = await this.deleteInBatches('campaign recipients', () =>
      this.retention.deleteExpiredRecipients(cutoff),
    );
    const result = { partitionsCreated, partitionsDropped, messagesDeleted, recipientsDeleted };
    this.logger.info({ ...result, cutoff }, 'retention purge done');
    return result;
  }

  /** Drops the day partitions that end at or before the cutoff: everything in them is older. */
  private async dropPartitionsBefore(cutoff: Date): Promise<string[]> {
    const names = await this.retention.eventPartitionsBefore(cutoff);
    for (const name of names) {
      await this.retention.dropEventPartition(name);
      this.logger.info({ partition: name }, 'dropped expired tracking events');
    }
    return names;
  }

  /** Runs `deleteBatch` until it deletes nothing; returns the rows deleted. */
  private async deleteInBatches(what: string, deleteBatch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch();
      total += deleted;
      if (!deleted) return total;
      this.logger.info({ deleted: total }, `retention: deleting expired ${what}`);
    }
  }
}
