import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../errors.js';
import { Account } from './account.entity.js';
import type { CreatedApiKey } from './api-key.entity.js';
import type { ApiKeyService } from './api-key.service.js';

export class AccountService {
  constructor(private readonly apiKeys: ApiKeyService) {}

  /** A new account with its first API key (what `cli create-account` prints). */
  async create(em: EntityManager, name: string): Promise<{ account: Account; key: CreatedApiKey }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new BadInputError('an account name is 1 to 200 characters');
    return em.transactional(async (tx) => {
      const account = tx.create(Account, { name: trimmed });
      await tx.persist(account).flush();
      const key = await this.apiKeys.create(tx, account.id, 'default');
      return { account, key };
    });
  }
}
