// Data tables: a header row, a body, and a box that scrolls sideways on its own so that the page
// does not. Used by the campaign list, the message table, the links, import errors and the charts.

import { h, replace } from '../dom.js';

/** A region that scrolls sideways (focusable, so that keyboards can scroll it too). */
export function scrollBox(label, content) {
  return h('div', { class: 'table-scroll', role: 'region', 'aria-label': label, tabindex: '0' }, content);
}

/**
 * A <table>: `columns` are header texts or { text, num, title } (num right-aligns), `rows` the
 * <tr>s, `tbody` an existing body to fill (the message table redraws its own).
 */
export function dataTable(props, { caption, columns, rows = [], tbody = h('tbody') }) {
  return h(
    'table',
    props,
    caption ? h('caption', { text: caption }) : null,
    h('thead', {}, h('tr', {}, columns.map(columnHeader))),
    replace(tbody, rows),
  );
}

function columnHeader(column) {
  const { text, num = false, title } = typeof column === 'string' ? { text: column } : column;
  return h('th', { scope: 'col', class: num ? 'num' : null, title, text });
}

/** A row headed by its first cell (<th scope="row">), the others plain text cells. */
export function textRow(head, cells) {
  return h(
    'tr',
    {},
    h('th', { scope: 'row', text: head }),
    cells.map((text) => h('td', { text })),
  );
}
