import { Field, InputType, Int } from 'type-graphql';

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
