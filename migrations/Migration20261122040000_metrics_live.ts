import { Migration } from '@mikro-orm/migrations';

/**
 * Campaign counters kept as things happen (so that metrics stay O(1) at millions of events and
 * outlive the raw rows that retention removes), and the accounts someone is watching live.
 */
export class Migration20261122040000_metrics_live extends Migration {
  override name = 'Migration20261122040000_metrics_live';

  override up(): void {
    this.addSql(`
-- SHARDS rows per campaign: delivery spreads its per-message increments over them (by message id)
-- so that ten workers finishing messages of one campaign do not queue on one row; readers sum them.
create table campaign_stats (
  campaign_id uuid not null references campaign (id) on delete cascade,
  shard smallint not null,
  sent integer not null default 0,
  failed integer not null default 0,
  suppressed integer not null default 0,
  opens integer not null default 0,
  unique_opens integer not null default 0,
  machine_opens integer not null default 0,
  clicks integer not null default 0,
  unique_clicks integer not null default 0,
  machine_clicks integer not null default 0,
  unsubscribes integer not null default 0,
  primary key (campaign_id, shard)
) with (fillfactor = 70);

insert into campaign_stats (campaign_id, shard) select id, shard from campaign, generate_series(0, 7) as shard;

create function mailtrace_campaign_stats_row() returns trigger language plpgsql as $fn$
begin
  insert into campaign_stats (campaign_id, shard) select new.id, shard from generate_series(0, 7) as shard;
  return new;
end
$fn$;
create trigger campaign_stats_row after insert on campaign for each row execute function mailtrace_campaign_stats_row();

-- the median time to open reads only the opened messages of a campaign
create index message_campaign_opened on message (campaign_id, first_opened_at)
  where campaign_id is not null and first_opened_at is not null;

-- accounts with a live subscription in some API process; publishers notify only for these
create table subscription_presence (
  account_id uuid not null references account (id) on delete cascade,
  process_id text not null,
  expires_at timestamptz not null,
  primary key (account_id, process_id)
);
`);
  }
}
