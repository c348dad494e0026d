import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CsvRowErrorType } from '../graphql/csv-row-error.type.js';

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

@ObjectType()
export class AddRecipientsResult {
  @Field(() => Int)
  added!: number;

  @Field(() => Int, { description: 'duplicates and suppressed addresses' })
  skipped!: number;

  @Field(() => Int, { description: 'of the skipped: addresses suppressed for this account' })
  suppressed!: number;

  @Field(() => [CsvRowErrorType], {
    description: 'bad rows (for addRecipients, line = position in the list, from 1)',
  })
  errors!: CsvRowErrorType[];
}
