import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { accountIdOf, type Context } from '../graphql/context.js';
import type { SuppressionService } from './suppression.service.js';
import { SuppressionPage } from './suppression.type.js';

@Resolver()
export class SuppressionResolver {
  constructor(private readonly suppressionService: SuppressionService) {}

  @Query(() => SuppressionPage, { description: 'addresses this account will not mail, newest first' })
  suppressions(
    @Ctx() context: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<SuppressionPage> {
    return this.suppressionService.list(accountIdOf(context), first ?? 50, after ?? null);
  }

  @Mutation(() => Boolean, {
    description: 'lets the address be mailed again; NOT_FOUND if it was not suppressed',
  })
  unsuppress(@Arg('email') email: string, @Ctx() context: Context): Promise<boolean> {
    return this.suppressionService.unsuppress(accountIdOf(context), email);
  }
}
