// The GraphQL API over HTTP, and the API key of this browser tab. The documents are in queries.js.

import { messagesByIdQuery } from './queries.js';

/** sessionStorage only: the key is gone when the tab closes. The playground (/graphql) reads it too. */
const STORAGE_KEY = 'mailtrace.apiKey';

export const session = {
  get key() {
    try {
      return sessionStorage.getItem(STORAGE_KEY);
    } catch {
      return null;
    }
  },
  set(key) {
    sessionStorage.setItem(STORAGE_KEY, key);
  },
  clear() {
    sessionStorage.removeItem(STORAGE_KEY);
  },
};

/** A failed request: GraphQL errors (message and extensions.code) or a network failure. */
export class ApiError extends Error {
  constructor(message, code, errors = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.errors = errors;
  }
}

/** Fired on window when the API refuses the key (UNAUTHENTICATED): the app signs out. */
export const UNAUTHENTICATED_EVENT = 'mailtrace:unauthenticated';

/**
 * Runs a query or mutation; resolves with `data`, rejects with an ApiError. `key` overrides the
 * session's key (the sign-in form checks a key before storing it).
 */
export async function gql(query, variables = {}, { key = session.key, signal } = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError('Cannot reach the server. Check your connection and try again.', 'NETWORK');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status} without a GraphQL response.`, 'HTTP');
  }
  // a 413 (body too large) and other refusals before GraphQL say why in `detail`
  if (!body.errors && typeof body.detail === 'string') throw new ApiError(body.detail, 'HTTP');
  if (body.errors?.length) {
    const code = body.errors[0].extensions?.code ?? 'ERROR';
    const message =
      code === 'RATE_LIMITED'
        ? `Too many requests for this account right now: mailtrace will take more in ${body.errors[0].extensions.retryAfterSeconds} s.`
        : [...new Set(body.errors.map((e) => e.message))].join('; ');
    const error = new ApiError(message, code, body.errors);
    if (code === 'UNAUTHENTICATED' && key === session.key)
      window.dispatchEvent(new CustomEvent(UNAUTHENTICATED_EVENT, { detail: error }));
    throw error;
  }
  return body.data;
}

/** Loads messages by id in one request; returns id -> message (null if gone). */
export async function loadMessages(ids, options) {
  if (!ids.length) return new Map();
  const variables = Object.fromEntries(ids.map((id, i) => [`i${i}`, id]));
  const data = await gql(messagesByIdQuery(ids.length), variables, options);
  return new Map(ids.map((id, i) => [id, data[`m${i}`]]));
}
