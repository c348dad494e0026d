import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, gql, startTestApp, type TestApp } from './support/app.js';

/** The limits count per calendar minute: start a burst well inside one, so it cannot straddle two. */
async function insideOneMinute(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe('API rate limits', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    t = await startTestApp({
      worker: false,
      env: {
        API_LIMIT_REQUESTS_PER_MINUTE: '5',
        API_LIMIT_ANONYMOUS_PER_MINUTE: '4',
        API_LIMIT_FAILED_AUTH_PER_MINUTE: '2',
        API_LIMIT_SYNC_MS: '0',
      },
    });
    ({ key } = await createAccount(t.app, 'Busy'));
    ({ key: otherKey } = await createAccount(t.app, 'Quiet'));
  });
  afterAll(() => t?.stop());

  it('limits each account, answers 429 RATE_LIMITED with Retry-After, and leaves other accounts alone', async () => {
    await insideOneMinute();
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 8; i++)
      codes.push((await gql(t.baseUrl, key, '{ me { id } }')).errors?.[0].extensions?.code);
    expect(codes.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(codes.slice(5)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);

    const response = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: 'mutation { createApiKey(name: "over") { secret } }' }),
    });
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
    expect(body.data ?? null).toBeNull();

    expect((await gql(t.baseUrl, otherKey, '{ me { name } }')).data?.me.name).toBe('Quiet');
    const keys = await t.app.services.pool.query("select 1 from api_key where name = 'over'");
    expect(keys.rowCount).toBe(0);
  });

  it('limits failed authentications per client address before trying more keys', async () => {
    await insideOneMinute();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await gql(t.baseUrl, `mt_guess${i}${'0'.repeat(38)}`, '{ me { id } }')).status);
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
  });
});

describe('API query cost budget', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    // `{ me { id name } }` costs 5 (graphql-armor: object 2 + 1.5 × two scalars): two fit in 12
    t = await startTestApp({
      worker: false,
      env: { API_LIMIT_COST_PER_MINUTE: '12', API_LIMIT_SYNC_MS: '0' },
    });
    ({ key } = await createAccount(t.app, 'Costly'));
    ({ key: otherKey } = await createAccount(t.app, 'Thrifty'));
  });
  afterAll(() => t?.stop());

  it("charges each operation's cost to its account per minute and refuses past the budget", async () => {
    await insideOneMinute();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await gql(t.baseUrl, key, '{ me { id name } }'));
    expect(results.slice(0, 2).map((r) => r.data?.me.name)).toEqual(['Costly', 'Costly']);
    expect(results[2].status).toBe(429);
    expect(results[2].errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(results[2].errors?.[0].message).toMatch(/query cost budget/);
    // a cheaper document still does not fit: the budget is spent, not the request count
    expect((await gql(t.baseUrl, key, '{ me { id } }')).errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect((await gql(t.baseUrl, otherKey, '{ me { id name } }')).data?.me.name).toBe('Thrifty');
  });
});
