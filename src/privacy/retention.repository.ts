import type { Pool } from 'pg';
import { ensureComingPartitions } from '../db/partitions.js';

/** Rows per DELETE: short statements, short locks, however much has expired. */
const DELETE_BATCH = 5_000;
/** The name of a day partition of tracking_event (migrations/: mailtrace_ensure_event_partitions). */
const EVENT_PARTITION = /^tracking_event_p[0-9]{8}$/;

/** The statements of the retention purge: partitions made and dropped, expired rows deleted a batch at a time. */
export class RetentionRepository {
  constructor(private readonly pool: Pool) {}

  /** The day partitions of tracking_event from yesterday to a week ahead; returns how many were new. */
  ensureComingPartitions(now: Date): Promise<number> {
    return ensureComingPartitions(this.pool, now);
  }

  /** The day partitions of tracking_event that end at or before the cutoff (the catalog, pg_inherits). */
  async eventPartitionsBefore(cutoff: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = 'tracking_event'::regclass and c.relname ~ '${EVENT_PARTITION.source}'
         and (to_date(substring(c.relname from 17), 'YYYYMMDD') + 1)::timestamp at time zone 'UTC' <= $1
       order by c.relname`,
      [cutoff],
    );
    return rows.map((r) => r.name);
  }

  /** A day partition named by eventPartitionsBefore (tracking_event_pYYYYMMDD), and nothing else. */
  async dropEventPartition(name: string): Promise<void> {
    if (!EVENT_PARTITION.test(name)) throw new Error(`not a day partition of tracking_event: ${name}`);
    await this.pool.query(`drop table if exists ${name}`);
  }

  /**
   * Deletes up to DELETE_BATCH messages queued before the cutoff (index message_queued_at) with
   * their events (tracking_event_message, partitions from the cutoff on); returns how many.
   */
  async deleteExpiredMessages(cutoff: Date): Promise<number> {
    const { rowCount } = await this.pool.query(
      `with doomed as (select id from message where queued_at < $1 order by queued_at limit ${DELETE_BATCH}),
            events as (delete from tracking_event e using doomed where e.message_id = doomed.id and e.occurred_at >= $1)
       delete from message m using doomed where m.id = doomed.id`,
      [cutoff],
    );
    return rowCount ?? 0;
  }

  /** Deletes up to DELETE_BATCH recipients of campaigns completed (or created) before the cutoff; returns how many. */
  async deleteExpiredRecipients(cutoff: Date): Promise<number> {
    const { rowCount } = await this.pool.query(
      `delete from campaign_recipient where id in (
         select r.id from campaign_recipient r join campaign c on c.id = r.campaign_id
         where coalesce(c.completed_at, c.created_at) < $1 limit ${DELETE_BATCH})`,
      [cutoff],
    );
    return rowCount ?? 0;
  }
}
