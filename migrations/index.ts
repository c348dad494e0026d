import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000000_initial } from './Migration20261122000000_initial.js';
import { Migration20261122010000_campaigns } from './Migration20261122010000_campaigns.js';
import { Migration20261122020000_clicks_unsubscribes } from './Migration20261122020000_clicks_unsubscribes.js';
import { Migration20261122030000_privacy } from './Migration20261122030000_privacy.js';
import { Migration20261122040000_metrics_live } from './Migration20261122040000_metrics_live.js';
import { Migration20261122045000_campaign_countries } from './Migration20261122045000_campaign_countries.js';
import { Migration20261122050000_webhooks } from './Migration20261122050000_webhooks.js';
import { Migration20261201000000_transactional_messages } from './Migration20261201000000_transactional_messages.js';
import { Migration20261203000000_account_send_quota } from './Migration20261203000000_account_send_quota.js';
import { Migration20261203100000_event_cursor } from './Migration20261203100000_event_cursor.js';
import { Migration20261208000000_message_fillfactor } from './Migration20261208000000_message_fillfactor.js';

/** Every migration in order. Listed rather than globbed so compiled and TypeScript runs see the same set. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122000000_initial', class: Migration20261122000000_initial },
  { name: 'Migration20261122010000_campaigns', class: Migration20261122010000_campaigns },
  { name: 'Migration20261122020000_clicks_unsubscribes', class: Migration20261122020000_clicks_unsubscribes },
  { name: 'Migration20261122030000_privacy', class: Migration20261122030000_privacy },
  { name: 'Migration20261122040000_metrics_live', class: Migration20261122040000_metrics_live },
  { name: 'Migration20261122045000_campaign_countries', class: Migration20261122045000_campaign_countries },
  { name: 'Migration20261122050000_webhooks', class: Migration20261122050000_webhooks },
  {
    name: 'Migration20261201000000_transactional_messages',
    class: Migration20261201000000_transactional_messages,
  },
  { name: 'Migration20261203000000_account_send_quota', class: Migration20261203000000_account_send_quota },
  { name: 'Migration20261203100000_event_cursor', class: Migration20261203100000_event_cursor },
  { name: 'Migration20261208000000_message_fillfactor', class: Migration20261208000000_message_fillfactor },
];
