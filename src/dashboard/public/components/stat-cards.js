// Stat cards: one number with its label and an optional detail line, in a <dl class="stats">.

import { fmt, h } from '../dom.js';

export function stat(label, value, { testId, detail } = {}) {
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

/** The account's totals, above the campaign list (`overview` of the API). */
export function overviewStats(o) {
  return [
    stat('Campaigns', fmt.number(o.campaigns)),
    stat('Campaign emails sent', fmt.number(o.sent), {
      detail: `${fmt.number(o.transactionalSent)} single ${o.transactionalSent === 1 ? 'send' : 'sends'}`,
    }),
    stat('Open rate', fmt.percent(o.openRate), { detail: `${fmt.number(o.uniqueOpens)} unique opens` }),
    stat('Click rate', fmt.percent(o.clickRate), { detail: `${fmt.number(o.clicks)} clicks` }),
    stat('Unsubscribes', fmt.number(o.unsubscribes)),
  ];
}

/** One campaign's metrics, at the top of its page. */
export function campaignStats(c) {
  const m = c.metrics;
  const notSent = [
    m.failed && `${fmt.number(m.failed)} failed`,
    m.suppressed && `${fmt.number(m.suppressed)} suppressed`,
  ];
  return [
    stat('Recipients', fmt.number(m.recipients || c.recipientCount), { testId: 'metric-recipients' }),
    stat('Sent', fmt.number(m.sent), {
      testId: 'metric-sent',
      detail: notSent.filter(Boolean).join(', ') || null,
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
  ];
}
