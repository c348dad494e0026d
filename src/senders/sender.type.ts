import { Field, Int, ObjectType } from 'type-graphql';
import { CsvRowErrorType } from '../graphql/csv-row-error.type.js';

@ObjectType()
export class ImportSendersResult {
  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  updated!: number;

  @Field(() => [CsvRowErrorType])
  errors!: CsvRowErrorType[];
}

@ObjectType()
export class SenderVerification {
  @Field({ description: 'true when the SMTP server accepted the connection and the credentials' })
  ok!: boolean;

  @Field(() => String, { nullable: true, description: 'what went wrong, with the server reply' })
  error!: string | null;
}
