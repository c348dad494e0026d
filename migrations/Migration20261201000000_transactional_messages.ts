import { Migration } from '@mikro-orm/migrations';

/** messages(transactional: true): an account's single sends, newest first, without walking its campaign mail. */
export class Migration20261201000000_transactional_messages extends Migration {
  override name = 'Migration20261201000000_transactional_messages';

  override up(): void {
    this.addSql(
      'create index message_account_transactional on message (account_id, id desc) where campaign_id is null;',
    );
  }
}
