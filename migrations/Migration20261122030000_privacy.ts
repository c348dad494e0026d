import { Migration } from '@mikro-orm/migrations';

/** Locations and clients on events, and what retention and erasure look things up by. */
export class Migration20261122030000_privacy extends Migration {
  override name = 'Migration20261122030000_privacy';

  override up(): void {
    this.addSql(`
-- filled by the process_events job from the user agent (kept in strict privacy mode, unlike the agent)
alter table tracking_event add column client text, add column device text;

-- forgetRecipient finds an address whatever its case
create index message_account_recipient_lower on message (account_id, lower(recipient));
create index recipient_sequence_lower on recipient_sequence (account_id, lower(recipient));

-- retention deletes old messages oldest first
create index message_queued_at on message (queued_at);
`);
  }
}
