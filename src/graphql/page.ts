import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { BadInputError } from '../errors.js';

/** Largest `first` of any paginated field. */
export const MAX_PAGE_SIZE = 500;

/**
 * One page of a list, newest first, for any item type (type-graphql's generic types): a named
 * subclass per item, e.g. `@ObjectType() class MessagePage extends Page(EmailMessage) {}`.
 */
export function Page<T extends object>(Item: ClassType<T>) {
  // emitted only through its named subclasses: type-graphql 2 leaves unreachable types out
  @ObjectType()
  abstract class PageClass {
    @Field(() => [Item])
    nodes!: T[];

    @Field(() => Int)
    totalCount!: number;

    @Field(() => String, { nullable: true })
    endCursor!: string | null;

    @Field()
    hasNextPage!: boolean;
  }
  return PageClass;
}

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadInputError(`first must be from 1 to ${MAX_PAGE_SIZE}`);
  }
}

/** An opaque cursor: the parts of the last row's sort key. */
export function encodeCursor(...parts: string[]): string {
  return Buffer.from(parts.join('|')).toString('base64url');
}

/** The parts of a cursor this API returned; BAD_USER_INPUT for anything else. */
export function decodeCursor(cursor: string, count: number, valid: (parts: string[]) => boolean): string[] {
  const parts = Buffer.from(cursor, 'base64url').toString().split('|');
  if (parts.length !== count || !valid(parts))
    throw new BadInputError('after is not a cursor this API returned');
  return parts;
}
