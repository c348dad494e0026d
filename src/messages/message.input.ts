import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { EmailMessage } from './message.entity.js';

@InputType()
export class SendEmailInput {
  @Field(() => ID)
  senderId!: string;

  @Field()
  recipient!: string;

  @Field()
  subject!: string;

  @Field()
  body!: string;

  @Field({ nullable: true, defaultValue: false })
  isHtml?: boolean;
}

@ObjectType()
export class MessagePage {
  @Field(() => [EmailMessage])
  nodes!: EmailMessage[];

  @Field(() => Int)
  totalCount!: number;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;
}
