// Live updates: graphql-ws's own client (createClient, from the graphql-ws npm package's browser
// build, umd/graphql-ws.min.js, which the dashboard's route serves at /dashboard/vendor/graphql-ws.js
// from our own origin) with the dashboard's policy on top: one WebSocket for all subscriptions,
// opened while there is one, reconnecting with backoff (at once when the browser is back online),
// subscribing again, and telling the page about a reconnection (events may have been missed).
// https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md

import './vendor/graphql-ws.js';

const { createClient } = globalThis.graphqlWs;

const ACK_TIMEOUT_MS = 10_000;
const KEEPALIVE_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;
const IDLE_CLOSE_MS = 2_000;
const MAX_BACKOFF_MS = 30_000;
/** Close codes that retrying cannot fix: bad request (4400), unauthorized (4401), forbidden (4403). */
const FATAL = new Set([4400, 4401, 4403, 4406]);
const REFUSED = new Set([4401, 4403]);

/**
 * Status reported to `onStatus`: 'idle' (no subscription), 'connecting', 'live', 'reconnecting'
 * (with `retryInMs` while waiting), 'unauthorized', 'error'.
 */
export class LiveClient {
  constructor({ url, connectionParams, onStatus = () => {}, onUnauthorized = () => {} }) {
    this.onStatus = onStatus;
    this.onUnauthorized = onUnauthorized;
    this.active = new Set();
    this.reconnectListeners = new Set();
    /** the connection was lost while subscriptions were open (not an idle close) */
    this.dropped = false;
    /** between attempts: the status already says when the next one is */
    this.waiting = false;
    this.disposed = false;
    this.socket = null;
    this.pongTimer = null;
    this.client = createClient({
      url,
      connectionParams,
      lazy: true,
      lazyCloseTimeout: IDLE_CLOSE_MS,
      connectionAckWaitTimeout: ACK_TIMEOUT_MS,
      keepAlive: KEEPALIVE_MS,
      retryAttempts: Infinity,
      retryWait: (retries) => this.retryWait(retries),
      // network failures reach the client as error events, not close events: retry those too
      shouldRetry: (e) => !FATAL.has(e?.code),
      on: {
        connecting: () => this.setStatus(this.dropped ? 'reconnecting' : 'connecting'),
        connected: (socket) => this.connected(socket),
        closed: (event) => this.closed(event),
        ping: (received) => received || this.awaitPong(),
        pong: (received) => received && clearTimeout(this.pongTimer),
      },
    });
  }

  /**
   * Subscribes; `sink.next(data)` gets each result's data, `sink.error(errors)` a refusal (the
   * subscription then ends). Returns a function that ends it.
   */
  subscribe(query, variables, sink) {
    const subscription = {};
    const end = () => this.active.delete(subscription);
    this.active.add(subscription);
    subscription.unsubscribe = this.client.subscribe(
      { query, variables },
      {
        next: (result) => {
          if (!this.active.has(subscription)) return;
          if (result.errors?.length) sink.error?.(result.errors);
          else sink.next(result.data ?? {});
        },
        // GraphQL errors (a refused subscription); a closed connection is told by the status
        error: (errors) => end() && Array.isArray(errors) && sink.error?.(errors),
        complete: () => end() && sink.complete?.(),
      },
    );
    return () => end() && subscription.unsubscribe();
  }

  /** `listener()` runs after a dropped connection is back: events may have been missed meanwhile. */
  onReconnect(listener) {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  dispose() {
    this.disposed = true;
    for (const subscription of this.active) subscription.unsubscribe();
    this.active.clear();
    clearTimeout(this.pongTimer);
    this.client.dispose();
  }

  setStatus(status, detail = {}) {
    if (!this.disposed) this.onStatus(status, detail);
  }

  connected(socket) {
    this.socket = socket;
    const reconnected = this.dropped;
    this.dropped = false;
    this.setStatus('live');
    if (reconnected) for (const listener of this.reconnectListeners) listener();
  }

  /** Our ping went out: no pong in time means a dead connection, closed to be retried. */
  awaitPong() {
    const socket = this.socket;
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => {
      if (socket?.readyState === WebSocket.OPEN) socket.close(4499, 'no pong');
    }, PONG_TIMEOUT_MS);
  }

  closed(event) {
    this.socket = null;
    clearTimeout(this.pongTimer);
    if (this.disposed) return;
    if (FATAL.has(event?.code)) {
      this.setStatus(REFUSED.has(event.code) ? 'unauthorized' : 'error', { reason: event.reason });
      if (REFUSED.has(event.code)) this.onUnauthorized(event.reason);
      return;
    }
    if (this.active.size === 0) {
      this.setStatus('idle');
      return;
    }
    this.dropped = true;
    if (!this.waiting) this.setStatus('reconnecting');
  }

  /** Backoff before the next attempt (1 s, 2 s, 4 s, ... up to 30 s, jittered); cut short when back online. */
  retryWait(retries) {
    const delay = Math.round(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** retries) * (0.5 + Math.random() / 2));
    this.setStatus('reconnecting', { retryInMs: delay });
    this.waiting = true;
    return new Promise((resolve) => {
      const done = () => {
        this.waiting = false;
        clearTimeout(timer);
        window.removeEventListener('online', done);
        resolve();
      };
      const timer = setTimeout(done, delay);
      window.addEventListener('online', done);
    });
  }
}

/** ws(s)://<this host>/graphql */
export function liveUrl() {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
}
