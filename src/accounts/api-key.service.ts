import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../db/ids.js';
import { NotFoundError, UnauthenticatedError } from '../errors.js';
import { Account } from './account.entity.js';
import { ApiKey, CreatedApiKey } from './api-key.entity.js';

const KEY_PREFIX = 'mt_';
const SHOWN_PREFIX_LENGTH = 11;
/** lastUsedAt is refreshed at most this often, so authenticating is a read, not a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export class ApiKeyService {
  /** A new key for the account; the secret is returned once and only its hash is kept. */
  async create(em: EntityManager, accountId: string, name: string): Promise<CreatedApiKey> {
    const secret = KEY_PREFIX + randomBytes(32).toString('base64url');
    const apiKey = em.create(ApiKey, {
      accountId,
      name: name.trim() || 'default',
      prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
      secretHash: hashSecret(secret),
    });
    await em.persist(apiKey).flush();
    return { apiKey, secret };
  }

  list(em: EntityManager, accountId: string): Promise<ApiKey[]> {
    return em.find(ApiKey, { accountId }, { orderBy: { createdAt: 'asc' } });
  }

  async revoke(em: EntityManager, accountId: string, id: string): Promise<ApiKey> {
    const apiKey = isUuid(id) ? await em.findOne(ApiKey, { id, accountId }) : null;
    if (!apiKey) throw new NotFoundError('API key', id);
    apiKey.revokedAt ??= new Date();
    await em.flush();
    return apiKey;
  }

  /** The account behind an `Authorization` header value; throws for a malformed, unknown or revoked key. */
  async authenticate(em: EntityManager, secret: string): Promise<Account> {
    if (!secret.startsWith(KEY_PREFIX) || secret.length > 100)
      throw new UnauthenticatedError('the API key is not valid');
    const apiKey = await em.findOne(ApiKey, { secretHash: hashSecret(secret) });
    if (!apiKey) throw new UnauthenticatedError('the API key is not valid');
    if (apiKey.revokedAt) throw new UnauthenticatedError('the API key has been revoked');
    const account = await em.findOneOrFail(Account, apiKey.accountId);
    const now = Date.now();
    if (!apiKey.lastUsedAt || now - apiKey.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await em.nativeUpdate(ApiKey, { id: apiKey.id }, { lastUsedAt: new Date(now) });
    }
    return account;
  }
}
