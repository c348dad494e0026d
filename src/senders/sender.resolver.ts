import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { accountIdOf, type Context } from '../graphql/context.js';
import { Sender } from './sender.entity.js';
import { SenderInput } from './sender.input.js';
import { ImportSendersResult, SenderVerification } from './sender.type.js';
import type { SenderService } from './sender.service.js';

@Resolver(() => Sender)
export class SenderResolver {
  constructor(private readonly senderService: SenderService) {}

  @Query(() => [Sender])
  senders(@Ctx() context: Context): Promise<Sender[]> {
    return this.senderService.list(context.em, accountIdOf(context));
  }

  @Mutation(() => Sender)
  createSender(
    @Arg('input', () => SenderInput) input: SenderInput,
    @Ctx() context: Context,
  ): Promise<Sender> {
    return this.senderService.create(context.em, accountIdOf(context), input);
  }

  @Mutation(() => ImportSendersResult, {
    description:
      'header: key,email,app_password[,name,smtp_host,smtp_port,smtp_secure,smtp_user]; all rows or none',
  })
  importSenders(@Arg('csv') csv: string, @Ctx() context: Context): Promise<ImportSendersResult> {
    return this.senderService.import(context.em, accountIdOf(context), csv);
  }

  @Mutation(() => Boolean)
  deleteSender(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<boolean> {
    return this.senderService.delete(context.em, accountIdOf(context), id);
  }

  @Mutation(() => SenderVerification, {
    description: 'connects and logs in to the SMTP server; sends nothing',
  })
  verifySender(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<SenderVerification> {
    return this.senderService.verify(context.em, accountIdOf(context), id);
  }
}
