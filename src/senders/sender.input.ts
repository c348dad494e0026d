import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { CsvRowErrorType } from '../graphql/csv-row-error.type.js';

@InputType()
export class SenderInput {
  @Field()
  key!: string;

  @Field()
  email!: string;

  @Field()
  password!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'default smtp.gmail.com' })
  smtpHost?: string | null;

  @Field(() => Int, { nullable: true, description: 'default 465' })
  smtpPort?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'default: true on port 465 (implicit TLS), else false (plain or STARTTLS)',
  })
  smtpSecure?: boolean | null;

  @Field(() => String, { nullable: true, description: 'default: email' })
  smtpUser?: string | null;

  @Field(() => Int, { nullable: true, description: 'send at most this many a minute; default: no limit' })
  maxPerMinute?: number | null;

  @Field(() => Int, { nullable: true, description: 'send at most this many a UTC day; default: no limit' })
  maxPerDay?: number | null;
}

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
