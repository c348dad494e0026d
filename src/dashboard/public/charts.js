// Hand-written SVG charts. Each is an <svg role="img"> with an aria-label summary, a <title> on
// every bar, and the same numbers in a visually hidden table for screen readers.

import { fmt, h, s } from './dom.js';

/** A chart's frame: heading, optional legend and the chart, or an empty state. */
export function chartCard({ title, testId, legend, empty, emptyText, body, actions }) {
  return h(
    'section',
    { class: 'card chart-card', 'data-testid': testId, 'aria-label': title },
    h('div', { class: 'card-head' }, h('h3', { text: title }), actions ?? null),
    legend && !empty
      ? h(
          'ul',
          { class: 'legend', 'aria-hidden': 'true' },
          legend.map(([label, cls]) => h('li', {}, h('span', { class: `swatch ${cls}` }), label)),
        )
      : null,
    empty ? h('p', { class: 'empty', 'data-testid': `${testId}-empty`, text: emptyText }) : body,
  );
}

function niceMax(value) {
  if (value <= 4) return Math.max(1, value);
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function hiddenTable(caption, headers, rows) {
  return h(
    'table',
    { class: 'sr-only' },
    h('caption', { text: caption }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((text) => h('th', { scope: 'col', text })),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map(([head, ...cells]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row', text: head }),
          cells.map((text) => h('td', { text })),
        ),
      ),
    ),
  );
}

const utcDay = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const utcHour = new Intl.DateTimeFormat('en', {
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
  timeZone: 'UTC',
});

/** The API's time buckets: how long each is, and how many a short series is widened to. */
const BUCKETS = {
  MINUTE: { stepMs: 60_000, minSlots: 30, unit: 'minute' },
  HOUR: { stepMs: 3_600_000, minSlots: 12, unit: 'hour' },
  DAY: { stepMs: 86_400_000, minSlots: 7, unit: 'day' },
};

/**
 * Opens and clicks per bucket, as grouped bars; `points` as the API gives them (oldest first, only
 * buckets with events). Gaps are filled, and a short series is widened to the last 30 minutes, 12
 * hours or 7 days, so that one busy hour does not fill the whole chart. Times are UTC, like the buckets.
 */
export function timelineChart(points, bucket, { width = 640, now = Date.now() } = {}) {
  const { stepMs, minSlots, unit } = BUCKETS[bucket];
  let series = points.map((p) => ({ ...p, t: new Date(p.at).getTime() }));
  if (series.length) {
    const end = Math.max(series[series.length - 1].t, Math.floor(now / stepMs) * stepMs);
    const first = Math.min(series[0].t, end - (minSlots - 1) * stepMs);
    const slots = Math.round((end - first) / stepMs) + 1;
    if (slots <= 120) {
      const byTime = new Map(series.map((p) => [p.t, p]));
      series = Array.from({ length: slots }, (_, i) => {
        const t = first + i * stepMs;
        return byTime.get(t) ?? { t, at: new Date(t).toISOString(), opens: 0, clicks: 0, uniqueOpens: 0 };
      });
    }
  }
  const day = (p) => utcDay.format(new Date(p.at));
  const label = (p) => (bucket === 'DAY' ? day(p) : `${day(p)} ${utcHour.format(new Date(p.at))}`);
  const axisLabel = (p, i) => {
    if (bucket === 'DAY') return day(p);
    const hour = utcHour.format(new Date(p.at));
    return i === 0 || hour === '00:00' ? `${day(p)} ${hour}` : hour;
  };
  const totalOpens = series.reduce((sum, p) => sum + p.opens, 0);
  const totalClicks = series.reduce((sum, p) => sum + p.clicks, 0);

  const height = 220;
  const pad = { top: 12, right: 8, bottom: 28, left: 36 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = niceMax(Math.max(1, ...series.map((p) => Math.max(p.opens, p.clicks))));
  const slot = plotW / Math.max(series.length, 1);
  const barW = Math.max(2, Math.min(28, (slot * 0.7) / 2));
  const y = (v) => pad.top + plotH - (v / max) * plotH;

  const ticks = [0, max / 2, max].filter((v, i, all) => all.indexOf(v) === i && Number.isInteger(v));
  const labelEvery = Math.ceil(series.length / Math.max(2, Math.floor(width / 80)));
  const svg = s(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': `Opens and clicks per ${unit} (UTC): ${fmt.number(totalOpens)} opens and ${fmt.number(totalClicks)} clicks from ${label(series[0])} to ${label(series[series.length - 1])}`,
    },
    ticks.map((v) =>
      s(
        'g',
        { class: 'grid' },
        s('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) }),
        s('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end', text: fmt.number(v) }),
      ),
    ),
    series.map((p, i) => {
      const cx = pad.left + slot * i + slot / 2;
      return s(
        'g',
        { class: 'bar-group', 'data-at': p.at },
        s(
          'rect',
          {
            class: 'bar opens',
            x: cx - barW,
            y: y(p.opens),
            width: barW,
            height: Math.max(0, pad.top + plotH - y(p.opens)),
            rx: 2,
          },
          s('title', { text: `${label(p)}: ${p.opens} opens` }),
        ),
        s(
          'rect',
          {
            class: 'bar clicks',
            x: cx,
            y: y(p.clicks),
            width: barW,
            height: Math.max(0, pad.top + plotH - y(p.clicks)),
            rx: 2,
          },
          s('title', { text: `${label(p)}: ${p.clicks} clicks` }),
        ),
        i % labelEvery === 0
          ? s('text', { class: 'axis', x: cx, y: height - 8, 'text-anchor': 'middle', text: axisLabel(p, i) })
          : null,
      );
    }),
    s('line', {
      class: 'baseline',
      x1: pad.left,
      x2: width - pad.right,
      y1: pad.top + plotH,
      y2: pad.top + plotH,
    }),
  );
  return h(
    'div',
    { class: 'chart-wrap' },
    svg,
    hiddenTable(
      'Opens and clicks over time',
      [bucket === 'HOUR' ? 'Hour (UTC)' : 'Day (UTC)', 'Opens', 'Clicks'],
      series.filter((p) => p.opens || p.clicks).map((p) => [label(p), String(p.opens), String(p.clicks)]),
    ),
  );
}

/** Horizontal bars, largest first: `items` of { label, value, detail? }. */
export function barList(items, { caption, unit, width = 400 }) {
  const rowH = 30;
  const labelW = Math.round(Math.min(170, width * 0.42));
  const valueW = 40;
  const max = Math.max(1, ...items.map((i) => i.value));
  const total = items.reduce((sum, i) => sum + i.value, 0);
  const svg = s(
    'svg',
    {
      class: 'chart bars',
      viewBox: `0 0 ${width} ${items.length * rowH}`,
      role: 'img',
      'aria-label': `${caption}: ${items.map((i) => `${i.label} ${i.value}`).join(', ')}`,
    },
    items.map((item, index) => {
      const barMax = width - labelW - valueW;
      const w = Math.max(2, (item.value / max) * barMax);
      const top = index * rowH;
      return s(
        'g',
        { class: 'bar-row', 'data-label': item.label },
        s('title', { text: `${item.label}: ${item.value} ${unit} (${fmt.percent(item.value / total)})` }),
        s('text', {
          class: 'bar-label',
          x: 0,
          y: top + 19,
          text: truncate(item.label, Math.floor(labelW / 7.2)),
        }),
        s('rect', { class: 'track', x: labelW, y: top + 7, width: barMax, height: 16, rx: 3 }),
        s('rect', { class: 'bar opens', x: labelW, y: top + 7, width: w, height: 16, rx: 3 }),
        s('text', {
          class: 'bar-value',
          x: width,
          y: top + 19,
          'text-anchor': 'end',
          text: fmt.number(item.value),
        }),
      );
    }),
  );
  return h(
    'div',
    { class: 'chart-wrap' },
    svg,
    hiddenTable(
      caption,
      ['', unit],
      items.map((i) => [i.label, String(i.value)]),
    ),
  );
}

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
