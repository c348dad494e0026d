import { v7 } from 'uuid';

/** UUIDv7: time-ordered, so primary-key indexes stay append-mostly and ids sort by creation. */
export function newId(): string {
  return v7();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids from clients are checked before they reach a uuid column, so a bad one is NOT_FOUND, not a crash. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
