// A small graphql-ws (graphql-transport-ws) client: one WebSocket for all subscriptions, opened
// while there is one, reconnecting with backoff and subscribing again when the connection drops.
// https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md

const PROTOCOL = 'graphql-transport-ws';
const ACK_TIMEOUT_MS = 10_000;
const KEEPALIVE_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;
const IDLE_CLOSE_MS = 2_000;
const MAX_BACKOFF_MS = 30_000;
/** Close codes that retrying cannot fix: bad request (4400), unauthorized (4401), forbidden (4403). */
const FATAL = new Set([4400, 4401, 4403, 4406]);

/**
 * Status reported to `onStatus`: 'idle' (no subscription), 'connecting', 'live', 'reconnecting'
 * (with `retryInMs`), 'unauthorized'.
 */
export class LiveClient {
  constructor({ url, connectionParams, onStatus = () => {}, onUnauthorized = () => {} }) {
    this.url = url;
    this.connectionParams = connectionParams;
    this.onStatus = onStatus;
    this.onUnauthorized = onUnauthorized;
    this.subscriptions = new Map();
    this.reconnectListeners = new Set();
    this.nextId = 1;
    this.socket = null;
    this.acknowledged = false;
    /** the connection was lost while subscriptions were open (not an idle close) */
    this.dropped = false;
    this.retries = 0;
    this.timers = {};
    this.disposed = false;
    this.status = 'idle';
    this.onOnline = () => {
      if (this.timers.retry) {
        clearTimeout(this.timers.retry);
        this.timers.retry = null;
        this.connect();
      }
    };
    window.addEventListener('online', this.onOnline);
  }

  /**
   * Subscribes; `sink.next(data)` gets each result's data, `sink.error(errors)` a refusal (the
   * subscription then ends). Returns a function that ends it.
   */
  subscribe(query, variables, sink) {
    const id = String(this.nextId++);
    this.subscriptions.set(id, { payload: { query, variables }, sink });
    clearTimeout(this.timers.idle);
    if (this.acknowledged) this.send({ id, type: 'subscribe', payload: { query, variables } });
    else if (!this.socket && !this.timers.retry) this.connect();
    return () => {
      if (!this.subscriptions.delete(id)) return;
      if (this.acknowledged) this.send({ id, type: 'complete' });
      if (this.subscriptions.size === 0) {
        clearTimeout(this.timers.idle);
        this.timers.idle = setTimeout(() => this.closeIdle(), IDLE_CLOSE_MS);
      }
    };
  }

  /** `listener()` runs after a dropped connection is back: events may have been missed meanwhile. */
  onReconnect(listener) {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  dispose() {
    this.disposed = true;
    window.removeEventListener('online', this.onOnline);
    for (const timer of Object.values(this.timers)) clearTimeout(timer);
    this.subscriptions.clear();
    this.socket?.close(1000, 'bye');
    this.socket = null;
  }

  setStatus(status, detail = {}) {
    this.status = status;
    this.onStatus(status, detail);
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  closeIdle() {
    if (this.subscriptions.size > 0 || !this.socket) return;
    this.socket.close(1000, 'idle');
  }

  connect() {
    if (this.disposed || this.socket) return;
    this.timers.retry = null;
    this.setStatus(this.dropped ? 'reconnecting' : 'connecting');
    const socket = new WebSocket(this.url, PROTOCOL);
    this.socket = socket;
    this.acknowledged = false;
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: this.connectionParams() }));
      this.timers.ack = setTimeout(
        () => socket.close(4504, 'connection acknowledgement timeout'),
        ACK_TIMEOUT_MS,
      );
    });
    socket.addEventListener('message', (event) => this.receive(socket, event.data));
    socket.addEventListener('close', (event) => this.closed(socket, event));
    // an error is always followed by close, which handles it
    socket.addEventListener('error', () => {});
  }

  receive(socket, raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      socket.close(4400, 'invalid message');
      return;
    }
    const subscription = message.id ? this.subscriptions.get(message.id) : null;
    switch (message.type) {
      case 'connection_ack': {
        clearTimeout(this.timers.ack);
        this.acknowledged = true;
        const reconnected = this.dropped;
        this.dropped = false;
        this.retries = 0;
        this.setStatus('live');
        for (const [id, { payload }] of this.subscriptions) this.send({ id, type: 'subscribe', payload });
        this.keepAlive(socket);
        if (reconnected) for (const listener of this.reconnectListeners) listener();
        break;
      }
      case 'next':
        if (subscription) {
          if (message.payload?.errors?.length) subscription.sink.error?.(message.payload.errors);
          else subscription.sink.next(message.payload?.data ?? {});
        }
        break;
      case 'error':
        if (subscription) {
          this.subscriptions.delete(message.id);
          subscription.sink.error?.(message.payload);
        }
        break;
      case 'complete':
        if (subscription) {
          this.subscriptions.delete(message.id);
          subscription.sink.complete?.();
        }
        break;
      case 'ping':
        this.send({ type: 'pong', payload: message.payload });
        break;
      case 'pong':
        clearTimeout(this.timers.pong);
        break;
      default:
        break;
    }
  }

  keepAlive(socket) {
    clearInterval(this.timers.ping);
    this.timers.ping = setInterval(() => {
      if (this.socket !== socket) return clearInterval(this.timers.ping);
      this.send({ type: 'ping' });
      clearTimeout(this.timers.pong);
      this.timers.pong = setTimeout(() => socket.close(4499, 'no pong'), PONG_TIMEOUT_MS);
    }, KEEPALIVE_MS);
  }

  closed(socket, event) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.acknowledged = false;
    clearTimeout(this.timers.ack);
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.pong);
    if (this.disposed) return;
    if (FATAL.has(event.code)) {
      this.setStatus(event.code === 4403 || event.code === 4401 ? 'unauthorized' : 'error', {
        reason: event.reason,
      });
      if (event.code === 4403 || event.code === 4401) this.onUnauthorized(event.reason);
      return;
    }
    if (this.subscriptions.size === 0) {
      this.setStatus('idle');
      return;
    }
    this.dropped = true;
    const delay = Math.round(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.retries) * (0.5 + Math.random() / 2));
    this.retries++;
    this.setStatus('reconnecting', { retryInMs: delay });
    this.timers.retry = setTimeout(() => this.connect(), delay);
  }
}

/** ws(s)://<this host>/graphql */
export function liveUrl() {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
}
