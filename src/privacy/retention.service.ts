import type { Pool } from 'pg';
import type { Logger } from '../logger.js';
import { ensureComingPartitions } from '../db/partitions.js';

const DAY_MS = 86_400_000;
const DELETE_BATCH = 5_000;

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
    private readonly pool: Pool,
    private readonly retentionDays: number,
    private readonly logger: Logger,
  ) {}

  async purge(now = new Date()): Promise<PurgeResult> {
    const cutoff = new Date(now.getTime() - this.retentionDays * DAY_MS);
    const partitionsCreated = await ensureComingPartitions(this.pool, now);
    const partitionsDropped = await this.dropPartitionsBefore(cutoff);
    const messagesDeleted = await this.deleteInBatches(
      'messages',
      `with doomed as (select id from message where queued_at < $1 order by queued_at limit ${DELETE_BATCH}),
            events as (delete from tracking_event e using doomed where e.message_id = doomed.id and e.occurred_at >= $1)
       delete from message m using doomed where m.id = doomed.id`,
      cutoff,
    );
    const recipientsDeleted = await this.deleteInBatches(
      'campaign recipients',
      `delete from campaign_recipient where id in (
         select r.id from campaign_recipient r join campaign c on c.id = r.campaign_id
         where coalesce(c.completed_at, c.created_at) < $1 limit ${DELETE_BATCH})`,
      cutoff,
    );
    const result = { partitionsCreated, partitionsDropped, messagesDeleted, recipientsDeleted };
    this.logger.info({ ...result, cutoff }, 'retention purge done');
    return result;
  }

  /** Drops the day partitions that end at or before the cutoff: everything in them is older. */
  private async dropPartitionsBefore(cutoff: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = 'tracking_event'::regclass and c.relname ~ '^tracking_event_p[0-9]{8}$'
         and (to_date(substring(c.relname from 17), 'YYYYMMDD') + 1)::timestamp at time zone 'UTC' <= $1
       order by c.relname`,
      [cutoff],
    );
    for (const { name } of rows) {
      await this.pool.query(`drop table if exists ${name}`);
      this.logger.info({ partition: name }, 'dropped expired tracking events');
    }
    return rows.map((r) => r.name);
  }

  private async deleteInBatches(what: string, sql: string, cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.pool.query(sql, [cutoff]);
      total += rowCount ?? 0;
      if (!rowCount) return total;
      this.logger.info({ deleted: total }, `retention: deleting expired ${what}`);
    }
  }
}
