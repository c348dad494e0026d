// A campaign's charts: opens and clicks over time (with its time-bucket toggle), countries, email
// clients, and the links table. Drawn at their real width, and again when that width changes.

import { fmt, h, replace } from '../dom.js';
import { barList, chartCard, timelineChart } from './charts.js';
import { dataTable, scrollBox } from './table.js';

const BUCKET_CHOICES = [
  ['MINUTE', 'Minutes'],
  ['HOUR', 'Hourly'],
  ['DAY', 'Daily'],
];

/** `render(metrics, bucket)` draws them; `onBucket(bucket)` is called when another bucket is chosen. */
export function campaignCharts({ onBucket }) {
  const el = h('div', { class: 'charts', 'data-testid': 'charts' });
  let shown = null;
  function render(metrics, bucket) {
    shown = { metrics, bucket, width: el.clientWidth };
    replace(el, chartsOf(metrics, bucket, chartWidths(el), onBucket));
  }
  /** Redraws when the width changes by more than a little, until the scope ends. */
  function observeResize(scope) {
    const resized = new ResizeObserver(() => {
      if (shown && Math.abs(el.clientWidth - shown.width) > 24) render(shown.metrics, shown.bucket);
    });
    resized.observe(el);
    scope.add(() => resized.disconnect());
  }
  return { el, render, observeResize };
}

/** Charts are drawn at their real width, so that their text keeps its size in any window. */
function chartWidths(el) {
  const narrow = window.matchMedia('(max-width: 720px)').matches;
  const padding = narrow ? 30 : 42;
  const full = el.clientWidth ? el.clientWidth - padding : 0;
  return {
    timeline: full > 200 ? full : 640,
    bars: full > 200 ? (narrow ? full : (el.clientWidth - 20) / 2 - padding) : 400,
  };
}

function chartsOf(m, bucket, widths, onBucket) {
  return [
    chartCard({
      title: 'Opens and clicks over time',
      testId: 'chart-timeline',
      legend: [
        ['Opens', 'opens'],
        ['Clicks', 'clicks'],
      ],
      actions: bucketToggle(bucket, onBucket),
      empty: m.timeline.length === 0,
      emptyText: 'No opens or clicks yet.',
      body: m.timeline.length ? timelineChart(m.timeline, bucket, { width: widths.timeline }) : null,
    }),
    h(
      'div',
      { class: 'grid-2 inner' },
      BAR_CARDS.map((card) => barCard(card, card.items(m), widths.bars)),
    ),
    m.links.length ? linksTable(m.links) : null,
  ];
}

function bucketToggle(current, onBucket) {
  return h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Time buckets' },
    BUCKET_CHOICES.map(([bucket, label]) =>
      h('button', {
        type: 'button',
        'aria-pressed': String(current === bucket),
        text: label,
        onclick: () => {
          if (current !== bucket) onBucket(bucket);
        },
      }),
    ),
  );
}

/** The cards of horizontal bars, and what each draws from the metrics. */
const BAR_CARDS = [
  {
    title: 'Countries',
    testId: 'chart-countries',
    emptyText: 'No located opens yet.',
    caption: 'Opens by country',
    items: (m) => m.topCountries.map((c) => ({ label: fmt.country(c.country), value: c.opens })),
  },
  {
    title: 'Email clients',
    testId: 'chart-clients',
    emptyText: 'No opens by people yet.',
    caption: 'Opens by email client and device',
    items: (m) =>
      m.clients.map((c) => ({
        label: `${c.client === 'unknown' ? 'Unknown' : c.client} · ${c.device}`,
        value: c.opens,
      })),
  },
];

/** A card of horizontal bars, or its empty state. */
function barCard({ title, testId, emptyText, caption }, items, width) {
  return chartCard({
    title,
    testId,
    empty: items.length === 0,
    emptyText,
    body: items.length ? barList(items, { caption, unit: 'opens', width }) : null,
  });
}

function linksTable(links) {
  const rows = links.map((l) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, h('span', { class: 'truncate url', title: l.url, text: l.url })),
      h('td', { class: 'num', text: fmt.number(l.clicks) }),
      h('td', { class: 'num', text: fmt.number(l.uniqueClicks) }),
      h('td', { class: 'num', text: fmt.number(l.machineClicks) }),
    ),
  );
  const columns = [
    'URL',
    { text: 'Clicks', num: true },
    { text: 'Unique', num: true },
    { text: 'Machine', num: true },
  ];
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'links-heading', 'data-testid': 'links' },
    h('div', { class: 'card-head' }, h('h3', { id: 'links-heading', text: 'Links' })),
    scrollBox('Links (scrolls sideways)', dataTable({ class: 'data compact' }, { columns, rows })),
  );
}
