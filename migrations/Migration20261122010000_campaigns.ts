import { Migration } from '@mikro-orm/migrations';

/**
 * Campaigns and their recipients, suppressions, per-sender send limits kept in PostgreSQL (so they
 * hold across worker processes), and worker heartbeats for recovering the jobs of a dead worker.
 */
export class Migration20261122010000_campaigns extends Migration {
  override name = 'Migration20261122010000_campaigns';

  override up(): void {
    this.addSql(`
alter table sender
  add column max_per_minute integer check (max_per_minute > 0),
  add column max_per_day integer check (max_per_day > 0);

create table campaign (
  id uuid primary key,
  account_id uuid not null references account (id) on delete cascade,
  name text not null,
  subject text not null,
  html text not null,
  text text,
  sender_id uuid not null references sender (id),
  status text not null default 'DRAFT' check (status in ('DRAFT', 'SENDING', 'SENT')),
  recipient_count integer not null default 0,
  -- fan-out turns recipients into messages in id order; the cursor makes a crashed fan-out resume exactly
  fanout_cursor uuid,
  fanout_completed_at timestamptz,
  send_started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index campaign_account on campaign (account_id, created_at desc);

create table campaign_recipient (
  id uuid primary key,
  campaign_id uuid not null references campaign (id) on delete cascade,
  email text not null,
  first_name text,
  last_name text,
  attributes jsonb not null default '{}',
  created_at timestamptz not null default now()
);
-- duplicates within a campaign are skipped whatever the case of the address
create unique index campaign_recipient_email on campaign_recipient (campaign_id, lower(email));
create index campaign_recipient_order on campaign_recipient (campaign_id, id);

alter table message
  add column recipient_id uuid references campaign_recipient (id) on delete set null,
  add constraint message_campaign_fk foreign key (campaign_id) references campaign (id) on delete cascade;
-- a recipient becomes at most one message, even if a fan-out batch runs twice
create unique index message_campaign_recipient on message (campaign_id, recipient_id) where recipient_id is not null;
-- what is still outstanding: makes "is this campaign done?" an index probe
create index message_campaign_outstanding on message (campaign_id)
  where campaign_id is not null and status in ('QUEUED', 'SENDING');

-- per-campaign event aggregates (countries, timelines) read only that campaign's rows
create index tracking_event_campaign on tracking_event (campaign_id, type, occurred_at) where campaign_id is not null;

-- addresses not to mail again; keyed by a hash so that erasure can drop the address itself
create table suppression (
  account_id uuid not null references account (id) on delete cascade,
  email_hash bytea not null,
  email text,
  reason text not null check (reason in ('UNSUBSCRIBED', 'HARD_BOUNCE', 'MANUAL', 'ERASED')),
  detail text,
  created_at timestamptz not null default now(),
  primary key (account_id, email_hash)
);
create index suppression_account_created on suppression (account_id, created_at desc, email_hash);

-- per-sender send counts in fixed windows (the current minute and UTC day)
create table sender_send_window (
  sender_id uuid not null references sender (id) on delete cascade,
  kind text not null check (kind in ('minute', 'day')),
  window_start timestamptz not null,
  sent integer not null,
  primary key (sender_id, kind)
);

-- Grants up to p_wanted sends within the sender's limits and counts them, atomically: the row locks
-- make concurrent workers take turns. A null limit is no limit. retry_at says when more can go.
create function mailtrace_take_send_quota(p_sender uuid, p_wanted integer, p_per_minute integer, p_per_day integer,
                                          out granted integer, out retry_at timestamptz)
language plpgsql as $fn$
declare
  minute_start timestamptz := date_trunc('minute', now());
  day_start timestamptz := date_trunc('day', now() at time zone 'UTC') at time zone 'UTC';
  minute_used integer;
  day_used integer;
begin
  granted := p_wanted;
  insert into sender_send_window (sender_id, kind, window_start, sent)
  values (p_sender, 'minute', minute_start, 0), (p_sender, 'day', day_start, 0)
  on conflict (sender_id, kind) do nothing;
  select case when window_start = minute_start then sent else 0 end into minute_used
    from sender_send_window where sender_id = p_sender and kind = 'minute' for update;
  select case when window_start = day_start then sent else 0 end into day_used
    from sender_send_window where sender_id = p_sender and kind = 'day' for update;
  if p_per_minute is not null then granted := least(granted, greatest(p_per_minute - minute_used, 0)); end if;
  if p_per_day is not null then granted := least(granted, greatest(p_per_day - day_used, 0)); end if;
  update sender_send_window set window_start = minute_start, sent = minute_used + granted
    where sender_id = p_sender and kind = 'minute';
  update sender_send_window set window_start = day_start, sent = day_used + granted
    where sender_id = p_sender and kind = 'day';
  retry_at := case when p_per_day is not null and day_used + granted >= p_per_day
                   then day_start + interval '1 day' else minute_start + interval '1 minute' end;
end
$fn$;

-- graphile-worker workers alive in some process; the jobs of one that stopped beating are unlocked
create table worker_heartbeat (
  worker_id text primary key,
  process_id text not null,
  last_seen timestamptz not null default now()
);
`);
  }
}
