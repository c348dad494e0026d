// Form parts shared by Compose and New campaign: labelled fields, the sender list, submit buttons.

import { gql } from '../api.js';
import { errorBox, h, replace } from '../dom.js';
import { SENDERS_QUERY } from '../queries.js';

/** A label, its control (given `id`) and an optional hint the control is described by. */
export function field(id, label, control, hint) {
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

export function submitButton(testId, text) {
  return h('button', { type: 'submit', class: 'button primary', 'data-testid': testId, text });
}

/**
 * The sender <select> and the place for a note about it, filled by `load()`: the account's
 * senders, or a note that there are none, or the error.
 */
export function senderPicker(testId) {
  const select = h('select', { name: 'sender', required: true, 'data-testid': testId });
  const note = h('div');
  return { select, note, load: () => loadSenders(select, note) };
}

async function loadSenders(select, note) {
  try {
    const { senders } = await gql(SENDERS_QUERY);
    replace(
      select,
      senders.map((s) => h('option', { value: s.id, text: s.name ? `${s.name} <${s.email}>` : s.email })),
    );
    if (!senders.length) {
      select.disabled = true;
      replace(note, noSenders());
    }
    return senders;
  } catch (e) {
    replace(note, errorBox(e.message));
    return [];
  }
}

function noSenders() {
  return h(
    'p',
    { class: 'notice', role: 'status', 'data-testid': 'no-senders' },
    'No senders yet. Add one with the createSender or importSenders mutation (see the ',
    h('a', { href: '/graphql', text: 'API playground' }),
    ').',
  );
}
