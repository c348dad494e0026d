import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';

describe('accounts and API keys', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    ({ key } = await createAccount(t.app, 'Acme'));
  });
  afterAll(() => t?.stop());

  it('answers me for a valid key, as a Bearer header or bare', async () => {
    expect((await gqlOk(t.baseUrl, key, '{ me { name } }')).me.name).toBe('Acme');
    const bare = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: key },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    expect(((await bare.json()) as any).data.me.name).toBe('Acme');
  });

  it('refuses a missing, unknown or malformed key with UNAUTHENTICATED, and reads nothing', async () => {
    for (const query of [
      '{ me { id } }',
      '{ senders { id } }',
      '{ messages { totalCount } }',
      '{ apiKeys { id } }',
    ]) {
      const anonymous = await gql(t.baseUrl, null, query);
      expect(anonymous.errors?.[0].extensions?.code, query).toBe('UNAUTHENTICATED');
      expect(anonymous.data).toBeNull();
    }
    for (const bad of ['mt_unknownkey0000000000000000000000000000000', 'garbage', `${key}x`]) {
      const result = await gql(t.baseUrl, bad, '{ me { id } }');
      expect(result.status).toBe(401);
      expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    const mutation = await gql(t.baseUrl, null, 'mutation { createApiKey(name: "x") { secret } }');
    expect(mutation.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers introspection with a key only', async () => {
    const anonymous = await gql(t.baseUrl, null, '{ __schema { queryType { name } } }');
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data).toBeNull();
    const result = await gql(t.baseUrl, key, '{ __schema { queryType { name } } }');
    expect(result.data?.__schema.queryType.name).toBe('Query');
  });

  it('creates keys shown once, stores only a hash, lists them with prefix, and revokes them', async () => {
    const created = await gqlOk(
      t.baseUrl,
      key,
      'mutation { createApiKey(name: "ci") { secret apiKey { id name prefix createdAt revokedAt } } }',
    );
    const { secret, apiKey } = created.createApiKey;
    expect(secret).toMatch(/^mt_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.prefix.length).toBeLessThan(secret.length / 2);

    const stored = await t.app.services.pool.query('select * from api_key where id = $1', [apiKey.id]);
    expect(JSON.stringify(stored.rows[0])).not.toContain(secret.slice(12));

    expect((await gqlOk(t.baseUrl, secret, '{ me { name } }')).me.name).toBe('Acme');
    const listed = await gqlOk(t.baseUrl, key, '{ apiKeys { id name prefix lastUsedAt revokedAt } }');
    const ci = listed.apiKeys.find((k: { id: string }) => k.id === apiKey.id);
    expect(ci.lastUsedAt).not.toBeNull();

    const revoked = await gqlOk(
      t.baseUrl,
      key,
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: apiKey.id },
    );
    expect(revoked.revokeApiKey.revokedAt).not.toBeNull();
    const refused = await gql(t.baseUrl, secret, '{ me { id } }');
    expect(refused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.errors?.[0].message).toMatch(/revoked/);
  });

  it('keeps lastUsedAt without a write on every request', async () => {
    const { key: fresh } = await createAccount(t.app, 'Quiet');
    const lastUsed = async () =>
      (
        await t.app.services.pool.query('select last_used_at from api_key where prefix = $1', [
          fresh.slice(0, 11),
        ])
      ).rows[0].last_used_at as Date | null;
    expect(await lastUsed()).toBeNull();
    await gqlOk(t.baseUrl, fresh, '{ me { id } }');
    const first = await lastUsed();
    expect(first).not.toBeNull();
    for (let i = 0; i < 5; i++) await gqlOk(t.baseUrl, fresh, '{ me { id } }');
    expect((await lastUsed())?.getTime()).toBe(first!.getTime());
  });

  it('answers an unknown key id with NOT_FOUND', async () => {
    const result = await gql(
      t.baseUrl,
      key,
      'mutation { revokeApiKey(id: "0190f0f0-0000-7000-8000-000000000000") { id } }',
    );
    expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
