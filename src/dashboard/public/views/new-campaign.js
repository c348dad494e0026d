// #/new-campaign: create a campaign, import a recipients CSV into it, send it (or keep a draft).

import { gql } from '../api.js';
import { field, senderPicker, submitButton } from '../components/form.js';
import { dataTable, scrollBox, textRow } from '../components/table.js';
import { errorBox, fmt, h, pageHead, replace } from '../dom.js';
import { CREATE_CAMPAIGN, IMPORT_RECIPIENTS, SEND_CAMPAIGN } from '../queries.js';

const CSV_MAX_BYTES = 25 * 1024 * 1024;

export async function newCampaignView(main, scope, { navigate }) {
  const inputs = campaignInputs();
  const form = campaignForm(inputs);
  replace(
    main,
    pageHead('New campaign', 'One email, personalised and tracked for every recipient of a CSV.'),
    form,
  );
  await inputs.sender.load();

  const page = { form, inputs, scope, navigate, created: null };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitCampaign(page);
  });
}

function campaignInputs() {
  const inputs = {
    name: h('input', {
      type: 'text',
      name: 'name',
      required: true,
      maxlength: '200',
      'data-testid': 'campaign-name-input',
    }),
    sender: senderPicker('campaign-sender'),
    subject: h('input', {
      type: 'text',
      name: 'subject',
      required: true,
      placeholder: 'Hello {{first_name|there}}',
      'data-testid': 'campaign-subject',
    }),
    html: h('textarea', {
      name: 'html',
      required: true,
      rows: '8',
      'data-testid': 'campaign-html',
      placeholder: '<p>Hi {{first_name|there}},</p>\n<p>…</p>',
    }),
    text: h('textarea', { name: 'text', rows: '3', 'data-testid': 'campaign-text' }),
    ...csvInputs(),
    sendNow: h('input', {
      type: 'checkbox',
      id: 'send-now',
      checked: true,
      'data-testid': 'campaign-send-now',
    }),
    submit: submitButton('campaign-submit', 'Create and send'),
    outcome: h('div', { 'aria-live': 'polite', 'data-testid': 'campaign-outcome' }),
  };
  inputs.sendNow.addEventListener('change', () => {
    inputs.submit.textContent = inputs.sendNow.checked ? 'Create and send' : 'Create draft';
  });
  return inputs;
}

/** The recipients: a file to read, or the CSV pasted; its rows are counted as it changes. */
function csvInputs() {
  const inputs = {
    file: h('input', {
      type: 'file',
      accept: '.csv,text/csv,text/plain',
      'data-testid': 'campaign-csv-file',
    }),
    csv: h('textarea', {
      name: 'csv',
      required: true,
      rows: '7',
      spellcheck: 'false',
      class: 'mono',
      'data-testid': 'campaign-csv',
      placeholder: 'email,first_name,last_name\nada@example.com,Ada,Lovelace',
    }),
    csvInfo: h('p', { class: 'hint', 'aria-live': 'polite', 'data-testid': 'csv-info' }),
  };
  watchCsv(inputs);
  return inputs;
}

/** Counts the CSV's rows as it is typed, and reads a chosen file into it. */
function watchCsv({ csv, file, csvInfo }) {
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
}

function campaignForm({ name, sender, subject, html, text, file, csv, csvInfo, sendNow, submit, outcome }) {
  return h(
    'form',
    { class: 'card form', 'data-testid': 'new-campaign-form' },
    sender.note,
    h(
      'div',
      { class: 'form-grid' },
      field('campaign-name', 'Campaign name', name),
      field('campaign-sender', 'From', sender.select),
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
}

/**
 * Creates the campaign (once: a failed import leaves the draft, and submitting again imports into
 * it), imports the CSV, then sends, or shows what the import did when there is something to see.
 */
async function submitCampaign(page) {
  const { form, inputs, scope } = page;
  const { csv, outcome, submit } = inputs;
  if (!form.reportValidity()) return;
  if (new Blob([csv.value]).size > CSV_MAX_BYTES) {
    replace(outcome, errorBox('The CSV is larger than 25 MiB, the import limit.'));
    return;
  }
  submit.disabled = true;
  replace(outcome, h('p', { class: 'loading', text: 'Creating the campaign…' }));
  try {
    page.created ??= await createCampaign(inputs);
    replace(outcome, h('p', { class: 'loading', text: 'Importing recipients…' }));
    const { importRecipients: imported } = await gql(IMPORT_RECIPIENTS, {
      id: page.created.id,
      csv: csv.value,
    });
    const campaignId = page.created.id;
    page.created = null;
    if (scope.disposed) return;
    if (imported.errors.length || imported.added === 0 || !inputs.sendNow.checked)
      showImport(page, campaignId, imported);
    else await sendCampaign(page, campaignId);
  } catch (e) {
    const draft = page.created
      ? h('p', {
          class: 'hint',
          text: `The draft “${page.created.name}” was created; submitting again imports into it.`,
        })
      : null;
    replace(outcome, errorBox(e.message, { 'data-testid': 'campaign-error' }), draft);
  } finally {
    submit.disabled = false;
  }
}

async function createCampaign({ name, sender, subject, html, text }) {
  const input = {
    name: name.value.trim(),
    senderId: sender.select.value,
    subject: subject.value,
    html: html.value,
    text: text.value.trim() || null,
  };
  return (await gql(CREATE_CAMPAIGN, { input })).createCampaign;
}

async function sendCampaign(page, campaignId) {
  replace(page.inputs.outcome, h('p', { class: 'loading', text: 'Starting the send…' }));
  await gql(SEND_CAMPAIGN, { id: campaignId });
  page.navigate(`#/campaigns/${encodeURIComponent(campaignId)}`);
}

/** What the import did, with Send and Open the draft; the form's submit waits for an edit. */
function showImport(page, campaignId, imported) {
  const { form, inputs } = page;
  const box = importResult(campaignId, imported, (button) => sendAnyway(page, campaignId, button, box));
  replace(inputs.outcome, box);
  // the draft exists now: submitting the form again would make another campaign, until it is edited
  inputs.submit.hidden = true;
  form.addEventListener('input', () => (inputs.submit.hidden = false), { once: true });
  const heading = box.querySelector('h2');
  heading.setAttribute('tabindex', '-1');
  heading.focus();
}

async function sendAnyway(page, campaignId, button, box) {
  button.disabled = true;
  try {
    await sendCampaign(page, campaignId);
  } catch (e) {
    button.disabled = false;
    box.append(errorBox(e.message));
  }
}

function importResult(campaignId, imported, onSend) {
  const errors = imported.errors.length;
  const summary = `${fmt.number(imported.added)} added, ${fmt.number(imported.skipped)} skipped (${fmt.number(imported.suppressed)} suppressed), ${fmt.number(errors)} ${errors === 1 ? 'row' : 'rows'} with errors.`;
  const send = h('button', {
    type: 'button',
    class: 'button primary',
    'data-testid': 'campaign-send-anyway',
    text: `${errors ? 'Send anyway' : 'Send'} to ${fmt.number(imported.added)} recipients`,
    onclick: (event) => onSend(event.currentTarget),
  });
  const draft = h('a', {
    class: 'button',
    href: `#/campaigns/${encodeURIComponent(campaignId)}`,
    text: 'Open the draft',
  });
  return h(
    'div',
    { class: errors ? 'import-result has-errors' : 'import-result', 'data-testid': 'import-result' },
    h('h2', { text: 'Recipients imported' }),
    h('p', { 'data-testid': 'import-summary', text: summary }),
    errors ? importErrors(imported.errors) : null,
    h('p', { class: 'actions' }, imported.added > 0 ? send : null, draft),
  );
}

function importErrors(errors) {
  const rows = errors.map((e) => textRow(`Line ${e.line}`, [e.message]));
  const table = dataTable(
    { class: 'data compact', 'data-testid': 'import-errors' },
    { caption: 'Rows that were not imported', columns: ['Line', 'Problem'], rows },
  );
  return scrollBox('Import errors', table);
}
