import { Field, ID, InputType } from 'type-graphql';

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
