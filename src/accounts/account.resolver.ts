import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { accountIdOf, type Context } from '../graphql/context.js';
import { Account } from './account.entity.js';
import type { AccountService } from './account.service.js';
import { ApiKey, CreatedApiKey } from './api-key.entity.js';
import type { ApiKeyService } from './api-key.service.js';

@Resolver()
export class AccountResolver {
  constructor(
    private readonly apiKeyService: ApiKeyService,
    private readonly accountService: AccountService,
  ) {}

  @Query(() => Account)
  me(@Ctx() context: Context): Account {
    accountIdOf(context);
    return context.account!;
  }

  @Mutation(() => Account, { description: 'the allow-list of click redirect hosts; [] allows any host' })
  setLinkDomains(
    @Arg('domains', () => [String]) domains: string[],
    @Ctx() context: Context,
  ): Promise<Account> {
    return this.accountService.setLinkDomains(context.em, accountIdOf(context), domains);
  }

  @Query(() => [ApiKey])
  apiKeys(@Ctx() context: Context): Promise<ApiKey[]> {
    return this.apiKeyService.list(context.em, accountIdOf(context));
  }

  @Mutation(() => CreatedApiKey)
  createApiKey(@Arg('name') name: string, @Ctx() context: Context): Promise<CreatedApiKey> {
    return this.apiKeyService.create(context.em, accountIdOf(context), name);
  }

  @Mutation(() => ApiKey)
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<ApiKey> {
    return this.apiKeyService.revoke(context.em, accountIdOf(context), id);
  }
}
