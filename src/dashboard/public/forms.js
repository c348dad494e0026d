// #/compose (one tracked email, followed to SENT or FAILED) and #/new-campaign (create, import a
// recipients CSV, send).

import { gql } from './api.js';
import { fmt, h, pageHead, replace } from './dom.js';
import { statusBadge } from './messages.js';

const FINAL = new Set(['SENT', 'FAILED', 'SUPPRESSED']);
const CSV_MAX_BYTES = 25 * 1024 * 1024;
const POLL_MS = 1000;
const POLL_LIMIT_MS = 10 * 60_000;

function field(id, label, control, hint) {
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id, text: label }),
    control,
    hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
  );
}

async function loadSenders(select, note) {
  try {
    const { senders } = await gql('{ senders { id key email name } }');
    replace(
      select,
      senders.map((s) => h('option', { value: s.id, text: s.name ? `${s.name} <${s.email}>` : s.email })),
    );
    if (!senders.length) {
      select.disabled = true;
      replace(
        note,
        h(
          'p',
          { class: 'notice', role: 'status', 'data-testid': 'no-senders' },
          'No senders yet. Add one with the createSender or importSenders mutation (see the ',
          h('a', { href: '/graphql', text: 'API playground' }),
          ').',
        ),
      );
    }
    return senders;
  } catch (e) {
    replace(note, h('p', { class: 'error', role: 'alert', text: e.message }));
    return [];
  }
}

// ---- compose ----

export async function composeView(main, scope) {
  const sender = h('select', { name: 'sender', required: true, 'data-testid': 'compose-sender' });
  const recipient = h('input', {
    type: 'email',
    name: 'recipient',
    required: true,
    autocomplete: 'off',
    placeholder: 'reader@example.com',
    'data-testid': 'compose-recipient',
  });
  const subject = h('input', {
    type: 'text',
    name: 'subject',
    required: true,
    maxlength: '998',
    'data-testid': 'compose-subject',
  });
  const body = h('textarea', {
    id: 'compose-body',
    name: 'body',
    required: true,
    rows: '10',
    'data-testid': 'compose-body',
  });
  const formatHtml = h('input', {
    type: 'radio',
    name: 'format',
    value: 'html',
    id: 'format-html',
    checked: true,
    'data-testid': 'format-html',
  });
  const formatText = h('input', {
    type: 'radio',
    name: 'format',
    value: 'text',
    id: 'format-text',
    'data-testid': 'format-text',
  });
  const submit = h('button', {
    type: 'submit',
    class: 'button primary',
    'data-testid': 'compose-send',
    text: 'Send email',
  });
  const senderNote = h('div');
  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'compose-error' });
  const result = h('section', {
    class: 'card send-status',
    'aria-live': 'polite',
    'data-testid': 'send-status',
    hidden: true,
  });

  const bodyHint = () =>
    formatHtml.checked
      ? 'HTML: an open pixel and click tracking are added when it is sent.'
      : 'Plain text: sent as text; links cannot be tracked and opens are not tracked without HTML.';
  const hint = h('p', { class: 'hint', id: 'compose-body-hint', text: bodyHint() });
  body.setAttribute('aria-describedby', 'compose-body-hint');
  for (const radio of [formatHtml, formatText])
    radio.addEventListener('change', () => (hint.textContent = bodyHint()));

  const form = h(
    'form',
    { class: 'card form', 'data-testid': 'compose-form', novalidate: false },
    senderNote,
    h(
      'div',
      { class: 'form-grid' },
      field('compose-sender', 'From', sender),
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
    h('div', { class: 'field' }, h('label', { for: 'compose-body', text: 'Body' }), body, hint),
    error,
    h('div', { class: 'actions' }, submit),
  );

  replace(
    main,
    pageHead('Compose', 'Send one tracked email; follow it from the queue to the recipient’s server.'),
    h('div', { class: 'compose-layout' }, form, result),
  );
  await loadSenders(sender, senderNote);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!form.reportValidity()) return;
    submit.disabled = true;
    submit.textContent = 'Sending…';
    try {
      const data = await gql(
        `mutation Send($input: SendEmailInput!) { sendEmail(input: $input) { id status recipient subject sequenceId error queuedAt sentAt } }`,
        {
          input: {
            senderId: sender.value,
            recipient: recipient.value.trim(),
            subject: subject.value,
            body: body.value,
            isHtml: formatHtml.checked,
          },
        },
      );
      follow(data.sendEmail);
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
      submit.textContent = 'Send email';
    }
  });

  let polling = null;
  /** Shows the message's status, polled about once a second until it is final. */
  function follow(message) {
    if (polling) polling.stop();
    const started = Date.now();
    let stopped = false;
    let timer = null;
    polling = { stop: () => ((stopped = true), clearTimeout(timer)) };
    scope.add(polling.stop);
    renderStatus(message);
    const tick = async () => {
      if (stopped || scope.disposed) return;
      try {
        const data = await gql(
          'query Status($id: ID!) { message(id: $id) { id status recipient subject sequenceId error queuedAt sentAt sendAttempts } }',
          { id: message.id },
        );
        if (stopped || scope.disposed) return;
        if (data.message) {
          message = data.message;
          renderStatus(message);
        }
      } catch (e) {
        if (!stopped) renderStatus(message, e.message);
      }
      if (!FINAL.has(message.status) && Date.now() - started < POLL_LIMIT_MS)
        timer = setTimeout(tick, POLL_MS);
    };
    if (!FINAL.has(message.status)) timer = setTimeout(tick, POLL_MS);
  }

  let shown = '';
  function renderStatus(message, pollError) {
    // the panel is a live region: redraw it only when something changed
    const key = JSON.stringify([message.id, message.status, message.error, message.sendAttempts, pollError]);
    if (key === shown) return;
    shown = key;
    result.hidden = false;
    const steps = [
      'QUEUED',
      'SENDING',
      message.status === 'FAILED' || message.status === 'SUPPRESSED' ? message.status : 'SENT',
    ];
    const reached = Math.max(0, steps.indexOf(message.status));
    replace(
      result,
      h('h2', { text: 'Delivery' }),
      h(
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
      ),
      h(
        'ol',
        { class: 'steps', 'aria-label': 'Delivery progress' },
        steps.map((step, i) =>
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
      ),
      h(
        'p',
        { class: 'status-line', 'data-testid': 'send-status-line' },
        'Status: ',
        statusBadge(message.status),
        message.sentAt ? ` at ${fmt.dateTime(message.sentAt)}` : null,
        message.sendAttempts > 1 ? ` after ${message.sendAttempts} attempts` : null,
      ),
      message.error
        ? h('p', {
            class: message.status === 'FAILED' ? 'error' : 'notice',
            role: 'alert',
            'data-testid': 'send-error',
            text: message.error,
          })
        : null,
      pollError
        ? h('p', { class: 'error', role: 'alert', text: `Could not check the status: ${pollError}` })
        : null,
      FINAL.has(message.status)
        ? h('p', { class: 'actions' }, h('a', { class: 'button', href: '#/emails', text: 'See all emails' }))
        : null,
    );
  }
}

// ---- new campaign ----

export async function newCampaignView(main, scope, { navigate }) {
  const name = h('input', {
    type: 'text',
    name: 'name',
    required: true,
    maxlength: '200',
    'data-testid': 'campaign-name-input',
  });
  const sender = h('select', { name: 'sender', required: true, 'data-testid': 'campaign-sender' });
  const subject = h('input', {
    type: 'text',
    name: 'subject',
    required: true,
    placeholder: 'Hello {{first_name|there}}',
    'data-testid': 'campaign-subject',
  });
  const html = h('textarea', {
    name: 'html',
    required: true,
    rows: '8',
    'data-testid': 'campaign-html',
    placeholder: '<p>Hi {{first_name|there}},</p>\n<p>…</p>',
  });
  const text = h('textarea', { name: 'text', rows: '3', 'data-testid': 'campaign-text' });
  const file = h('input', {
    type: 'file',
    accept: '.csv,text/csv,text/plain',
    'data-testid': 'campaign-csv-file',
  });
  const csv = h('textarea', {
    name: 'csv',
    required: true,
    rows: '7',
    spellcheck: 'false',
    class: 'mono',
    'data-testid': 'campaign-csv',
    placeholder: 'email,first_name,last_name\nada@example.com,Ada,Lovelace',
  });
  const csvInfo = h('p', { class: 'hint', 'aria-live': 'polite', 'data-testid': 'csv-info' });
  const sendNow = h('input', {
    type: 'checkbox',
    id: 'send-now',
    checked: true,
    'data-testid': 'campaign-send-now',
  });
  const submit = h('button', {
    type: 'submit',
    class: 'button primary',
    'data-testid': 'campaign-submit',
    text: 'Create and send',
  });
  const senderNote = h('div');
  const outcome = h('div', { 'aria-live': 'polite', 'data-testid': 'campaign-outcome' });

  const countRows = () => {
    const lines = csv.value.split(/\r?\n/).filter((l) => l.trim()).length;
    csvInfo.textContent = lines > 1 ? `${fmt.number(lines - 1)} recipient rows (plus the header)` : '';
  };
  csv.addEventListener('input', countRows);
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    if (chosen.size > CSV_MAX_BYTES) {
      csvInfo.textContent = `${chosen.name} is larger than 25 MiB, the import limit.`;
      return;
    }
    csv.value = await chosen.text();
    countRows();
  });
  sendNow.addEventListener(
    'change',
    () => (submit.textContent = sendNow.checked ? 'Create and send' : 'Create draft'),
  );

  const form = h(
    'form',
    { class: 'card form', 'data-testid': 'new-campaign-form' },
    senderNote,
    h(
      'div',
      { class: 'form-grid' },
      field('campaign-name', 'Campaign name', name),
      field('campaign-sender', 'From', sender),
    ),
    field(
      'campaign-subject',
      'Subject',
      subject,
      'Placeholders: {{first_name}}, {{last_name}}, {{email}}, any CSV column; {{name|default}}.',
    ),
    field(
      'campaign-html',
      'HTML body',
      html,
      'Links are tracked and an open pixel is added for each recipient.',
    ),
    field('campaign-text', 'Plain-text alternative (optional)', text),
    h(
      'fieldset',
      { class: 'csv' },
      h('legend', { text: 'Recipients' }),
      field('campaign-csv-file', 'CSV file', file),
      field(
        'campaign-csv-text',
        'or paste the CSV',
        csv,
        'Header: email[,first_name,last_name,...attributes]. Up to 25 MiB.',
      ),
      csvInfo,
    ),
    h(
      'div',
      { class: 'check' },
      sendNow,
      h('label', { for: 'send-now', text: 'Send as soon as the recipients are imported' }),
    ),
    outcome,
    h('div', { class: 'actions' }, submit),
  );
  replace(
    main,
    pageHead('New campaign', 'One email, personalised and tracked for every recipient of a CSV.'),
    form,
  );
  await loadSenders(sender, senderNote);

  let created = null;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    if (new Blob([csv.value]).size > CSV_MAX_BYTES) {
      replace(
        outcome,
        h('p', { class: 'error', role: 'alert', text: 'The CSV is larger than 25 MiB, the import limit.' }),
      );
      return;
    }
    submit.disabled = true;
    replace(outcome, h('p', { class: 'loading', text: 'Creating the campaign…' }));
    try {
      if (!created) {
        const data = await gql(
          'mutation Create($input: CampaignInput!) { createCampaign(input: $input) { id name } }',
          {
            input: {
              name: name.value.trim(),
              senderId: sender.value,
              subject: subject.value,
              html: html.value,
              text: text.value.trim() || null,
            },
          },
        );
        created = data.createCampaign;
      }
      replace(outcome, h('p', { class: 'loading', text: 'Importing recipients…' }));
      const { importRecipients: imported } = await gql(
        'mutation Import($id: ID!, $csv: String!) { importRecipients(campaignId: $id, csv: $csv) { added skipped suppressed errors { line message } } }',
        { id: created.id, csv: csv.value },
      );
      const campaignId = created.id;
      created = null;
      if (scope.disposed) return;
      if (imported.errors.length || imported.added === 0 || !sendNow.checked) {
        showImport(campaignId, imported);
        return;
      }
      await send(campaignId);
    } catch (e) {
      replace(
        outcome,
        h('p', { class: 'error', role: 'alert', 'data-testid': 'campaign-error', text: e.message }),
        created
          ? h('p', {
              class: 'hint',
              text: `The draft “${created.name}” was created; submitting again imports into it.`,
            })
          : null,
      );
    } finally {
      submit.disabled = false;
    }
  });

  async function send(campaignId) {
    replace(outcome, h('p', { class: 'loading', text: 'Starting the send…' }));
    await gql('mutation Send($id: ID!) { sendCampaign(id: $id) { id status } }', { id: campaignId });
    navigate(`#/campaigns/${encodeURIComponent(campaignId)}`);
  }

  function showImport(campaignId, imported) {
    const summary = `${fmt.number(imported.added)} added, ${fmt.number(imported.skipped)} skipped (${fmt.number(imported.suppressed)} suppressed), ${fmt.number(imported.errors.length)} ${imported.errors.length === 1 ? 'row' : 'rows'} with errors.`;
    const sendButton = h('button', {
      type: 'button',
      class: 'button primary',
      'data-testid': 'campaign-send-anyway',
      text: imported.errors.length
        ? `Send anyway to ${fmt.number(imported.added)} recipients`
        : `Send to ${fmt.number(imported.added)} recipients`,
      onclick: async () => {
        sendButton.disabled = true;
        try {
          await send(campaignId);
        } catch (e) {
          sendButton.disabled = false;
          outcomeBox.append(h('p', { class: 'error', role: 'alert', text: e.message }));
        }
      },
    });
    const outcomeBox = h(
      'div',
      {
        class: imported.errors.length ? 'import-result has-errors' : 'import-result',
        'data-testid': 'import-result',
      },
      h('h2', { text: 'Recipients imported' }),
      h('p', { 'data-testid': 'import-summary', text: summary }),
      imported.errors.length
        ? h(
            'div',
            { class: 'table-scroll', role: 'region', 'aria-label': 'Import errors', tabindex: '0' },
            h(
              'table',
              { class: 'data compact', 'data-testid': 'import-errors' },
              h('caption', { text: 'Rows that were not imported' }),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col', text: 'Line' }),
                  h('th', { scope: 'col', text: 'Problem' }),
                ),
              ),
              h(
                'tbody',
                {},
                imported.errors.map((e) =>
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'row', text: `Line ${e.line}` }),
                    h('td', { text: e.message }),
                  ),
                ),
              ),
            ),
          )
        : null,
      h(
        'p',
        { class: 'actions' },
        imported.added > 0 ? sendButton : null,
        h('a', {
          class: 'button',
          href: `#/campaigns/${encodeURIComponent(campaignId)}`,
          text: 'Open the draft',
        }),
      ),
    );
    replace(outcome, outcomeBox);
    // the draft exists now: submitting the form again would make another campaign, until it is edited
    submit.hidden = true;
    form.addEventListener('input', () => (submit.hidden = false), { once: true });
    outcomeBox.querySelector('h2').setAttribute('tabindex', '-1');
    outcomeBox.querySelector('h2').focus();
  }
}
