import { Migration } from '@mikro-orm/migrations';

/**
 * Per-account send quota (ACCOUNT_SEND_QUOTA_PER_HOUR / _PER_DAY): what sendEmail and sendCampaign
 * may queue in the current UTC hour and day, over all of an account's senders.
 */
export class Migration20261203000000_account_send_quota extends Migration {
  override name = 'Migration20261203000000_account_send_quota';

  override up(): void {
    this.addSql(`
create table account_send_window (
  account_id uuid not null references account (id) on delete cascade,
  kind text not null check (kind in ('hour', 'day')),
  window_start timestamptz not null,
  queued integer not null,
  primary key (account_id, kind)
);

-- All or nothing: counts p_count against both windows when both have room, else counts nothing.
-- Called inside the mutation's transaction, so a rolled-back send gives its quota back. The row
-- locks (hour, then day: one order for everyone) make concurrent callers take turns.
create function mailtrace_take_account_quota(p_account uuid, p_count integer, p_per_hour integer, p_per_day integer,
                                             out granted boolean, out retry_at timestamptz)
language plpgsql as $fn$
declare
  hour_start timestamptz := date_trunc('hour', now() at time zone 'UTC') at time zone 'UTC';
  day_start timestamptz := date_trunc('day', now() at time zone 'UTC') at time zone 'UTC';
  hour_used integer;
  day_used integer;
begin
  insert into account_send_window (account_id, kind, window_start, queued)
  values (p_account, 'hour', hour_start, 0), (p_account, 'day', day_start, 0)
  on conflict (account_id, kind) do nothing;
  select case when window_start = hour_start then queued else 0 end into hour_used
    from account_send_window where account_id = p_account and kind = 'hour' for update;
  select case when window_start = day_start then queued else 0 end into day_used
    from account_send_window where account_id = p_account and kind = 'day' for update;
  granted := hour_used + p_count <= p_per_hour and day_used + p_count <= p_per_day;
  retry_at := case when day_used + p_count > p_per_day then day_start + interval '1 day'
                   else hour_start + interval '1 hour' end;
  if granted then
    update account_send_window set window_start = hour_start, queued = hour_used + p_count
      where account_id = p_account and kind = 'hour';
    update account_send_window set window_start = day_start, queued = day_used + p_count
      where account_id = p_account and kind = 'day';
  end if;
end
$fn$;
`);
  }
}
