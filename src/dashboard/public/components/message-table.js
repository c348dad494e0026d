// The message table (the original tracker's dashboard: one row per email sent), paginated by
// cursor and filterable by recipient; rows are refreshed in place when live events arrive.

import { gql, loadMessages } from '../api.js';
import { fmt, h, replace } from '../dom.js';
import { MESSAGES_QUERY } from '../queries.js';
import { FINAL_STATUSES, statusBadge } from './status.js';
import { dataTable, scrollBox } from './table.js';

const PAGE_SIZE = 25;

function cell(col, ...content) {
  return h('td', { 'data-col': col }, ...content);
}

function timeCell(col, iso) {
  return cell(col, iso ? h('time', { datetime: iso, title: iso, text: fmt.dateTime(iso) }) : '—');
}

function machineFlags(message) {
  const flags = [];
  if (message.machineOpenCount > 0)
    flags.push(
      h('span', {
        class: 'badge flag',
        title: 'opens made by proxies, prefetchers and scanners',
        text: `${message.machineOpenCount} machine`,
      }),
    );
  const last = message.lastOpen;
  if (last?.machineReason)
    flags.push(
      h('span', {
        class: `badge ${last.machine ? 'flag' : 'note'}`,
        title: last.machine ? 'last open judged a machine' : 'last open: a person, through a proxy',
        text: last.machineReason.replace(/_/g, ' '),
      }),
    );
  return flags.length ? h('span', { class: 'flags' }, flags) : '—';
}

/** The Campaign and Subject cells, in the table across campaigns (`campaignNames` given). */
function campaignCells(message, campaignNames) {
  if (!campaignNames) return [];
  const campaign = message.campaignId
    ? h('a', {
        href: `#/campaigns/${encodeURIComponent(message.campaignId)}`,
        text: campaignNames.get(message.campaignId) ?? fmt.shortId(message.campaignId),
      })
    : h('span', { class: 'muted', text: 'Single send' });
  return [
    cell('campaign', campaign),
    cell('subject', h('span', { class: 'truncate', title: message.subject, text: message.subject })),
  ];
}

/** The last open's cells: where from, with what, and its user agent. */
function lastOpenCells(last) {
  return [
    cell('ip', last?.ipAddress ? h('code', { text: last.ipAddress }) : '—'),
    cell('location', fmt.location(last?.location)),
    cell('client', last?.client ? `${last.client} · ${last.device ?? 'unknown'}` : '—'),
    cell(
      'user-agent',
      last?.userAgent
        ? h('span', { class: 'truncate ua', title: last.userAgent, text: last.userAgent })
        : '—',
    ),
  ];
}

/** One <tr>; `serial` is the S.No. (position in the list, newest first). */
function messageRow(message, serial, { campaignNames }) {
  const failed = message.error && message.status === 'FAILED';
  return h(
    'tr',
    { 'data-testid': 'message-row', 'data-message-id': message.id, 'data-status': message.status },
    h('th', { scope: 'row', class: 'num', text: String(serial) }),
    cell('id', h('code', { title: message.id, text: fmt.shortId(message.id) })),
    cell('sequence', String(message.sequenceId)),
    cell('recipient', h('span', { class: 'recipient', text: message.recipient })),
    campaignCells(message, campaignNames),
    cell(
      'status',
      statusBadge(message.status, message.error ?? undefined),
      failed ? h('span', { class: 'cell-error', text: message.error }) : null,
    ),
    timeCell('sent', message.sentAt),
    timeCell('first-opened', message.firstOpenedAt),
    lastOpenCells(message.lastOpen),
    cell('time-to-open', fmt.duration(message.timeToOpenSeconds)),
    h('td', { 'data-col': 'opens', class: 'num', text: fmt.number(message.openCount) }),
    h('td', { 'data-col': 'clicks', class: 'num', text: fmt.number(message.clickCount) }),
    cell('machine', machineFlags(message)),
  );
}

/** [label, kind, title]: kind 'num' right-aligns, 'campaign' is only shown across campaigns. */
const COLUMNS = [
  ['S.No.', 'num'],
  ['Message ID'],
  ['Seq.', null, 'sequence id: 1 for the first email to this recipient, then 2, 3, ...'],
  ['Recipient'],
  ['Campaign', 'campaign'],
  ['Subject', 'campaign'],
  ['Status'],
  ['Sent at'],
  ['First opened'],
  ['Last open IP'],
  ['Location'],
  ['Client', null, 'email client and device of the last open, from its user agent'],
  ['User agent'],
  ['Time to open'],
  ['Opens', 'num'],
  ['Clicks', 'num'],
  ['Machine', null, 'machine opens and the verdict on the last open'],
];

/** Across campaigns (the Emails view): single sends, campaign messages or both. */
function kindSelect() {
  return h(
    'select',
    { id: 'message-kind', name: 'kind', 'data-testid': 'message-kind' },
    [
      ['', 'All emails'],
      ['true', 'Single sends'],
      ['false', 'Campaign messages'],
    ].map(([value, label]) => h('option', { value, text: label })),
  );
}

/** The filter form: `onFilter(recipient, transactional)` on submit, on a change of kind, on clearing. */
function filterForm(kind, onFilter) {
  const input = h('input', {
    type: 'search',
    id: 'recipient-filter',
    name: 'recipient',
    placeholder: 'someone@example.com',
    autocomplete: 'off',
    'data-testid': 'recipient-filter',
  });
  let recipient = '';
  const filter = () => {
    recipient = input.value.trim();
    onFilter(recipient, kind?.value ? kind.value === 'true' : null);
  };
  kind?.addEventListener('change', filter);
  const form = h(
    'form',
    {
      class: 'filter',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        filter();
      },
    },
    kind ? h('label', { for: 'message-kind', class: 'sr-only', text: 'Show' }) : null,
    kind,
    h('label', { for: 'recipient-filter', text: 'Filter by recipient' }),
    h(
      'div',
      { class: 'filter-row' },
      input,
      h('button', { type: 'submit', class: 'button', text: 'Filter' }),
    ),
  );
  input.addEventListener('search', () => {
    if (!input.value && recipient) form.requestSubmit();
  });
  return form;
}

function pagerButton(text, testId, onclick) {
  return h('button', { type: 'button', class: 'button', text, 'data-testid': testId, onclick });
}

/**
 * The table and its controls. `campaignId`: that campaign's messages, else all of the account's;
 * `campaignNames` (id -> name) adds Campaign and Subject columns. Returns the element, `load()`
 * for the current page, `refresh(messageIds)` for live updates, `pending()` and `isFirstPage()`.
 */
export function messageTable(scope, { campaignId = null, campaignNames = null, title = 'Messages' }) {
  const t = {
    scope,
    campaignId,
    campaignNames,
    columns: COLUMNS.filter(([, kind]) => kind !== 'campaign' || campaignNames),
    state: { recipient: '', transactional: null, cursors: [null], page: 0, rows: new Map(), loading: null },
    summary: h('p', { class: 'table-summary', 'aria-live': 'polite', 'data-testid': 'messages-summary' }),
    error: h('p', { class: 'error', role: 'alert', hidden: true }),
    tbody: h('tbody'),
  };
  const load = () => loadPage(t);
  const turn = (step) => () => {
    const page = t.state.page + step;
    if (page < 0 || (step > 0 && t.state.cursors.length <= page)) return;
    t.state.page = page;
    load();
  };
  t.prev = pagerButton('Previous', 'page-prev', turn(-1));
  t.next = pagerButton('Next', 'page-next', turn(1));
  const form = filterForm(campaignNames ? kindSelect() : null, (recipient, transactional) => {
    Object.assign(t.state, { recipient, transactional, cursors: [null], page: 0 });
    load();
  });
  const el = tableCard(t, title, form);
  const pending = () => [...t.state.rows.values()].some((r) => !FINAL_STATUSES.has(r.message.status));
  return { el, load, refresh: (ids) => refreshRows(t, ids), pending, isFirstPage: () => t.state.page === 0 };
}

function tableCard(t, title, form) {
  const columns = t.columns.map(([text, kind, hint]) => ({ text, num: kind === 'num', title: hint }));
  return h(
    'section',
    { class: 'card table-card', 'aria-labelledby': 'messages-heading', 'data-testid': 'messages' },
    h('div', { class: 'card-head' }, h('h2', { id: 'messages-heading', text: title }), form),
    t.error,
    scrollBox(
      `${title} (scrolls sideways)`,
      dataTable({ class: 'data messages-table' }, { columns, tbody: t.tbody }),
    ),
    h('div', { class: 'pager' }, t.summary, h('div', { class: 'pager-buttons' }, t.prev, t.next)),
  );
}

function showError(t, message) {
  t.error.textContent = message;
  t.error.hidden = false;
}

async function loadPage(t) {
  const { state } = t;
  const request = (state.loading = gql(MESSAGES_QUERY, {
    campaignId: t.campaignId,
    transactional: state.transactional,
    recipient: state.recipient || null,
    after: state.cursors[state.page],
    first: PAGE_SIZE,
  }));
  try {
    const data = await request;
    if (t.scope.disposed || state.loading !== request) return;
    t.error.hidden = true;
    renderPage(t, data.messages);
  } catch (e) {
    if (t.scope.disposed || state.loading !== request) return;
    showError(t, e.message);
  }
}

function renderPage(t, page) {
  const { state } = t;
  state.cursors[state.page + 1] = page.hasNextPage ? page.endCursor : undefined;
  state.cursors.length = page.hasNextPage ? state.page + 2 : state.page + 1;
  state.rows.clear();
  const offset = state.page * PAGE_SIZE;
  const rows = page.nodes.map((message, i) => {
    const row = { tr: messageRow(message, offset + i + 1, t), message, serial: offset + i + 1 };
    state.rows.set(message.id, row);
    return row.tr;
  });
  replace(t.tbody, rows.length ? rows : emptyRow(t));
  const text = page.nodes.length
    ? `Showing ${fmt.number(offset + 1)}–${fmt.number(offset + page.nodes.length)} of ${fmt.number(page.totalCount)}`
    : `${fmt.number(page.totalCount)} messages`;
  // a live region: announce only what changed
  if (t.summary.textContent !== text) t.summary.textContent = text;
  t.prev.disabled = state.page === 0;
  t.next.disabled = !page.hasNextPage;
}

function emptyRow({ state, columns, campaignId }) {
  const text = state.recipient
    ? `No messages to ${state.recipient}.`
    : state.transactional !== null
      ? `No ${state.transactional ? 'single sends' : 'campaign messages'} yet.`
      : campaignId
        ? 'No messages yet: they appear here as the campaign is sent.'
        : 'No emails yet. Send one from Compose.';
  return h(
    'tr',
    { class: 'empty-row' },
    h('td', { colspan: String(columns.length), class: 'empty', 'data-testid': 'messages-empty', text }),
  );
}

/** Whether a refreshed row shows something new (its row is marked, briefly highlighted). */
function rowChanged(before, after) {
  return (
    after.openCount !== before.openCount ||
    after.clickCount !== before.clickCount ||
    after.status !== before.status ||
    after.lastOpen?.id !== before.lastOpen?.id ||
    after.lastOpen?.location?.country !== before.lastOpen?.location?.country
  );
}

/** Reloads the rows of these messages that are on this page, and redraws them in place. */
async function refreshRows(t, ids) {
  const shown = [...new Set(ids)].filter((id) => t.state.rows.has(id));
  if (!shown.length) return;
  let fresh;
  try {
    fresh = await loadMessages(shown);
  } catch (e) {
    if (!t.scope.disposed) showError(t, e.message);
    return;
  }
  if (t.scope.disposed) return;
  for (const [id, message] of fresh) {
    const row = t.state.rows.get(id);
    if (!row || !message) continue;
    const tr = messageRow(message, row.serial, t);
    if (rowChanged(row.message, message)) tr.classList.add('updated');
    row.tr.replaceWith(tr);
    t.state.rows.set(id, { tr, message, serial: row.serial });
  }
}
