import { Migration } from '@mikro-orm/migrations';

/**
 * Clicks and machine traffic: per-account link domains, machine click counts, events awaiting the
 * process_events job, and the per-minute counters of the tracking routes' abuse limits.
 */
export class Migration20261122020000_clicks_unsubscribes extends Migration {
  override name = 'Migration20261122020000_clicks_unsubscribes';

  override up(): void {
    this.addSql(`
-- optional allow-list for click redirects: 'example.com' (that host) or '*.example.com' (its subdomains)
alter table account add column link_domains text[] not null default '{}';

alter table message add column machine_click_count integer not null default 0;

-- events the process_events job has not looked at yet (behaviour checks, later locations)
alter table tracking_event add column processed_at timestamptz;
create index tracking_event_unprocessed on tracking_event (occurred_at) where processed_at is null;

-- hits per scope ('open:all', 'click:ip:203.0.113.9', 'open:msg:<id>', ...) in the current minute;
-- unlogged: losing it in a crash only resets the limits
create unlogged table tracking_rate (
  scope text primary key,
  window_start timestamptz not null,
  hits integer not null
);
create index tracking_rate_window on tracking_rate (window_start);
`);
  }
}
