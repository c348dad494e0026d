// The campaign page's live activity: the latest opens, clicks and unsubscribes, newest first, with
// one short sentence per new event for screen readers (the list itself is redrawn on each event).

import { fmt, h, replace } from '../dom.js';
import { FEED_SIZE } from '../queries.js';

const LABEL = { OPEN: 'Opened', CLICK: 'Clicked', UNSUBSCRIBE: 'Unsubscribed' };
const SENTENCE = { OPEN: 'opened the email', CLICK: 'clicked a link', UNSUBSCRIBE: 'unsubscribed' };
/** A kind added to the API before it has words here shows as its own name, never as another kind. */
const label = (type) => LABEL[type] ?? type;
const sentence = (type) => SENTENCE[type] ?? `had a ${type} event`;

/** The feed's card; `set(events)` fills it, `add(event)` takes one live event. */
export function activityFeed() {
  const list = h('ol', { class: 'feed', 'data-testid': 'activity-feed' });
  const announcer = h('p', { class: 'sr-only', role: 'status' });
  const el = h(
    'section',
    { class: 'card feed-card', 'aria-labelledby': 'feed-heading' },
    h('div', { class: 'card-head' }, h('h2', { id: 'feed-heading', text: 'Live activity' })),
    list,
    announcer,
  );
  let events = [];
  const render = () => replace(list, events.length ? events.map(feedItem) : waiting());
  return {
    el,
    set(initial) {
      events = initial;
      render();
    },
    add(event) {
      // an event comes again once processed (location, machine verdict): update it in place
      const index = events.findIndex((e) => e.id === event.id);
      if (index >= 0) events[index] = event;
      else {
        // newest first by when they happened: a batch of events may arrive in any order
        events = [event, ...events]
          .sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt))
          .slice(0, FEED_SIZE);
        announcer.textContent = `${event.recipient} ${sentence(event.type)}`;
      }
      render();
    },
  };
}

function waiting() {
  return h('li', {
    class: 'empty',
    text: 'Waiting for new opens and clicks: they appear here as they happen.',
  });
}

function feedItem(e) {
  const detail = [e.location ? fmt.location(e.location) : null, e.url, e.machine ? 'machine' : null];
  return h(
    'li',
    { class: `feed-item type-${e.type.toLowerCase()}`, 'data-testid': 'activity-item' },
    h('span', { class: 'feed-type', text: label(e.type) }),
    h(
      'span',
      { class: 'feed-main' },
      h('span', { class: 'recipient', text: e.recipient }),
      h('span', { class: 'feed-detail', text: detail.filter(Boolean).join(' · ') || ' ' }),
    ),
    h('time', { datetime: e.occurredAt, title: e.occurredAt, text: fmt.hour(e.occurredAt) }),
  );
}
