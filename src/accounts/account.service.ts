import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../errors.js';
import { Account } from './account.entity.js';
import type { CreatedApiKey } from './api-key.entity.js';
import type { ApiKeyService } from './api-key.service.js';

const DOMAIN_PATTERN =
  /^(\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export class AccountService {
  constructor(private readonly apiKeys: ApiKeyService) {}

  async setLinkDomains(em: EntityManager, accountId: string, domains: string[]): Promise<Account> {
    const patterns = [...new Set(domains.map((d) => d.trim().toLowerCase()).filter(Boolean))];
    const bad = patterns.filter((p) => !DOMAIN_PATTERN.test(p));
    if (bad.length > 0) {
      throw new BadInputError(
        `not a host name or *.pattern: ${bad.join(', ')} (use "example.com" or "*.example.com")`,
      );
    }
    if (patterns.length > 500) throw new BadInputError('at most 500 link domains');
    const account = await em.findOneOrFail(Account, accountId);
    account.linkDomains = patterns;
    await em.flush();
    return account;
  }

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
