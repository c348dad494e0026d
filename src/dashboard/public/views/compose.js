// #/compose: one tracked email, followed from the queue to SENT or FAILED.

import { gql } from '../api.js';
import { deliveryStatus } from '../components/delivery-status.js';
import { field, senderPicker, submitButton } from '../components/form.js';
import { FINAL_STATUSES } from '../components/status.js';
import { h, pageHead, replace } from '../dom.js';
import { MESSAGE_STATUS_QUERY, SEND_EMAIL } from '../queries.js';

const POLL_MS = 1000;
const POLL_LIMIT_MS = 10 * 60_000;

export async function composeView(main, scope) {
  const inputs = composeInputs();
  const form = composeForm(inputs);
  const status = deliveryStatus();
  replace(
    main,
    pageHead('Compose', 'Send one tracked email; follow it from the queue to the recipient’s server.'),
    h('div', { class: 'compose-layout' }, form, status.el),
  );
  await inputs.sender.load();

  let following = null;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const message = await sendEmail(form, inputs);
    if (!message) return;
    following?.stop();
    following = followMessage(message, scope, status.show);
  });
}

function composeInputs() {
  const input = (props) => h('input', { required: true, ...props });
  return {
    sender: senderPicker('compose-sender'),
    recipient: input({
      type: 'email',
      name: 'recipient',
      autocomplete: 'off',
      placeholder: 'reader@example.com',
      'data-testid': 'compose-recipient',
    }),
    subject: input({ type: 'text', name: 'subject', maxlength: '998', 'data-testid': 'compose-subject' }),
    body: h('textarea', {
      id: 'compose-body',
      name: 'body',
      required: true,
      rows: '10',
      'data-testid': 'compose-body',
    }),
    formatHtml: formatRadio('html', true),
    formatText: formatRadio('text', false),
    error: h('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'compose-error' }),
    submit: submitButton('compose-send', 'Send email'),
  };
}

function formatRadio(value, checked) {
  const id = `format-${value}`;
  return h('input', { type: 'radio', name: 'format', value, id, checked, 'data-testid': id });
}

/** The body's hint says what the chosen format means for tracking. */
function bodyHint({ body, formatHtml, formatText }) {
  const text = () =>
    formatHtml.checked
      ? 'HTML: an open pixel and click tracking are added when it is sent.'
      : 'Plain text: sent as text; links cannot be tracked and opens are not tracked without HTML.';
  const hint = h('p', { class: 'hint', id: 'compose-body-hint', text: text() });
  body.setAttribute('aria-describedby', 'compose-body-hint');
  for (const radio of [formatHtml, formatText])
    radio.addEventListener('change', () => (hint.textContent = text()));
  return hint;
}

function composeForm(inputs) {
  const { sender, recipient, subject, body, formatHtml, formatText } = inputs;
  return h(
    'form',
    { class: 'card form', 'data-testid': 'compose-form', novalidate: false },
    sender.note,
    h(
      'div',
      { class: 'form-grid' },
      field('compose-sender', 'From', sender.select),
      field('compose-recipient', 'To', recipient),
    ),
    field('compose-subject', 'Subject', subject),
    h(
      'fieldset',
      { class: 'toggle' },
      h('legend', { text: 'Format' }),
      h('span', { class: 'radio' }, formatHtml, h('label', { for: 'format-html', text: 'HTML' })),
      h('span', { class: 'radio' }, formatText, h('label', { for: 'format-text', text: 'Plain text' })),
    ),
    h('div', { class: 'field' }, h('label', { for: 'compose-body', text: 'Body' }), body, bodyHint(inputs)),
    inputs.error,
    h('div', { class: 'actions' }, inputs.submit),
  );
}

/** Sends the form's email; the message as queued, or null (the error is shown under the form). */
async function sendEmail(form, { sender, recipient, subject, body, formatHtml, error, submit }) {
  error.hidden = true;
  if (!form.reportValidity()) return null;
  submit.disabled = true;
  submit.textContent = 'Sending…';
  try {
    const input = {
      senderId: sender.select.value,
      recipient: recipient.value.trim(),
      subject: subject.value,
      body: body.value,
      isHtml: formatHtml.checked,
    };
    return (await gql(SEND_EMAIL, { input })).sendEmail;
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
    return null;
  } finally {
    submit.disabled = false;
    submit.textContent = 'Send email';
  }
}

/** Shows the message's status, polled about once a second until it is final; returns { stop }. */
function followMessage(message, scope, show) {
  const started = Date.now();
  let stopped = false;
  let timer = null;
  const stop = () => ((stopped = true), clearTimeout(timer));
  scope.add(stop);
  const keepPolling = () => !FINAL_STATUSES.has(message.status) && Date.now() - started < POLL_LIMIT_MS;
  const tick = async () => {
    if (stopped || scope.disposed) return;
    try {
      const data = await gql(MESSAGE_STATUS_QUERY, { id: message.id });
      if (stopped || scope.disposed) return;
      if (data.message) {
        message = data.message;
        show(message);
      }
    } catch (e) {
      if (!stopped) show(message, e.message);
    }
    if (keepPolling()) timer = setTimeout(tick, POLL_MS);
  };
  show(message);
  if (!FINAL_STATUSES.has(message.status)) timer = setTimeout(tick, POLL_MS);
  return { stop };
}
