import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Page } from '../graphql/page.js';

export enum SuppressionReason {
  UNSUBSCRIBED = 'UNSUBSCRIBED',
  HARD_BOUNCE = 'HARD_BOUNCE',
  MANUAL = 'MANUAL',
  ERASED = 'ERASED',
}
registerEnumType(SuppressionReason, {
  name: 'SuppressionReason',
  valuesConfig: {
    UNSUBSCRIBED: { description: 'the recipient unsubscribed' },
    HARD_BOUNCE: { description: 'the receiving server refused the address permanently (SMTP 5xx on RCPT)' },
    MANUAL: { description: 'an operator added it' },
    ERASED: { description: 'the recipient was forgotten; only a hash of the address is kept' },
  },
});

@ObjectType({ description: 'An address this account will not mail; sends to it end as SUPPRESSED.' })
export class Suppression {
  @Field(() => String, { nullable: true, description: 'null once the address was erased (forgetRecipient)' })
  email!: string | null;

  @Field(() => SuppressionReason)
  reason!: SuppressionReason;

  @Field(() => String, { nullable: true, description: 'e.g. the bounce reply' })
  detail!: string | null;

  @Field()
  createdAt!: Date;
}

@ObjectType()
export class SuppressionPage extends Page(Suppression) {}
