/**
 * One-dimensional PostgreSQL arrays in the binary wire format (what array_recv reads). pg sends a
 * Buffer parameter as binary, so a batch's columns go out as these instead of array literals: pg's
 * text path escapes every element in JavaScript (dates through dateToString), and PostgreSQL then
 * parses every uuid and timestamp back from text, both per element and on the hot path.
 */

/** Element type oids (pg_type). */
const UUID_OID = 2950;
const TEXT_OID = 25;
const BOOL_OID = 16;
const TIMESTAMPTZ_OID = 1184;

/** ndim, has-nulls flag, element oid, then (size, lower bound) of the one dimension. */
const HEADER_BYTES = 20;
const NULL_LENGTH = -1;
/** PostgreSQL timestamps count microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_TO_32 = 2 ** 32;

function encodeArray<T>(
  elementOid: number,
  values: readonly (T | null)[],
  byteLength: (value: T) => number,
  write: (target: Buffer, offset: number, value: T) => void,
): Buffer {
  let size = HEADER_BYTES;
  let hasNull = 0;
  for (const value of values) {
    if (value === null) hasNull = 1;
    size += 4 + (value === null ? 0 : byteLength(value));
  }
  const buffer = Buffer.allocUnsafe(size);
  buffer.writeInt32BE(1, 0);
  buffer.writeInt32BE(hasNull, 4);
  buffer.writeInt32BE(elementOid, 8);
  buffer.writeInt32BE(values.length, 12);
  buffer.writeInt32BE(1, 16);
  let offset = HEADER_BYTES;
  for (const value of values) {
    if (value === null) {
      offset = buffer.writeInt32BE(NULL_LENGTH, offset);
      continue;
    }
    const length = byteLength(value);
    offset = buffer.writeInt32BE(length, offset);
    write(buffer, offset, value);
    offset += length;
  }
  return buffer;
}

export function uuidArray(values: readonly string[]): Buffer {
  return encodeArray(UUID_OID, values, () => 16, writeUuid);
}

export function textArray(values: readonly (string | null)[]): Buffer {
  return encodeArray(
    TEXT_OID,
    values,
    (value) => Buffer.byteLength(value),
    (target, offset, value) => target.write(value, offset),
  );
}

export function boolArray(values: readonly boolean[]): Buffer {
  return encodeArray(
    BOOL_OID,
    values,
    () => 1,
    (target, offset, value) => target.writeUInt8(value ? 1 : 0, offset),
  );
}

export function timestamptzArray(values: readonly Date[]): Buffer {
  return encodeArray(TIMESTAMPTZ_OID, values, () => 8, writeTimestamp);
}

/** Hex digit values by character code, -1 for anything else. */
const HEX_DIGITS = new Int8Array(128).fill(-1);
for (const [i, digit] of [...'0123456789abcdef'].entries()) {
  HEX_DIGITS[digit.charCodeAt(0)] = i;
  HEX_DIGITS[digit.toUpperCase().charCodeAt(0)] = i;
}
const DASH = '-'.charCodeAt(0);

const isDash = (uuid: string, at: number) => uuid.charCodeAt(at) === DASH;

/** Digit by digit: five times cheaper than taking out the dashes and writing the rest as hex. */
function writeUuid(target: Buffer, offset: number, uuid: string): void {
  const shaped =
    uuid.length === 36 && isDash(uuid, 8) && isDash(uuid, 13) && isDash(uuid, 18) && isDash(uuid, 23);
  if (!shaped) throw new Error(`not a UUID: ${uuid}`);
  let at = offset;
  for (let i = 0; i < 36; i += 2) {
    if (isDash(uuid, i)) i++;
    const high = HEX_DIGITS[uuid.charCodeAt(i)] ?? -1;
    const low = HEX_DIGITS[uuid.charCodeAt(i + 1)] ?? -1;
    if (high < 0 || low < 0) throw new Error(`not a UUID: ${uuid}`);
    target[at++] = (high << 4) | low;
  }
}

/** As two 32-bit halves: the microseconds need 53 bits, more than writeInt32 and less than a BigInt's cost. */
function writeTimestamp(target: Buffer, offset: number, date: Date): void {
  const micros = (date.getTime() - PG_EPOCH_MS) * 1000;
  if (!Number.isFinite(micros)) throw new Error('not a valid date');
  const high = Math.floor(micros / TWO_TO_32);
  target.writeInt32BE(high, offset);
  target.writeUInt32BE(micros - high * TWO_TO_32, offset + 4);
}
