// DOM helpers and formatters. Every piece of data reaches the page as text (textContent or an
// attribute value), never as markup.

/**
 * Creates an element. `props`: `class`, `text`, `on<Event>` handlers, `dataset`, and any attribute
 * (true -> present, false/null/undefined -> absent). Children: nodes, strings, arrays, null.
 */
export function h(tag, props = {}, ...children) {
  return build(document.createElement(tag), props, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The same for SVG elements. */
export function s(tag, props = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

function build(el, props, children) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') el.textContent = String(value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function')
      el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'value' && 'value' in el) el.value = value;
    else if (name === 'checked' || name === 'selected') el[name] = Boolean(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A page's heading: its title (focused after navigation), a line under it, and an optional action. */
export function pageHead(title, subtitle, action = null) {
  return h(
    'div',
    { class: 'page-head' },
    h('div', {}, h('h1', { tabindex: '-1', text: title }), h('p', { class: 'subtle', text: subtitle })),
    action,
  );
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An error said at once to screen readers (role="alert"); `props` adds attributes (a test id). */
export function errorBox(message, props = {}) {
  return h('p', { class: 'error', role: 'alert', ...props, text: message });
}

// ---- formatters ----

const numberFormat = new Intl.NumberFormat('en');
const dateTimeFormat = new Intl.DateTimeFormat('en', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const hourFormat = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', hour12: false });
let regionNames = null;
try {
  regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
} catch {
  regionNames = null;
}

export const fmt = {
  number: (n) => (n === null || n === undefined ? '—' : numberFormat.format(n)),
  percent: (rate) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`),
  dateTime: (iso) => (iso ? dateTimeFormat.format(new Date(iso)) : '—'),
  hour: (iso) => hourFormat.format(new Date(iso)),
  /** 42s, 5m 3s, 2h 5m, 3d 4h */
  duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
    return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  },
  country(code) {
    if (!code) return 'Unknown';
    try {
      const name = regionNames?.of(code);
      return name && name !== code ? name : code;
    } catch {
      return code;
    }
  },
  location(location) {
    if (!location) return '—';
    const parts = [location.city, location.region, location.country].filter(Boolean);
    return parts.length ? parts.join(', ') : '—';
  },
  /** ids are UUIDv7: the first characters are a timestamp, shared by ids made together */
  shortId: (id) => (id ? `…${id.slice(-8)}` : '—'),
};

/** Calls `fn` once, `wait` ms after the last call, but at least every `maxWait` ms while calls go on. */
export function debounce(fn, wait, maxWait = wait * 4) {
  let timer = null;
  let first = 0;
  const run = () => {
    timer = null;
    first = 0;
    fn();
  };
  const debounced = () => {
    const now = Date.now();
    if (!first) first = now;
    clearTimeout(timer);
    timer = setTimeout(run, Math.max(0, Math.min(wait, first + maxWait - now)));
  };
  debounced.cancel = () => {
    clearTimeout(timer);
    timer = null;
    first = 0;
  };
  return debounced;
}

/**
 * Collects values (message ids) and hands them to `fn` as one array, debounced like `debounce`:
 * the live views refetch what a burst of events touched in one request.
 */
export function collect(fn, wait, maxWait) {
  const pending = new Set();
  const flush = debounce(
    () => {
      const values = [...pending];
      pending.clear();
      fn(values);
    },
    wait,
    maxWait,
  );
  const add = (value) => {
    pending.add(value);
    flush();
  };
  add.cancel = flush.cancel;
  return add;
}
