import { Migration } from '@mikro-orm/migrations';

/**
 * process_events reads new events past a cursor instead of marking each one processed: a row is
 * written once, by its insert. inserted_by is the inserting transaction's id (xid8 never wraps).
 * Read in (inserted_by, id) order and only below the oldest running transaction
 * (pg_snapshot_xmin), the rows past the cursor are final: no transaction still in flight can add
 * one behind it. Opens are finished as they are stored, so the index leaves them out.
 * Events still unprocessed when this runs are given this migration's transaction, to be judged.
 */
export class Migration20261203100000_event_cursor extends Migration {
  override name = 'Migration20261203100000_event_cursor';

  override up(): void {
    this.addSql(`
alter table tracking_event add column inserted_by xid8;
update tracking_event set inserted_by = pg_current_xact_id() where processed_at is null and type <> 'OPEN';
alter table tracking_event alter column inserted_by set default pg_current_xact_id();
create index tracking_event_pending on tracking_event (inserted_by, id) where type <> 'OPEN';
drop index tracking_event_unprocessed;
alter table tracking_event drop column processed_at;

-- one row: the last event process_events has judged, in (inserted_by, id) order
create table tracking_event_cursor (
  singleton boolean primary key default true check (singleton),
  inserted_by xid8 not null,
  event_id uuid not null
);
insert into tracking_event_cursor (inserted_by, event_id) values ('0', '00000000-0000-0000-0000-000000000000');
`);
  }
}
