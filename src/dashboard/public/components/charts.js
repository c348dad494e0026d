// Hand-written SVG charts. Each is an <svg role="img"> with an aria-label summary, a <title> on
// every bar, and the same numbers in a visually hidden table for screen readers.

import { fmt, h, s } from '../dom.js';
import { dataTable, textRow } from './table.js';

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

/** The chart's numbers for screen readers: `rows` of [heading, ...cells]. */
function hiddenTable(caption, headers, rows) {
  return dataTable(
    { class: 'sr-only' },
    { caption, columns: headers, rows: rows.map(([head, ...cells]) => textRow(head, cells)) },
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

/** Fills the gaps of a series (oldest first) and widens a short one to `minSlots` buckets up to now. */
function fillSeries(points, { stepMs, minSlots }, now) {
  const series = points.map((p) => ({ ...p, t: new Date(p.at).getTime() }));
  if (!series.length) return series;
  const end = Math.max(series[series.length - 1].t, Math.floor(now / stepMs) * stepMs);
  const first = Math.min(series[0].t, end - (minSlots - 1) * stepMs);
  const slots = Math.round((end - first) / stepMs) + 1;
  if (slots > 120) return series;
  const byTime = new Map(series.map((p) => [p.t, p]));
  return Array.from({ length: slots }, (_, i) => {
    const t = first + i * stepMs;
    return byTime.get(t) ?? { t, at: new Date(t).toISOString(), opens: 0, clicks: 0, uniqueOpens: 0 };
  });
}

/** A bucket's name in titles and the hidden table, and under its bar on the axis. */
function bucketLabels(bucket) {
  const day = (p) => utcDay.format(new Date(p.at));
  const label = (p) => (bucket === 'DAY' ? day(p) : `${day(p)} ${utcHour.format(new Date(p.at))}`);
  const axisLabel = (p, i) => {
    if (bucket === 'DAY') return day(p);
    const hour = utcHour.format(new Date(p.at));
    return i === 0 || hour === '00:00' ? `${day(p)} ${hour}` : hour;
  };
  return { label, axisLabel };
}

/** Where things go in a timeline of `count` buckets, `width` wide, up to `max`. */
function timelineLayout(width, count, max) {
  const height = 220;
  const pad = { top: 12, right: 8, bottom: 28, left: 36 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const slot = plotW / Math.max(count, 1);
  return {
    width,
    height,
    pad,
    baseline: pad.top + plotH,
    slot,
    barW: Math.max(2, Math.min(28, (slot * 0.7) / 2)),
    y: (v) => pad.top + plotH - (v / max) * plotH,
    labelEvery: Math.ceil(count / Math.max(2, Math.floor(width / 80))),
  };
}

function gridLine(v, { pad, width, y }) {
  return s(
    'g',
    { class: 'grid' },
    s('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) }),
    s('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end', text: fmt.number(v) }),
  );
}

function bar(kind, x, value, title, { y, barW, baseline }) {
  const props = {
    class: `bar ${kind}`,
    x,
    y: y(value),
    width: barW,
    height: Math.max(0, baseline - y(value)),
  };
  return s('rect', { ...props, rx: 2 }, s('title', { text: title }));
}

function barGroup(p, i, layout, { label, axisLabel }) {
  const { pad, slot, barW, height, labelEvery } = layout;
  const cx = pad.left + slot * i + slot / 2;
  return s(
    'g',
    { class: 'bar-group', 'data-at': p.at },
    bar('opens', cx - barW, p.opens, `${label(p)}: ${p.opens} opens`, layout),
    bar('clicks', cx, p.clicks, `${label(p)}: ${p.clicks} clicks`, layout),
    i % labelEvery === 0
      ? s('text', { class: 'axis', x: cx, y: height - 8, 'text-anchor': 'middle', text: axisLabel(p, i) })
      : null,
  );
}

/**
 * Opens and clicks per bucket, as grouped bars; `points` as the API gives them (oldest first, only
 * buckets with events). Gaps are filled, and a short series is widened to the last 30 minutes, 12
 * hours or 7 days, so that one busy hour does not fill the whole chart. Times are UTC, like the buckets.
 */
export function timelineChart(points, bucket, { width = 640, now = Date.now() } = {}) {
  const series = fillSeries(points, BUCKETS[bucket], now);
  const labels = bucketLabels(bucket);
  const max = niceMax(Math.max(1, ...series.map((p) => Math.max(p.opens, p.clicks))));
  const layout = timelineLayout(width, series.length, max);
  const ticks = [0, max / 2, max].filter((v, i, all) => all.indexOf(v) === i && Number.isInteger(v));
  const total = (key) => fmt.number(series.reduce((sum, p) => sum + p[key], 0));
  const { label } = labels;
  const svg = s(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${width} ${layout.height}`,
      role: 'img',
      'aria-label': `Opens and clicks per ${BUCKETS[bucket].unit} (UTC): ${total('opens')} opens and ${total('clicks')} clicks from ${label(series[0])} to ${label(series[series.length - 1])}`,
    },
    ticks.map((v) => gridLine(v, layout)),
    series.map((p, i) => barGroup(p, i, layout, labels)),
    s('line', {
      class: 'baseline',
      x1: layout.pad.left,
      x2: width - layout.pad.right,
      y1: layout.baseline,
      y2: layout.baseline,
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
  const layout = { rowH: 30, labelW: Math.round(Math.min(170, width * 0.42)), valueW: 40, width };
  const max = Math.max(1, ...items.map((i) => i.value));
  const total = items.reduce((sum, i) => sum + i.value, 0);
  const svg = s(
    'svg',
    {
      class: 'chart bars',
      viewBox: `0 0 ${width} ${items.length * layout.rowH}`,
      role: 'img',
      'aria-label': `${caption}: ${items.map((i) => `${i.label} ${i.value}`).join(', ')}`,
    },
    items.map((item, index) => barRow(item, index, { ...layout, max, total, unit })),
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

function barRow(item, index, { rowH, labelW, valueW, width, max, total, unit }) {
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
}

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
