// The message table (the original tracker's dashboard: one row per email sent), paginated by
// cursor and filterable by recipient; rows are refreshed in place when live events arrive.

import { MESSAGES_QUERY, gql, loadMessages } from './api.js';
import { debounce, fmt, h, pageHead, replace } from './dom.js';

const PAGE_SIZE = 25;
const FINAL = new Set(['SENT', 'FAILED', 'SUPPRESSED']);

export function statusBadge(status, title) {
  return h('span', {
    class: `badge status-${status.toLowerCase()}`,
    title,
    'data-testid': 'status',
    text: status,
  });
}

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

/** One <tr>; `serial` is the S.No. (position in the list, newest first). */
function messageRow(message, serial, { campaignNames }) {
  const last = message.lastOpen;
  const campaignCell = campaignNames
    ? cell(
        'campaign',
        message.campaignId
          ? h('a', {
              href: `#/campaigns/${encodeURIComponent(message.campaignId)}`,
              text: campaignNames.get(message.campaignId) ?? fmt.shortId(message.campaignId),
            })
          : h('span', { class: 'muted', text: 'Single send' }),
      )
    : null;
  return h(
    'tr',
    { 'data-testid': 'message-row', 'data-message-id': message.id, 'data-status': message.status },
    h('th', { scope: 'row', class: 'num', text: String(serial) }),
    cell('id', h('code', { title: message.id, text: fmt.shortId(message.id) })),
    cell('sequence', String(message.sequenceId)),
    cell('recipient', h('span', { class: 'recipient', text: message.recipient })),
    campaignCell,
    campaignNames
      ? cell('subject', h('span', { class: 'truncate', title: message.subject, text: message.subject }))
      : null,
    cell(
      'status',
      statusBadge(message.status, message.error ?? undefined),
      message.error && message.status === 'FAILED'
        ? h('span', { class: 'cell-error', text: message.error })
        : null,
    ),
    timeCell('sent', message.sentAt),
    timeCell('first-opened', message.firstOpenedAt),
    cell('ip', last?.ipAddress ? h('code', { text: last.ipAddress }) : '—'),
    cell('location', fmt.location(last?.location)),
    cell('client', last?.client ? `${last.client} · ${last.device ?? 'unknown'}` : '—'),
    cell(
      'user-agent',
      last?.userAgent
        ? h('span', { class: 'truncate ua', title: last.userAgent, text: last.userAgent })
        : '—',
    ),
    cell('time-to-open', fmt.duration(message.timeToOpenSeconds)),
    h('td', { 'data-col': 'opens', class: 'num', text: fmt.number(message.openCount) }),
    h('td', { 'data-col': 'clicks', class: 'num', text: fmt.number(message.clickCount) }),
    cell('machine', machineFlags(message)),
  );
}

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

/**
 * The table and its controls. `campaignId`: that campaign's messages, else all of the account's;
 * `campaignNames` (id -> name) adds Campaign and Subject columns. Returns the element and
 * `refresh(messageIds)` for live updates, `reload()` for the whole page.
 */
export function messageTable(scope, { campaignId = null, campaignNames = null, title = 'Messages' }) {
  const state = {
    recipient: '',
    transactional: null,
    cursors: [null],
    page: 0,
    rows: new Map(),
    total: 0,
    loading: null,
  };
  const summary = h('p', {
    class: 'table-summary',
    'aria-live': 'polite',
    'data-testid': 'messages-summary',
  });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const tbody = h('tbody');
  const input = h('input', {
    type: 'search',
    id: 'recipient-filter',
    name: 'recipient',
    placeholder: 'someone@example.com',
    autocomplete: 'off',
    'data-testid': 'recipient-filter',
  });
  const prev = h('button', { type: 'button', class: 'button', text: 'Previous', 'data-testid': 'page-prev' });
  const next = h('button', { type: 'button', class: 'button', text: 'Next', 'data-testid': 'page-next' });
  const columns = COLUMNS.filter(([, kind]) => kind !== 'campaign' || campaignNames);

  // across campaigns (the Emails view): single sends, campaign messages or both
  const kind = campaignNames
    ? h(
        'select',
        { id: 'message-kind', name: 'kind', 'data-testid': 'message-kind' },
        [
          ['', 'All emails'],
          ['true', 'Single sends'],
          ['false', 'Campaign messages'],
        ].map(([value, label]) => h('option', { value, text: label })),
      )
    : null;
  const filter = () => {
    state.recipient = input.value.trim();
    state.transactional = kind?.value ? kind.value === 'true' : null;
    state.cursors = [null];
    state.page = 0;
    load();
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
    if (!input.value && state.recipient) form.requestSubmit();
  });

  prev.addEventListener('click', () => {
    if (state.page === 0) return;
    state.page--;
    load();
  });
  next.addEventListener('click', () => {
    if (state.cursors.length <= state.page + 1) return;
    state.page++;
    load();
  });

  const el = h(
    'section',
    { class: 'card table-card', 'aria-labelledby': 'messages-heading', 'data-testid': 'messages' },
    h('div', { class: 'card-head' }, h('h2', { id: 'messages-heading', text: title }), form),
    error,
    h(
      'div',
      { class: 'table-scroll', role: 'region', 'aria-label': `${title} (scrolls sideways)`, tabindex: '0' },
      h(
        'table',
        { class: 'data messages-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            columns.map(([label, kind, hint]) =>
              h('th', { scope: 'col', class: kind === 'num' ? 'num' : null, title: hint, text: label }),
            ),
          ),
        ),
        tbody,
      ),
    ),
    h('div', { class: 'pager' }, summary, h('div', { class: 'pager-buttons' }, prev, next)),
  );

  function render(page) {
    state.total = page.totalCount;
    state.cursors[state.page + 1] = page.hasNextPage ? page.endCursor : undefined;
    state.cursors.length = page.hasNextPage ? state.page + 2 : state.page + 1;
    state.rows.clear();
    const offset = state.page * PAGE_SIZE;
    const rows = page.nodes.map((m, i) => {
      const tr = messageRow(m, offset + i + 1, { campaignNames });
      state.rows.set(m.id, { tr, message: m, serial: offset + i + 1 });
      return tr;
    });
    if (rows.length === 0) {
      rows.push(
        h(
          'tr',
          { class: 'empty-row' },
          h('td', {
            colspan: String(columns.length),
            class: 'empty',
            'data-testid': 'messages-empty',
            text: state.recipient
              ? `No messages to ${state.recipient}.`
              : state.transactional !== null
                ? `No ${state.transactional ? 'single sends' : 'campaign messages'} yet.`
                : campaignId
                  ? 'No messages yet: they appear here as the campaign is sent.'
                  : 'No emails yet. Send one from Compose.',
          }),
        ),
      );
    }
    replace(tbody, rows);
    const from = page.nodes.length ? offset + 1 : 0;
    const text = page.nodes.length
      ? `Showing ${fmt.number(from)}–${fmt.number(offset + page.nodes.length)} of ${fmt.number(page.totalCount)}`
      : `${fmt.number(page.totalCount)} messages`;
    // a live region: announce only what changed
    if (summary.textContent !== text) summary.textContent = text;
    prev.disabled = state.page === 0;
    next.disabled = !page.hasNextPage;
  }

  async function load() {
    const request = (state.loading = gql(MESSAGES_QUERY, {
      campaignId,
      transactional: state.transactional,
      recipient: state.recipient || null,
      after: state.cursors[state.page],
      first: PAGE_SIZE,
    }));
    try {
      const data = await request;
      if (scope.disposed || state.loading !== request) return;
      error.hidden = true;
      render(data.messages);
    } catch (e) {
      if (scope.disposed || state.loading !== request) return;
      error.textContent = e.message;
      error.hidden = false;
    }
  }

  /** Reloads the rows of these messages that are on this page; new messages reload the first page. */
  async function refresh(ids) {
    const shown = [...new Set(ids)].filter((id) => state.rows.has(id));
    if (!shown.length) return;
    let fresh;
    try {
      fresh = await loadMessages(shown);
    } catch (e) {
      if (!scope.disposed) {
        error.textContent = e.message;
        error.hidden = false;
      }
      return;
    }
    if (scope.disposed) return;
    for (const [id, message] of fresh) {
      const row = state.rows.get(id);
      if (!row || !message) continue;
      const changed =
        message.openCount !== row.message.openCount ||
        message.clickCount !== row.message.clickCount ||
        message.status !== row.message.status ||
        message.lastOpen?.id !== row.message.lastOpen?.id ||
        message.lastOpen?.location?.country !== row.message.lastOpen?.location?.country;
      const tr = messageRow(message, row.serial, { campaignNames });
      if (changed) tr.classList.add('updated');
      row.tr.replaceWith(tr);
      state.rows.set(id, { tr, message, serial: row.serial });
    }
  }

  /** Whether rows of this page are still on their way (QUEUED or SENDING). */
  const pending = () => [...state.rows.values()].some((r) => !FINAL.has(r.message.status));

  return { el, load, refresh, pending, isFirstPage: () => state.page === 0 };
}

// ---- #/emails: every email of the account, single sends and campaign messages ----

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
    const data = await gql('{ campaigns { id name } }');
    for (const c of data.campaigns) campaignNames.set(c.id, c.name);
  } catch {
    // names are a nicety: the column falls back to the id
  }
  if (scope.disposed) return;
  await table.load();

  const changed = new Set();
  const flush = debounce(() => {
    const ids = [...changed];
    changed.clear();
    table.refresh(ids);
  }, 300);
  scope.add(
    live.subscribe(
      'subscription Emails { trackingEvents { id messageId } }',
      {},
      {
        next: (data) => {
          changed.add(data.trackingEvents.messageId);
          flush();
        },
        error: () => {},
      },
    ),
  );
  scope.add(live.onReconnect(() => table.load()));
  scope.add(flush.cancel);
  // statuses move without tracking events: while some are on their way, look again
  scope.interval(() => {
    if (table.pending() || table.isFirstPage()) table.load();
  }, 4000);
}
