import { Migration } from '@mikro-orm/migrations';

/**
 * Accounts, keys, senders, messages and the time-partitioned tracking_event table.
 * tracking_event is partitioned by day so that retention drops whole partitions instead of
 * running long DELETEs; mailtrace_ensure_event_partitions() makes them ahead of time.
 */
export class Migration20261122000000_initial extends Migration {
  override name = 'Migration20261122000000_initial';

  override up(): void {
    this.addSql(`
create table account (
  id uuid primary key,
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);

create table api_key (
  id uuid primary key,
  account_id uuid not null references account (id) on delete cascade,
  name text not null,
  prefix text not null,
  secret_hash bytea not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create unique index api_key_secret_hash on api_key (secret_hash);
create index api_key_account on api_key (account_id, created_at);

create table sender (
  id uuid primary key,
  account_id uuid not null references account (id) on delete cascade,
  key text not null,
  email text not null,
  name text,
  smtp_host text not null,
  smtp_port integer not null check (smtp_port between 1 and 65535),
  smtp_secure boolean not null,
  smtp_user text not null,
  password_encrypted text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);
-- deleted senders stay for the messages that name them, and free their key for reuse
create unique index sender_account_key on sender (account_id, key) where deleted_at is null;

-- the last sequence number handed out per recipient; its row lock orders concurrent sends
create table recipient_sequence (
  account_id uuid not null references account (id) on delete cascade,
  recipient text not null,
  last_sequence_id integer not null,
  primary key (account_id, recipient)
);

create table message (
  id uuid primary key,
  account_id uuid not null references account (id) on delete cascade,
  campaign_id uuid,
  sender_id uuid not null references sender (id),
  recipient text not null,
  sequence_id integer not null,
  subject text not null,
  body text,
  is_html boolean not null default false,
  status text not null default 'QUEUED'
    check (status in ('QUEUED', 'SENDING', 'SENT', 'FAILED', 'SUPPRESSED')),
  error text,
  send_attempts integer not null default 0,
  smtp_response text,
  queued_at timestamptz not null default now(),
  sent_at timestamptz,
  open_count integer not null default 0,
  machine_open_count integer not null default 0,
  first_opened_at timestamptz,
  last_opened_at timestamptz,
  last_open_event_id uuid,
  click_count integer not null default 0,
  unsubscribed_at timestamptz,
  updated_at timestamptz not null default now()
);
-- ids are UUIDv7 (time-ordered): newest-first pagination walks these indexes
create index message_account on message (account_id, id desc);
create index message_account_recipient on message (account_id, recipient, id desc);
create index message_campaign on message (campaign_id, id desc) where campaign_id is not null;
create unique index message_account_recipient_sequence on message (account_id, recipient, sequence_id);

create table tracking_event (
  id uuid not null,
  occurred_at timestamptz not null,
  account_id uuid not null,
  message_id uuid not null,
  campaign_id uuid,
  type text not null check (type in ('OPEN', 'CLICK', 'UNSUBSCRIBE')),
  ip_address inet,
  user_agent text,
  url text,
  machine boolean not null default false,
  machine_reason text,
  country text,
  region text,
  city text,
  latitude double precision,
  longitude double precision,
  primary key (occurred_at, id)
) partition by range (occurred_at);
create index tracking_event_message on tracking_event (message_id, occurred_at desc);
create index tracking_event_account on tracking_event (account_id, occurred_at desc);

-- one partition per UTC day, named tracking_event_pYYYYMMDD; idempotent
create function mailtrace_ensure_event_partitions(first_day date, last_day date) returns integer
language plpgsql as $fn$
declare
  day date := first_day;
  created integer := 0;
  partition_name text;
begin
  while day <= last_day loop
    partition_name := 'tracking_event_p' || to_char(day, 'YYYYMMDD');
    if to_regclass(partition_name) is null then
      execute format(
        'create table %I partition of tracking_event for values from (%L) to (%L)',
        partition_name,
        (day::timestamp at time zone 'UTC'),
        ((day + 1)::timestamp at time zone 'UTC')
      );
      created := created + 1;
    end if;
    day := day + 1;
  end loop;
  return created;
end
$fn$;

select mailtrace_ensure_event_partitions(current_date - 1, current_date + 7);
`);
  }
}
