// The sign-in screen (shown for any route while this tab has no API key): checks a key with the
// API before keeping it, and says why one was refused.

import { ApiError, gql } from '../api.js';
import { errorBox, h, replace } from '../dom.js';
import { ME_QUERY } from '../queries.js';

/** Draws the form into `main`; `onSignedIn(key, me)` once the API accepted the key. */
export function signInView(main, { message, onSignedIn }) {
  const input = h('input', {
    type: 'password',
    id: 'api-key',
    name: 'apiKey',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'api-key-hint',
    'data-testid': 'api-key',
  });
  const error = errorBox(message, { 'data-testid': 'sign-in-error', hidden: !message });
  const submit = h('button', {
    type: 'submit',
    class: 'button primary wide',
    'data-testid': 'sign-in',
    text: 'Sign in',
  });
  const form = signInForm(input, error, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    submit.disabled = true;
    submit.textContent = 'Checking…';
    error.hidden = true;
    try {
      const { me } = await gql(ME_QUERY, {}, { key });
      onSignedIn(key, me);
    } catch (e) {
      error.textContent = refusal(e);
      error.hidden = false;
      input.focus();
      input.select();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  replace(main, h('div', { class: 'sign-in-page' }, form));
  input.focus();
}

function refusal(e) {
  return e instanceof ApiError && e.code === 'UNAUTHENTICATED'
    ? 'That API key was not accepted: check it and try again (a revoked key no longer works).'
    : e.message;
}

function signInForm(input, error, submit) {
  return h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-heading' },
    h(
      'div',
      { class: 'brand big' },
      h('img', { src: '/dashboard/favicon.svg', alt: '', width: '36', height: '36' }),
      h('span', { text: 'mailtrace' }),
    ),
    h('h1', { id: 'sign-in-heading', text: 'Sign in to your dashboard' }),
    h('div', { class: 'field' }, h('label', { for: 'api-key', text: 'API key' }), input),
    h(
      'p',
      { class: 'hint', id: 'api-key-hint' },
      'Create one with ',
      h('code', { text: 'npm run cli -- create-account' }),
      ' or the createApiKey mutation. It is kept in this browser tab only, until you sign out or close it.',
    ),
    error,
    submit,
  );
}
