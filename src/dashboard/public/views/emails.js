// #/emails: every email of the account, single sends and campaign messages.

import { gql } from '../api.js';
import { messageTable } from '../components/message-table.js';
import { collect, h, pageHead, replace } from '../dom.js';
import { CAMPAIGN_NAMES_QUERY, EMAIL_EVENTS } from '../queries.js';

export async function emailsView(main, scope, { live }) {
  const campaignNames = new Map();
  const table = messageTable(scope, { campaignNames, title: 'All emails' });
  replace(
    main,
    pageHead(
      'Emails',
      'Every email this account sent, newest first: single sends from Compose and campaign messages.',
      h('a', { class: 'button primary', href: '#/compose', text: 'Compose email' }),
    ),
    table.el,
  );
  try {
    const data = await gql(CAMPAIGN_NAMES_QUERY);
    for (const c of data.campaigns) campaignNames.set(c.id, c.name);
  } catch {
    // names are a nicety: the column falls back to the id
  }
  if (scope.disposed) return;
  await table.load();

  const changed = collect((ids) => table.refresh(ids), 300);
  const sink = { next: (data) => changed(data.trackingEvents.messageId), error: () => {} };
  scope.add(live.subscribe(EMAIL_EVENTS, {}, sink));
  scope.add(live.onReconnect(() => table.load()));
  scope.add(changed.cancel);
  // statuses move without tracking events: while some are on their way, look again
  scope.interval(() => {
    if (table.pending() || table.isFirstPage()) table.load();
  }, 4000);
}
