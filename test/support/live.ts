import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../../src/app.js';
import { eventually } from './app.js';

export interface LiveSubscription<T> {
  received: T[];
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
  return {
    received,
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

/**
 * Waits until `app` serves exactly `subscribers` live subscriptions AND the process that will record
 * the hits (`publisher`, by default the same app) counts every account in `accounts` as watched.
 * graphql-ws does not acknowledge a subscription. A stream counts only once it is announced and the
 * app's own cache of watched accounts dropped, so for the same app the second wait ends at once; a
 * publisher in another process learns of it within its two-second cache, which this waits out.
 */
export async function untilLive(
  app: App,
  subscribers: number,
  accounts: string[],
  publisher: App = app,
): Promise<void> {
  await eventually(async () => app.liveSubscribers() === subscribers);
  await eventually(async () => {
    const watched = new Set(await publisher.services.notifier.watched());
    return accounts.every((account) => watched.has(account));
  });
}
