import { Migration } from '@mikro-orm/migrations';

/** Webhook endpoints and their deliveries (the delivery log). */
export class Migration20261122050000_webhooks extends Migration {
  override name = 'Migration20261122050000_webhooks';

  override up(): void {
    this.addSql(`
create table webhook (
  id uuid primary key,
  account_id uuid not null references account (id) on delete cascade,
  url text not null,
  events text[] not null,
  include_machine boolean not null default false,
  secret_encrypted text not null,
  consecutive_failures integer not null default 0,
  failing_since timestamptz,
  disabled_at timestamptz,
  disabled_reason text,
  created_at timestamptz not null default now(),
  deleted_at timestamptz
);
create index webhook_account on webhook (account_id) where deleted_at is null;

create table webhook_delivery (
  id uuid primary key,
  webhook_id uuid not null references webhook (id) on delete cascade,
  account_id uuid not null,
  payload jsonb not null,
  event_count integer not null,
  status text not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'FAILED')),
  attempts integer not null default 0,
  last_status_code integer,
  last_error text,
  created_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  next_attempt_at timestamptz,
  delivered_at timestamptz
);
create index webhook_delivery_webhook on webhook_delivery (webhook_id, created_at desc, id desc);
create index webhook_delivery_created on webhook_delivery (created_at);
`);
  }
}
