import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Page } from '../graphql/page.js';
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
export class MessagePage extends Page(EmailMessage) {}
