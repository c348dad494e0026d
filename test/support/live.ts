import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface LiveSubscription<T> {
  received: T[];
  /** Resolves when the server acknowledged the subscription (or rejects with its error). */
  ready: Promise<void>;
  error: Promise<unknown>;
  next(timeoutMs?: number): Promise<T>;
  stop(): void;
}

/** A real graphql-ws (graphql-transport-ws) client, authenticated by connectionParams.authorization. */
export function liveClient(
  baseUrl: string,
  key: string | null,
  options: { retryAttempts?: number } = {},
): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: false,
    // connection errors reach the subscription's error handler; no need to print them too
    onNonLazyError: () => {},
    shouldRetry: () => (options.retryAttempts ?? 0) > 0,
  });
}

export function subscribeTo<T = any>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription<T> {
  const received: T[] = [];
  const waiters: ((value: T) => void)[] = [];
  let fail: (error: unknown) => void = () => {};
  const error = new Promise<unknown>((resolve) => {
    fail = resolve;
  });
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) return fail(result.errors);
        const value = Object.values(result.data ?? {})[0] as T;
        const waiter = waiters.shift();
        if (waiter) waiter(value);
        else received.push(value);
      },
      error: (e) => fail(e),
      complete: () => {},
    },
  );
  // graphql-ws does not acknowledge subscriptions; a short pause lets the server register it
  const ready = new Promise<void>((resolve) => setTimeout(resolve, 300));
  return {
    received,
    ready,
    error,
    stop,
    next(timeoutMs = 5_000) {
      const queued = received.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
  };
}
