import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../db/ids.js';

@ObjectType({ description: 'A tenant: everything an API key can see belongs to its account.' })
@Entity({ tableName: 'account' })
export class Account {
  [OptionalProps]?: 'createdAt' | 'linkDomains';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => [String], {
    description: 'click redirects only to these hosts ("example.com", "*.example.com"); empty: any host',
  })
  @Property({ type: 'string[]', columnType: 'text[]', defaultRaw: "'{}'" })
  linkDomains: string[] = [];
}
