// The GraphQL API over HTTP, and the API key of this browser tab.

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

/** The fields a message row shows (the original tracker's table, plus status and counts). */
export const MESSAGE_FIELDS = `id sequenceId recipient subject status error campaignId queuedAt sentAt
  sendAttempts firstOpenedAt timeToOpenSeconds openCount machineOpenCount clickCount unsubscribedAt
  lastOpen { id ipAddress userAgent client device machine machineReason occurredAt location { city region country } }`;

export const MESSAGES_QUERY = `query Messages($campaignId: ID, $transactional: Boolean, $recipient: String, $after: String, $first: Int) {
  messages(campaignId: $campaignId, transactional: $transactional, recipient: $recipient, after: $after, first: $first) {
    totalCount hasNextPage endCursor nodes { ${MESSAGE_FIELDS} }
  }
}`;

/** Loads messages by id in one request (aliases m0, m1, ...); returns id -> message (null if gone). */
export async function loadMessages(ids, options) {
  if (!ids.length) return new Map();
  const params = ids.map((_, i) => `$i${i}: ID!`).join(', ');
  const fields = ids.map((_, i) => `m${i}: message(id: $i${i}) { ${MESSAGE_FIELDS} }`).join('\n');
  const variables = Object.fromEntries(ids.map((id, i) => [`i${i}`, id]));
  const data = await gql(`query Rows(${params}) {\n${fields}\n}`, variables, options);
  return new Map(ids.map((id, i) => [id, data[`m${i}`]]));
}
