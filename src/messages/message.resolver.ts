import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { accountIdOf, type Context } from '../graphql/context.js';
import { TrackingEvent } from '../tracking/tracking-event.type.js';
import { EmailMessage } from './message.entity.js';
import { SendEmailInput } from './message.input.js';
import { MessagePage } from './message.type.js';
import { MAX_PAGE_SIZE } from '../graphql/page.js';
import type { MessageService } from './message.service.js';

@Resolver(() => EmailMessage)
export class MessageResolver {
  constructor(private readonly messageService: MessageService) {}

  @Query(() => EmailMessage, { nullable: true })
  message(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<EmailMessage | null> {
    return this.messageService.get(context.em, accountIdOf(context), id);
  }

  @Query(() => MessagePage)
  messages(
    @Ctx() context: Context,
    @Arg('campaignId', () => ID, { nullable: true }) campaignId?: string,
    @Arg('recipient', () => String, { nullable: true }) recipient?: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('transactional', () => Boolean, {
      nullable: true,
      description: 'true: only single sends (sendEmail); false: only campaign messages; unset: all',
    })
    transactional?: boolean | null,
  ): Promise<MessagePage> {
    return this.messageService.list(context.em, accountIdOf(context), {
      campaignId,
      transactional,
      recipient,
      first: first ?? 50,
      after,
    });
  }

  @Mutation(() => EmailMessage, {
    description: 'one tracked email outside any campaign; returns at once in QUEUED',
  })
  sendEmail(
    @Arg('input', () => SendEmailInput) input: SendEmailInput,
    @Ctx() context: Context,
  ): Promise<EmailMessage> {
    return this.messageService.queue(context.em, accountIdOf(context), input);
  }

  @FieldResolver(() => TrackingEvent, { nullable: true })
  lastOpen(@Root() message: EmailMessage, @Ctx() context: Context): Promise<TrackingEvent | null> {
    return context.loaders.lastOpen.load(message);
  }

  @FieldResolver(() => [TrackingEvent], { description: `newest first; at most ${MAX_PAGE_SIZE}` })
  events(
    @Root() message: EmailMessage,
    @Ctx() context: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first?: number | null,
  ): Promise<TrackingEvent[]> {
    return context.loaders.eventsOf(Math.max(1, Math.min(first ?? 50, MAX_PAGE_SIZE))).load(message.id);
  }
}
