// #/campaigns (the list with key metrics) and #/campaigns/<id> (metrics, charts, live messages).

import { gql } from './api.js';
import { barList, chartCard, timelineChart } from './charts.js';
import { debounce, fmt, h, pageHead, replace } from './dom.js';
import { messageTable } from './messages.js';

const LIST_QUERY = `query Campaigns {
  overview { campaigns sent transactionalSent opens uniqueOpens openRate clicks clickRate unsubscribes }
  campaigns {
    id name status createdAt sendStartedAt recipientCount
    metrics { recipients sent failed opens uniqueOpens openRate clicks uniqueClicks clickRate unsubscribes }
  }
}`;

const FEED_SIZE = 12;
const EVENT_FIELDS = 'id type messageId recipient occurredAt machine url location { city country }';
const CAMPAIGN_QUERY = `query Campaign($id: ID!, $bucket: TimeBucket, $withEvents: Boolean!) {
  campaign(id: $id) {
    id name subject status createdAt sendStartedAt completedAt recipientCount
    events(first: ${FEED_SIZE}) @include(if: $withEvents) { ${EVENT_FIELDS} }
    sender { id name email }
    metrics {
      recipients sent failed suppressed opens uniqueOpens machineOpens clicks uniqueClicks machineClicks
      unsubscribes openRate clickRate unsubscribeRate medianTimeToOpenSeconds
      timeline(bucket: $bucket) { at opens uniqueOpens clicks machineOpens machineClicks }
      topCountries(limit: 8) { country opens }
      clients(limit: 8) { client device opens }
      links(limit: 10) { url clicks uniqueClicks machineClicks }
    }
  }
}`;

export function campaignStatus(status) {
  return h('span', {
    class: `badge campaign-${status.toLowerCase()}`,
    'data-testid': 'campaign-status',
    text: status,
  });
}

function stat(label, value, { testId, detail } = {}) {
  return h(
    'div',
    { class: 'stat', 'data-testid': testId },
    h('dt', { text: label }),
    h(
      'dd',
      {},
      h('span', { class: 'stat-value', 'data-testid': testId ? `${testId}-value` : null, text: value }),
    ),
    detail ? h('dd', { class: 'stat-detail', text: detail }) : null,
  );
}

function errorBox(message) {
  return h('p', { class: 'error', role: 'alert', text: message });
}

// ---- the list ----

export async function campaignsView(main, scope, { live }) {
  const overview = h('dl', { class: 'stats', 'data-testid': 'overview' });
  const body = h('div', {}, h('p', { class: 'loading', text: 'Loading campaigns…' }));
  replace(
    main,
    pageHead(
      'Campaigns',
      'Opens and clicks update live as recipients read your emails.',
      h('a', {
        class: 'button primary',
        href: '#/new-campaign',
        'data-testid': 'new-campaign',
        text: 'New campaign',
      }),
    ),
    overview,
    body,
  );

  let sending = false;
  async function load() {
    let data;
    try {
      data = await gql(LIST_QUERY);
    } catch (e) {
      if (!scope.disposed) replace(body, errorBox(e.message));
      return;
    }
    if (scope.disposed) return;
    const o = data.overview;
    replace(
      overview,
      stat('Campaigns', fmt.number(o.campaigns)),
      stat('Campaign emails sent', fmt.number(o.sent), {
        detail: `${fmt.number(o.transactionalSent)} single ${o.transactionalSent === 1 ? 'send' : 'sends'}`,
      }),
      stat('Open rate', fmt.percent(o.openRate), { detail: `${fmt.number(o.uniqueOpens)} unique opens` }),
      stat('Click rate', fmt.percent(o.clickRate), { detail: `${fmt.number(o.clicks)} clicks` }),
      stat('Unsubscribes', fmt.number(o.unsubscribes)),
    );
    sending = data.campaigns.some((c) => c.status === 'SENDING');
    replace(body, campaignTable(data.campaigns));
  }
  await load();

  const reload = debounce(load, 500, 2000);
  scope.add(
    live.subscribe(
      'subscription CampaignList { trackingEvents(types: [OPEN, CLICK, UNSUBSCRIBE]) { id } }',
      {},
      {
        next: reload,
        error: () => {},
      },
    ),
  );
  scope.add(live.onReconnect(reload));
  scope.add(reload.cancel);
  scope.interval(() => {
    if (sending) load();
  }, 3000);
}

function campaignTable(campaigns) {
  if (!campaigns.length)
    return h(
      'div',
      { class: 'card empty-state', 'data-testid': 'campaigns-empty' },
      h('h2', { text: 'No campaigns yet' }),
      h('p', {
        text: 'Create a campaign from a CSV of recipients, then watch opens and clicks arrive here.',
      }),
      h('a', { class: 'button primary', href: '#/new-campaign', text: 'Create a campaign' }),
    );
  const headers = [
    'Campaign',
    'Status',
    'Recipients',
    'Sent',
    'Opens (unique)',
    'Open rate',
    'Clicks',
    'Click rate',
    'Unsubscribes',
    'Created',
  ];
  return h(
    'section',
    { class: 'card table-card', 'aria-labelledby': 'campaigns-heading' },
    h('div', { class: 'card-head' }, h('h2', { id: 'campaigns-heading', text: 'All campaigns' })),
    h(
      'div',
      { class: 'table-scroll', role: 'region', 'aria-label': 'Campaigns (scrolls sideways)', tabindex: '0' },
      h(
        'table',
        { class: 'data', 'data-testid': 'campaigns-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            headers.map((text, i) => h('th', { scope: 'col', class: i >= 2 && i <= 8 ? 'num' : null, text })),
          ),
        ),
        h(
          'tbody',
          {},
          campaigns.map((c) => {
            const m = c.metrics;
            return h(
              'tr',
              { 'data-testid': 'campaign-row', 'data-campaign-id': c.id },
              h(
                'th',
                { scope: 'row' },
                h('a', { class: 'strong', href: `#/campaigns/${encodeURIComponent(c.id)}`, text: c.name }),
              ),
              h('td', {}, campaignStatus(c.status)),
              h('td', { class: 'num', text: fmt.number(c.recipientCount) }),
              h('td', { class: 'num', 'data-col': 'sent', text: fmt.number(m.sent) }),
              h('td', {
                class: 'num',
                'data-col': 'opens',
                text: `${fmt.number(m.opens)} (${fmt.number(m.uniqueOpens)})`,
              }),
              h('td', { class: 'num', 'data-col': 'open-rate', text: fmt.percent(m.openRate) }),
              h('td', { class: 'num', 'data-col': 'clicks', text: fmt.number(m.clicks) }),
              h('td', { class: 'num', text: fmt.percent(m.clickRate) }),
              h('td', { class: 'num', text: fmt.number(m.unsubscribes) }),
              h(
                'td',
                {},
                h('time', { datetime: c.createdAt, title: c.createdAt, text: fmt.dateTime(c.createdAt) }),
              ),
            );
          }),
        ),
      ),
    ),
  );
}

// ---- one campaign ----

/** By the minute for a campaign's first two hours (the minute buckets cover a day), hourly for three days, daily after. */
function defaultBucket(campaign) {
  const start = campaign?.sendStartedAt ?? campaign?.createdAt;
  const age = start ? Date.now() - new Date(start).getTime() : Infinity;
  return age < 2 * 3_600_000 ? 'MINUTE' : age < 3 * 86_400_000 ? 'HOUR' : 'DAY';
}

export async function campaignView(main, scope, { live, params }) {
  const id = params.id;
  const head = h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', text: 'Campaign' }));
  const stats = h('dl', { class: 'stats', 'data-testid': 'campaign-metrics' });
  const charts = h('div', { class: 'charts', 'data-testid': 'charts' });
  const feed = h('ol', { class: 'feed', 'data-testid': 'activity-feed' });
  // one short sentence per new event for screen readers (the feed itself is redrawn on each event)
  const announcer = h('p', { class: 'sr-only', role: 'status' });
  const feedCard = h(
    'section',
    { class: 'card feed-card', 'aria-labelledby': 'feed-heading' },
    h('div', { class: 'card-head' }, h('h2', { id: 'feed-heading', text: 'Live activity' })),
    feed,
    announcer,
  );
  const notice = h('div', {});
  const table = messageTable(scope, { campaignId: id, title: 'Messages' });
  replace(main, h('p', { class: 'loading', text: 'Loading the campaign…' }));

  const state = { bucket: null, campaign: null, events: [], request: 0 };

  async function loadCampaign() {
    const request = ++state.request;
    let data;
    try {
      // the recent activity once, at the start: after that the subscription keeps the feed
      data = await gql(CAMPAIGN_QUERY, {
        id,
        bucket: state.bucket ?? 'HOUR',
        withEvents: !state.campaign,
      });
    } catch (e) {
      if (scope.disposed || request !== state.request) return false;
      if (!state.campaign) replace(main, errorBox(e.message));
      else replace(notice, errorBox(e.message));
      return false;
    }
    // an older answer must not overwrite a newer one
    if (scope.disposed || request !== state.request) return false;
    const campaign = data.campaign;
    if (!campaign) {
      replace(
        main,
        h(
          'div',
          { class: 'card empty-state', 'data-testid': 'campaign-not-found' },
          h('h1', { tabindex: '-1', text: 'Campaign not found' }),
          h('p', { text: 'There is no campaign with this id in your account.' }),
          h('a', { class: 'button', href: '#/campaigns', text: 'Back to campaigns' }),
        ),
      );
      return false;
    }
    // the first answer decides the bucket; asked for again in another, the page is still to be drawn
    if (!state.bucket) {
      state.bucket = defaultBucket(campaign);
      if (state.bucket !== 'HOUR') return loadCampaign();
    }
    const first = !state.campaign;
    if (first) state.events = campaign.events ?? [];
    state.campaign = campaign;
    replace(notice);
    renderHead(campaign);
    renderStats(campaign);
    renderCharts(campaign.metrics);
    if (first) {
      replace(
        main,
        h(
          'nav',
          { class: 'crumbs', 'aria-label': 'Breadcrumb' },
          h('a', { href: '#/campaigns', text: 'Campaigns' }),
          ' / ',
          h('span', { 'aria-current': 'page', text: campaign.name }),
        ),
        head,
        notice,
        stats,
        h('div', { class: 'grid-2' }, charts, feedCard),
        table.el,
      );
      renderFeed();
    }
    return true;
  }

  function renderHead(c) {
    const sendButton =
      c.status === 'DRAFT'
        ? h('button', {
            type: 'button',
            class: 'button primary',
            'data-testid': 'send-campaign',
            text: `Send to ${fmt.number(c.recipientCount)} recipients`,
            onclick: async (event) => {
              event.currentTarget.disabled = true;
              try {
                await gql('mutation Send($id: ID!) { sendCampaign(id: $id) { id status } }', { id });
              } catch (e) {
                replace(notice, errorBox(e.message));
              }
              loadCampaign();
            },
          })
        : null;
    replace(
      head,
      h(
        'div',
        {},
        h('h1', { tabindex: '-1', 'data-testid': 'campaign-name' }, c.name, ' ', campaignStatus(c.status)),
        h(
          'p',
          { class: 'subtle' },
          h('span', { text: `Subject: ${c.subject}` }),
          h('span', { class: 'sep', 'aria-hidden': 'true', text: '·' }),
          h('span', {
            text: `From ${c.sender.name ? `${c.sender.name} <${c.sender.email}>` : c.sender.email}`,
          }),
          h('span', { class: 'sep', 'aria-hidden': 'true', text: '·' }),
          h('span', {
            text: c.sendStartedAt
              ? `Sending started ${fmt.dateTime(c.sendStartedAt)}`
              : `Created ${fmt.dateTime(c.createdAt)}`,
          }),
        ),
      ),
      sendButton,
    );
  }

  function renderStats(c) {
    const m = c.metrics;
    replace(
      stats,
      stat('Recipients', fmt.number(m.recipients || c.recipientCount), { testId: 'metric-recipients' }),
      stat('Sent', fmt.number(m.sent), {
        testId: 'metric-sent',
        detail:
          [
            m.failed && `${fmt.number(m.failed)} failed`,
            m.suppressed && `${fmt.number(m.suppressed)} suppressed`,
          ]
            .filter(Boolean)
            .join(', ') || null,
      }),
      stat('Opens', fmt.number(m.opens), {
        testId: 'metric-opens',
        detail: `${fmt.number(m.uniqueOpens)} unique`,
      }),
      stat('Open rate', fmt.percent(m.openRate), { testId: 'metric-open-rate' }),
      stat('Clicks', fmt.number(m.clicks), {
        testId: 'metric-clicks',
        detail: `${fmt.number(m.uniqueClicks)} unique`,
      }),
      stat('Click rate', fmt.percent(m.clickRate), { testId: 'metric-click-rate' }),
      stat('Unsubscribes', fmt.number(m.unsubscribes), {
        testId: 'metric-unsubscribes',
        detail: fmt.percent(m.unsubscribeRate),
      }),
      stat('Median time to open', fmt.duration(m.medianTimeToOpenSeconds), {
        testId: 'metric-median-open',
        detail: `${fmt.number(m.machineOpens)} machine opens`,
      }),
    );
  }

  /** Charts are drawn at their real width, so that their text keeps its size in any window. */
  function chartWidths() {
    const narrow = window.matchMedia('(max-width: 720px)').matches;
    const padding = narrow ? 30 : 42;
    const full = charts.clientWidth ? charts.clientWidth - padding : 0;
    state.chartsWidth = charts.clientWidth;
    return {
      timeline: full > 200 ? full : 640,
      bars: full > 200 ? (narrow ? full : (charts.clientWidth - 20) / 2 - padding) : 400,
    };
  }

  function renderCharts(m) {
    state.metrics = m;
    const widths = chartWidths();
    const bucketToggle = h(
      'div',
      { class: 'segmented', role: 'group', 'aria-label': 'Time buckets' },
      [
        ['MINUTE', 'Minutes'],
        ['HOUR', 'Hourly'],
        ['DAY', 'Daily'],
      ].map(([bucket, label]) =>
        h('button', {
          type: 'button',
          'aria-pressed': String(state.bucket === bucket),
          text: label,
          onclick: () => {
            if (state.bucket === bucket) return;
            state.bucket = bucket;
            loadCampaign();
          },
        }),
      ),
    );
    const countries = m.topCountries.map((c) => ({ label: fmt.country(c.country), value: c.opens }));
    const clients = m.clients.map((c) => ({
      label: `${c.client === 'unknown' ? 'Unknown' : c.client} · ${c.device}`,
      value: c.opens,
    }));
    replace(
      charts,
      chartCard({
        title: 'Opens and clicks over time',
        testId: 'chart-timeline',
        legend: [
          ['Opens', 'opens'],
          ['Clicks', 'clicks'],
        ],
        actions: bucketToggle,
        empty: m.timeline.length === 0,
        emptyText: 'No opens or clicks yet.',
        body: m.timeline.length ? timelineChart(m.timeline, state.bucket, { width: widths.timeline }) : null,
      }),
      h(
        'div',
        { class: 'grid-2 inner' },
        chartCard({
          title: 'Countries',
          testId: 'chart-countries',
          empty: countries.length === 0,
          emptyText: 'No located opens yet.',
          body: countries.length
            ? barList(countries, { caption: 'Opens by country', unit: 'opens', width: widths.bars })
            : null,
        }),
        chartCard({
          title: 'Email clients',
          testId: 'chart-clients',
          empty: clients.length === 0,
          emptyText: 'No opens by people yet.',
          body: clients.length
            ? barList(clients, {
                caption: 'Opens by email client and device',
                unit: 'opens',
                width: widths.bars,
              })
            : null,
        }),
      ),
      m.links.length ? linksTable(m.links) : null,
    );
  }

  function linksTable(links) {
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'links-heading', 'data-testid': 'links' },
      h('div', { class: 'card-head' }, h('h3', { id: 'links-heading', text: 'Links' })),
      h(
        'div',
        { class: 'table-scroll', role: 'region', 'aria-label': 'Links (scrolls sideways)', tabindex: '0' },
        h(
          'table',
          { class: 'data compact' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col', text: 'URL' }),
              h('th', { scope: 'col', class: 'num', text: 'Clicks' }),
              h('th', { scope: 'col', class: 'num', text: 'Unique' }),
              h('th', { scope: 'col', class: 'num', text: 'Machine' }),
            ),
          ),
          h(
            'tbody',
            {},
            links.map((l) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, h('span', { class: 'truncate url', title: l.url, text: l.url })),
                h('td', { class: 'num', text: fmt.number(l.clicks) }),
                h('td', { class: 'num', text: fmt.number(l.uniqueClicks) }),
                h('td', { class: 'num', text: fmt.number(l.machineClicks) }),
              ),
            ),
          ),
        ),
      ),
    );
  }

  function renderFeed() {
    if (!state.events.length) {
      replace(
        feed,
        h('li', {
          class: 'empty',
          text: 'Waiting for new opens and clicks: they appear here as they happen.',
        }),
      );
      return;
    }
    replace(
      feed,
      state.events.map((e) =>
        h(
          'li',
          { class: `feed-item type-${e.type.toLowerCase()}`, 'data-testid': 'activity-item' },
          h('span', {
            class: 'feed-type',
            text: e.type === 'OPEN' ? 'Opened' : e.type === 'CLICK' ? 'Clicked' : 'Unsubscribed',
          }),
          h(
            'span',
            { class: 'feed-main' },
            h('span', { class: 'recipient', text: e.recipient }),
            h('span', {
              class: 'feed-detail',
              text:
                [e.location ? fmt.location(e.location) : null, e.url, e.machine ? 'machine' : null]
                  .filter(Boolean)
                  .join(' · ') || ' ',
            }),
          ),
          h('time', { datetime: e.occurredAt, title: e.occurredAt, text: fmt.hour(e.occurredAt) }),
        ),
      ),
    );
  }

  if (!(await loadCampaign())) return;
  const resized = new ResizeObserver(() => {
    if (state.metrics && Math.abs(charts.clientWidth - state.chartsWidth) > 24) renderCharts(state.metrics);
  });
  resized.observe(charts);
  scope.add(() => resized.disconnect());
  await table.load();

  // live: an event names its message; refetch those rows and the metrics, a few times a second at most
  const changed = new Set();
  const flush = debounce(
    () => {
      const ids = [...changed];
      changed.clear();
      table.refresh(ids);
      loadCampaign();
    },
    300,
    1500,
  );
  scope.add(
    live.subscribe(
      `subscription CampaignEvents($id: ID) { trackingEvents(campaignId: $id) { ${EVENT_FIELDS} } }`,
      { id },
      {
        next: (data) => {
          const event = data.trackingEvents;
          // an event comes again once processed (location, machine verdict): update it in place
          const index = state.events.findIndex((e) => e.id === event.id);
          if (index >= 0) state.events[index] = event;
          else {
            // newest first by when they happened: a batch of events may arrive in any order
            state.events = [event, ...state.events]
              .sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt))
              .slice(0, FEED_SIZE);
            announcer.textContent = `${event.recipient} ${event.type === 'OPEN' ? 'opened the email' : event.type === 'CLICK' ? 'clicked a link' : 'unsubscribed'}`;
          }
          renderFeed();
          changed.add(event.messageId);
          flush();
        },
        error: (errors) =>
          replace(notice, errorBox(`Live updates stopped: ${errors?.[0]?.message ?? 'refused'}`)),
      },
    ),
  );
  scope.add(
    live.onReconnect(() => {
      table.load();
      loadCampaign();
    }),
  );
  scope.add(flush.cancel);
  // while sending, messages appear and change status without tracking events
  scope.interval(() => {
    if (state.campaign?.status === 'SENDING' || table.pending()) {
      table.load();
      loadCampaign();
    }
  }, 2000);
}
