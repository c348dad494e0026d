import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class CampaignInput {
  @Field()
  name!: string;

  @Field({ description: 'may use {{first_name}}-style placeholders like html' })
  subject!: string;

  @Field({
    description: '{{first_name}}, {{last_name}}, {{email}} and any recipient attribute; {{name|default}}',
  })
  html!: string;

  @Field(() => String, { nullable: true })
  text?: string | null;

  @Field(() => ID)
  senderId!: string;
}

@InputType()
export class RecipientInput {
  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;
}
