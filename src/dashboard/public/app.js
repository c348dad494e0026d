// The mailtrace dashboard: sign-in, hash routing, the live connection. Plain ES modules, no build:
// views/ holds one file per route, components/ the parts they share (message table, stat cards,
// activity feed, charts), queries.js every GraphQL document, live.js the subscriptions.

import { ApiError, UNAUTHENTICATED_EVENT, gql, session } from './api.js';
import { h, replace } from './dom.js';
import { LiveClient, liveUrl } from './live.js';
import { ME_QUERY } from './queries.js';
import { campaignView } from './views/campaign.js';
import { campaignsView } from './views/campaigns.js';
import { composeView } from './views/compose.js';
import { emailsView } from './views/emails.js';
import { newCampaignView } from './views/new-campaign.js';
import { signInView } from './views/sign-in.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
const liveStatus = document.getElementById('live-status');
const accountName = document.getElementById('account-name');

const ROUTES = [
  [/^#\/campaigns\/([^/]+)$/, campaignView, 'campaigns', ['id']],
  [/^#\/campaigns$/, campaignsView, 'campaigns', []],
  [/^#\/emails$/, emailsView, 'emails', []],
  [/^#\/compose$/, composeView, 'compose', []],
  [/^#\/new-campaign$/, newCampaignView, 'new-campaign', []],
];

let live = null;
let current = null;

/** What a view owns: cleanups run when the view is left. */
function createScope() {
  const cleanups = [];
  return {
    disposed: false,
    add(fn) {
      cleanups.push(fn);
    },
    interval(fn, ms) {
      const id = setInterval(fn, ms);
      cleanups.push(() => clearInterval(id));
    },
    dispose() {
      this.disposed = true;
      for (const fn of cleanups.splice(0)) {
        try {
          fn();
        } catch {
          // a cleanup failing must not keep the others from running
        }
      }
    },
  };
}

const LIVE_TEXT = {
  idle: 'Not live',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Live updates refused',
  error: 'Live updates unavailable',
};

function setLiveStatus(status, detail = {}) {
  liveStatus.dataset.state = status;
  const text =
    status === 'reconnecting' && detail.retryInMs
      ? `Offline, retrying in ${Math.ceil(detail.retryInMs / 1000)}s`
      : LIVE_TEXT[status];
  liveStatus.querySelector('.live-text').textContent = text;
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  if (!session.key) return showSignIn();
  const hash = location.hash || '#/campaigns';
  let match = null;
  for (const [pattern, view, nav, names] of ROUTES) {
    const m = pattern.exec(hash);
    if (m) {
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(m[i + 1])]));
      match = { view, nav, params };
      break;
    }
  }
  if (!match) {
    history.replaceState(null, '', '#/campaigns');
    return route();
  }
  current?.dispose();
  const scope = createScope();
  current = scope;
  topbar.hidden = false;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === match.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.dataset.view = match.nav;
  replace(main);
  match.view(main, scope, { live, params: match.params, navigate }).catch((error) => {
    if (scope.disposed) return;
    main.append(h('p', { class: 'error', role: 'alert', text: error.message ?? String(error) }));
  });
  // move focus to the new page's heading once it is there, for keyboard and screen reader users
  requestAnimationFrame(() => {
    if (scope.disposed || !document.activeElement || document.activeElement === document.body) return;
    if (document.activeElement.closest?.('.nav')) main.querySelector('h1')?.focus({ preventScroll: true });
  });
}

function startSession(account) {
  accountName.textContent = account.name;
  accountName.title = `Account ${account.id}`;
  live?.dispose();
  live = new LiveClient({
    url: liveUrl(),
    connectionParams: () => ({ authorization: `Bearer ${session.key}` }),
    onStatus: setLiveStatus,
    onUnauthorized: () => signOut('Your API key was refused for live updates. Sign in again.'),
  });
}

function signOut(message) {
  current?.dispose();
  current = null;
  live?.dispose();
  live = null;
  session.clear();
  accountName.textContent = '';
  setLiveStatus('idle');
  showSignIn(message);
}

function showSignIn(message) {
  current?.dispose();
  current = null;
  topbar.hidden = true;
  main.dataset.view = 'sign-in';
  signInView(main, {
    message,
    onSignedIn: (key, me) => {
      session.set(key);
      startSession(me);
      if (!location.hash || location.hash === '#/') history.replaceState(null, '', '#/campaigns');
      route();
    },
  });
}

document.getElementById('sign-out').addEventListener('click', () => signOut());
window.addEventListener(UNAUTHENTICATED_EVENT, () =>
  signOut('Your API key is no longer accepted. Sign in again.'),
);
window.addEventListener('hashchange', () => route());

async function boot() {
  if (!session.key) return showSignIn();
  try {
    const { me } = await gql(ME_QUERY);
    startSession(me);
    route();
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'UNAUTHENTICATED')) {
      // the server may be restarting: keep the key, show the error, let the user retry
      topbar.hidden = true;
      replace(
        main,
        h(
          'div',
          { class: 'card empty-state' },
          h('h1', { text: 'Cannot load the dashboard' }),
          h('p', { class: 'error', role: 'alert', text: e.message }),
          h('button', { type: 'button', class: 'button primary', text: 'Try again', onclick: boot }),
        ),
      );
    }
  }
}

boot();
