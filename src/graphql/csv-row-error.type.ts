import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('CsvRowError')
export class CsvRowErrorType {
  @Field(() => Int, { description: '1-based line number in the CSV text, header = line 1' })
  line!: number;

  @Field()
  message!: string;
}
