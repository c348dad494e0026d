// #/campaigns/<id>: one campaign's metrics, charts, live activity and messages.

import { gql } from '../api.js';
import { activityFeed } from '../components/activity-feed.js';
import { campaignCharts } from '../components/campaign-charts.js';
import { messageTable } from '../components/message-table.js';
import { campaignStats } from '../components/stat-cards.js';
import { campaignStatus } from '../components/status.js';
import { collect, errorBox, fmt, h, replace } from '../dom.js';
import { CAMPAIGN_EVENTS, CAMPAIGN_QUERY, SEND_CAMPAIGN } from '../queries.js';

export async function campaignView(main, scope, { live, params }) {
  const page = campaignPage(main, scope, params.id);
  replace(main, h('p', { class: 'loading', text: 'Loading the campaign…' }));
  if (!(await page.load())) return;
  page.charts.observeResize(scope);
  await page.table.load();
  followEvents(page, scope, live);
}

/** The page's parts and state; `load()` (re)loads the campaign and redraws what it shows. */
function campaignPage(main, scope, id) {
  const page = {
    id,
    main,
    scope,
    head: h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', text: 'Campaign' })),
    stats: h('dl', { class: 'stats', 'data-testid': 'campaign-metrics' }),
    notice: h('div', {}),
    feed: activityFeed(),
    table: messageTable(scope, { campaignId: id, title: 'Messages' }),
    bucket: null,
    campaign: null,
    request: 0,
  };
  page.charts = campaignCharts({
    onBucket: (bucket) => {
      if (page.bucket === bucket) return;
      page.bucket = bucket;
      page.load();
    },
  });
  page.load = () => loadCampaign(page);
  return page;
}

/** By the minute for a campaign's first two hours (the minute buckets cover a day), hourly for three days, daily after. */
function defaultBucket(campaign) {
  const start = campaign?.sendStartedAt ?? campaign?.createdAt;
  const age = start ? Date.now() - new Date(start).getTime() : Infinity;
  return age < 2 * 3_600_000 ? 'MINUTE' : age < 3 * 86_400_000 ? 'HOUR' : 'DAY';
}

/** Loads and draws the campaign; false when there is nothing to show (an error, not found, left). */
async function loadCampaign(page) {
  const request = ++page.request;
  // an older answer must not overwrite a newer one
  const current = () => !page.scope.disposed && request === page.request;
  let data;
  try {
    // the recent activity once, at the start: after that the subscription keeps the feed
    const variables = { id: page.id, bucket: page.bucket ?? 'HOUR', withEvents: !page.campaign };
    data = await gql(CAMPAIGN_QUERY, variables);
  } catch (e) {
    if (current()) replace(page.campaign ? page.notice : page.main, errorBox(e.message));
    return false;
  }
  if (!current()) return false;
  const campaign = data.campaign;
  if (!campaign) {
    replace(page.main, notFound());
    return false;
  }
  // the first answer decides the bucket; asked for again in another, the page is still to be drawn
  if (!page.bucket) {
    page.bucket = defaultBucket(campaign);
    if (page.bucket !== 'HOUR') return loadCampaign(page);
  }
  const first = !page.campaign;
  page.campaign = campaign;
  replace(page.notice);
  replace(page.head, campaignHeading(campaign), sendButton(page, campaign));
  replace(page.stats, campaignStats(campaign));
  page.charts.render(campaign.metrics, page.bucket);
  if (first) {
    drawPage(page, campaign);
    page.feed.set(campaign.events ?? []);
  }
  return true;
}

function drawPage(page, campaign) {
  replace(
    page.main,
    h(
      'nav',
      { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: '#/campaigns', text: 'Campaigns' }),
      ' / ',
      h('span', { 'aria-current': 'page', text: campaign.name }),
    ),
    page.head,
    page.notice,
    page.stats,
    h('div', { class: 'grid-2' }, page.charts.el, page.feed.el),
    page.table.el,
  );
}

function notFound() {
  return h(
    'div',
    { class: 'card empty-state', 'data-testid': 'campaign-not-found' },
    h('h1', { tabindex: '-1', text: 'Campaign not found' }),
    h('p', { text: 'There is no campaign with this id in your account.' }),
    h('a', { class: 'button', href: '#/campaigns', text: 'Back to campaigns' }),
  );
}

function campaignHeading(c) {
  const separator = () => h('span', { class: 'sep', 'aria-hidden': 'true', text: '·' });
  const from = c.sender.name ? `${c.sender.name} <${c.sender.email}>` : c.sender.email;
  const when = c.sendStartedAt
    ? `Sending started ${fmt.dateTime(c.sendStartedAt)}`
    : `Created ${fmt.dateTime(c.createdAt)}`;
  return h(
    'div',
    {},
    h('h1', { tabindex: '-1', 'data-testid': 'campaign-name' }, c.name, ' ', campaignStatus(c.status)),
    h(
      'p',
      { class: 'subtle' },
      h('span', { text: `Subject: ${c.subject}` }),
      separator(),
      h('span', { text: `From ${from}` }),
      separator(),
      h('span', { text: when }),
    ),
  );
}

/** A draft's Send button (null once it is sent). */
function sendButton(page, c) {
  if (c.status !== 'DRAFT') return null;
  return h('button', {
    type: 'button',
    class: 'button primary',
    'data-testid': 'send-campaign',
    text: `Send to ${fmt.number(c.recipientCount)} recipients`,
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        await gql(SEND_CAMPAIGN, { id: page.id });
      } catch (e) {
        replace(page.notice, errorBox(e.message));
      }
      page.load();
    },
  });
}

/** Live: an event names its message; refetch those rows and the metrics, a few times a second at most. */
function followEvents(page, scope, live) {
  const changed = collect(
    (ids) => {
      page.table.refresh(ids);
      page.load();
    },
    300,
    1500,
  );
  const sink = {
    next: ({ trackingEvents: event }) => {
      page.feed.add(event);
      changed(event.messageId);
    },
    error: (errors) =>
      replace(page.notice, errorBox(`Live updates stopped: ${errors?.[0]?.message ?? 'refused'}`)),
  };
  scope.add(live.subscribe(CAMPAIGN_EVENTS, { id: page.id }, sink));
  const reloadAll = () => {
    page.table.load();
    page.load();
  };
  scope.add(live.onReconnect(reloadAll));
  scope.add(changed.cancel);
  // while sending, messages appear and change status without tracking events
  scope.interval(() => {
    if (page.campaign?.status === 'SENDING' || page.table.pending()) reloadAll();
  }, 2000);
}
