// Compose's delivery panel: one message, from QUEUED to SENT (or FAILED, SUPPRESSED), as facts,
// steps and a status line. A live region, redrawn only when something changed.

import { errorBox, fmt, h, replace } from '../dom.js';
import { FINAL_STATUSES, statusBadge } from './status.js';

/** The panel (hidden until `show(message, pollError?)` is first called). */
export function deliveryStatus() {
  const el = h('section', {
    class: 'card send-status',
    'aria-live': 'polite',
    'data-testid': 'send-status',
    hidden: true,
  });
  let shown = '';
  function show(message, pollError) {
    const key = JSON.stringify([message.id, message.status, message.error, message.sendAttempts, pollError]);
    if (key === shown) return;
    shown = key;
    el.hidden = false;
    replace(
      el,
      h('h2', { text: 'Delivery' }),
      facts(message),
      steps(message),
      statusLine(message),
      message.error
        ? h('p', {
            class: message.status === 'FAILED' ? 'error' : 'notice',
            role: 'alert',
            'data-testid': 'send-error',
            text: message.error,
          })
        : null,
      pollError ? errorBox(`Could not check the status: ${pollError}`) : null,
      FINAL_STATUSES.has(message.status)
        ? h('p', { class: 'actions' }, h('a', { class: 'button', href: '#/emails', text: 'See all emails' }))
        : null,
    );
  }
  return { el, show };
}

function facts(message) {
  return h(
    'dl',
    { class: 'facts' },
    h('dt', { text: 'To' }),
    h('dd', { text: message.recipient }),
    h('dt', { text: 'Subject' }),
    h('dd', { text: message.subject }),
    h('dt', { text: 'Message ID' }),
    h('dd', {}, h('code', { 'data-testid': 'sent-message-id', text: message.id })),
    h('dt', { text: 'Sequence' }),
    h('dd', { text: `#${message.sequenceId} to this recipient` }),
  );
}

function steps(message) {
  const last = message.status === 'FAILED' || message.status === 'SUPPRESSED' ? message.status : 'SENT';
  const all = ['QUEUED', 'SENDING', last];
  const reached = Math.max(0, all.indexOf(message.status));
  return h(
    'ol',
    { class: 'steps', 'aria-label': 'Delivery progress' },
    all.map((step, i) =>
      h(
        'li',
        {
          class: i < reached ? 'done' : i === reached ? `current step-${step.toLowerCase()}` : null,
          'aria-current': i === reached ? 'step' : null,
        },
        h('span', { class: 'step-dot', 'aria-hidden': 'true' }),
        step.charAt(0) + step.slice(1).toLowerCase(),
      ),
    ),
  );
}

function statusLine(message) {
  return h(
    'p',
    { class: 'status-line', 'data-testid': 'send-status-line' },
    'Status: ',
    statusBadge(message.status),
    message.sentAt ? ` at ${fmt.dateTime(message.sentAt)}` : null,
    message.sendAttempts > 1 ? ` after ${message.sendAttempts} attempts` : null,
  );
}
