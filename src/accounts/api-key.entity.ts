import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../db/ids.js';

@ObjectType()
@Entity({ tableName: 'api_key' })
export class ApiKey {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'revokedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  accountId!: string;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field({ description: 'First characters of the secret, to tell keys apart.' })
  @Property({ type: 'text' })
  prefix!: string;

  /** SHA-256 of the secret: the secret itself is never stored. */
  @Property({ columnType: 'bytea', type: 'Buffer', hidden: true })
  secretHash!: Buffer;

  @Field()
  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date, {
    nullable: true,
    description: 'Accurate to a minute: refreshed at most once a minute.',
  })
  @Property({ columnType: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({ description: 'Shown once, never stored in clear.' })
  secret!: string;
}
