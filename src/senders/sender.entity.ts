import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '../db/ids.js';

@ObjectType({ description: 'A sending identity with its SMTP credentials. The password is write-only.' })
@Entity({ tableName: 'sender' })
export class Sender {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'deletedAt' | 'name' | 'maxPerMinute' | 'maxPerDay';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  accountId!: string;

  @Field({ description: "The account-unique handle from the CSV's `key` column." })
  @Property({ type: 'text' })
  key!: string;

  @Field()
  @Property({ type: 'text' })
  email!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  @Field()
  @Property({ type: 'text' })
  smtpHost!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  smtpPort!: number;

  @Field()
  @Property({ type: 'boolean' })
  smtpSecure!: boolean;

  @Field()
  @Property({ type: 'text' })
  smtpUser!: string;

  @Field(() => Int, { nullable: true, description: 'at most this many emails a minute (across all workers)' })
  @Property({ type: 'integer', nullable: true })
  maxPerMinute: number | null = null;

  @Field(() => Int, {
    nullable: true,
    description: 'at most this many emails a UTC day (Gmail: 500, Workspace: 2000)',
  })
  @Property({ type: 'integer', nullable: true })
  maxPerDay: number | null = null;

  /** AES-256-GCM, bound to this row's id (see SecretBox). */
  @Property({ type: 'text', hidden: true })
  passwordEncrypted!: string;

  @Field()
  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /** Also the version of the cached SMTP transport: a change makes workers reconnect. */
  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();

  @Property({ columnType: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;
}
