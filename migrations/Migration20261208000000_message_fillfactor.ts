import { Migration } from '@mikro-orm/migrations';

/**
 * Every hit updates its message's counters, and the message table carries ten indexes. Pages
 * written full (the default fillfactor, 100) leave an update no room beside its row, so each moves
 * the row to another page and adds an entry to every index. With a fifth of each page free, the
 * counters' updates stay on the page (HOT: no index touched, none of them indexes a counter), and
 * pruning gives the room back. Pages written from now on get it; older ones as they are rewritten.
 */
export class Migration20261208000000_message_fillfactor extends Migration {
  override name = 'Migration20261208000000_message_fillfactor';

  override up(): void {
    this.addSql('alter table message set (fillfactor = 80);');
  }
}
