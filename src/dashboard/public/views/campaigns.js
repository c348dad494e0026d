// #/campaigns: the account's totals and every campaign with its key metrics, updated live.

import { gql } from '../api.js';
import { overviewStats } from '../components/stat-cards.js';
import { campaignStatus } from '../components/status.js';
import { dataTable, scrollBox } from '../components/table.js';
import { debounce, errorBox, fmt, h, pageHead, replace } from '../dom.js';
import { CAMPAIGNS_QUERY, CAMPAIGN_LIST_EVENTS } from '../queries.js';

export async function campaignsView(main, scope, { live }) {
  const overview = h('dl', { class: 'stats', 'data-testid': 'overview' });
  const body = h('div', {}, h('p', { class: 'loading', text: 'Loading campaigns…' }));
  const newCampaign = h('a', {
    class: 'button primary',
    href: '#/new-campaign',
    'data-testid': 'new-campaign',
    text: 'New campaign',
  });
  replace(
    main,
    pageHead('Campaigns', 'Opens and clicks update live as recipients read your emails.', newCampaign),
    overview,
    body,
  );

  let sending = false;
  async function load() {
    let data;
    try {
      data = await gql(CAMPAIGNS_QUERY);
    } catch (e) {
      if (!scope.disposed) replace(body, errorBox(e.message));
      return;
    }
    if (scope.disposed) return;
    replace(overview, overviewStats(data.overview));
    sending = data.campaigns.some((c) => c.status === 'SENDING');
    replace(body, data.campaigns.length ? campaignTable(data.campaigns) : noCampaigns());
  }
  await load();

  const reload = debounce(load, 500, 2000);
  scope.add(live.subscribe(CAMPAIGN_LIST_EVENTS, {}, { next: reload, error: () => {} }));
  scope.add(live.onReconnect(reload));
  scope.add(reload.cancel);
  scope.interval(() => {
    if (sending) load();
  }, 3000);
}

function noCampaigns() {
  return h(
    'div',
    { class: 'card empty-state', 'data-testid': 'campaigns-empty' },
    h('h2', { text: 'No campaigns yet' }),
    h('p', { text: 'Create a campaign from a CSV of recipients, then watch opens and clicks arrive here.' }),
    h('a', { class: 'button primary', href: '#/new-campaign', text: 'Create a campaign' }),
  );
}

const COLUMNS = [
  'Campaign',
  'Status',
  ...['Recipients', 'Sent', 'Opens (unique)', 'Open rate', 'Clicks', 'Click rate', 'Unsubscribes'].map(
    (text) => ({ text, num: true }),
  ),
  'Created',
];

function campaignTable(campaigns) {
  return h(
    'section',
    { class: 'card table-card', 'aria-labelledby': 'campaigns-heading' },
    h('div', { class: 'card-head' }, h('h2', { id: 'campaigns-heading', text: 'All campaigns' })),
    scrollBox(
      'Campaigns (scrolls sideways)',
      dataTable(
        { class: 'data', 'data-testid': 'campaigns-table' },
        { columns: COLUMNS, rows: campaigns.map(campaignRow) },
      ),
    ),
  );
}

function campaignRow(c) {
  const m = c.metrics;
  const num = (text, col) => h('td', { class: 'num', 'data-col': col, text });
  return h(
    'tr',
    { 'data-testid': 'campaign-row', 'data-campaign-id': c.id },
    h(
      'th',
      { scope: 'row' },
      h('a', { class: 'strong', href: `#/campaigns/${encodeURIComponent(c.id)}`, text: c.name }),
    ),
    h('td', {}, campaignStatus(c.status)),
    num(fmt.number(c.recipientCount)),
    num(fmt.number(m.sent), 'sent'),
    num(`${fmt.number(m.opens)} (${fmt.number(m.uniqueOpens)})`, 'opens'),
    num(fmt.percent(m.openRate), 'open-rate'),
    num(fmt.number(m.clicks), 'clicks'),
    num(fmt.percent(m.clickRate)),
    num(fmt.number(m.unsubscribes)),
    h('td', {}, h('time', { datetime: c.createdAt, title: c.createdAt, text: fmt.dateTime(c.createdAt) })),
  );
}
