import { Migration } from '@mikro-orm/migrations';

/**
 * Campaign counters kept as things happen (so that metrics stay O(1) at millions of events and
 * outlive the raw rows that retention removes), and the accounts someone is watching live.
 */
export class Migration20261122040000_metrics_live extends Migration {
  override name = 'Migration20261122040000_metrics_live';

  override up(): void {
    this.addSql(`
create table campaign_stats (
  campaign_id uuid primary key references campaign (id) on delete cascade,
  sent integer not null default 0,
  failed integer not null default 0,
  suppressed integer not null default 0,
  opens integer not null default 0,
  unique_opens integer not null default 0,
  machine_opens integer not null default 0,
  clicks integer not null default 0,
  unique_clicks integer not null default 0,
  machine_clicks integer not null default 0,
  unsubscribes integer not null default 0
) with (fillfactor = 70);

insert into campaign_stats (campaign_id) select id from campaign;

create function mailtrace_campaign_stats_row() returns trigger language plpgsql as $fn$
begin
  insert into campaign_stats (campaign_id) values (new.id);
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
