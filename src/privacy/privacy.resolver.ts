import { Arg, Ctx, Int, Mutation, Resolver } from 'type-graphql';
import { accountIdOf, type Context } from '../graphql/context.js';
import type { ErasureService } from './erasure.service.js';

@Resolver()
export class PrivacyResolver {
  constructor(private readonly erasureService: ErasureService) {}

  @Mutation(() => Int, {
    description:
      'erase every message and event of that address; a hash stays as a suppression; returns rows erased',
  })
  forgetRecipient(@Arg('email') email: string, @Ctx() context: Context): Promise<number> {
    return this.erasureService.forget(accountIdOf(context), email);
  }
}
