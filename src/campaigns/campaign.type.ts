import { Field, Int, ObjectType } from 'type-graphql';
import { CsvRowErrorType } from '../graphql/csv-row-error.type.js';

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
