import { type CsvRowError, parseCsv } from '../csv/parse-csv.js';
import { normalizeAddress } from '../mail/address.js';
import type { RecipientInput } from './campaign.input.js';

export interface RecipientRow {
  /** CSV line (header = 1), or position in an addRecipients list (from 1). */
  line: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, string>;
}

export const RECIPIENT_CSV_MAX_BYTES = 25 * 1024 * 1024;
const MAX_FIELD = 1_000;

/** Header `email` plus optional `first_name,last_name`; every other column is an attribute for templates. */
export function parseRecipientsCsv(csv: string): { rows: RecipientRow[]; errors: CsvRowError[] } {
  const { columns, rows, errors } = parseCsv(csv, { maxBytes: RECIPIENT_CSV_MAX_BYTES, what: 'recipients' });
  if (columns.length === 0) return { rows: [], errors };
  if (!columns.includes('email')) {
    return {
      rows: [],
      errors: [{ line: 1, message: 'the header needs an "email" column: email[,first_name,last_name,...]' }],
    };
  }
  const duplicateColumn = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicateColumn)
    return { rows: [], errors: [{ line: 1, message: `column "${duplicateColumn}" appears twice` }] };
  const recipients: RecipientRow[] = [];
  for (const { line, values } of rows) {
    const { email, first_name, last_name, ...attributes } = values;
    const checked = checkRecipient(line, email, first_name, last_name, attributes);
    if ('message' in checked) errors.push(checked);
    else recipients.push(checked);
  }
  errors.sort((a, b) => a.line - b.line);
  return { rows: recipients, errors };
}

export function recipientsFromInputs(inputs: readonly RecipientInput[]): {
  rows: RecipientRow[];
  errors: CsvRowError[];
} {
  const rows: RecipientRow[] = [];
  const errors: CsvRowError[] = [];
  inputs.forEach((input, index) => {
    const checked = checkRecipient(index + 1, input.email, input.firstName, input.lastName, {});
    if ('message' in checked) errors.push(checked);
    else rows.push(checked);
  });
  return { rows, errors };
}

function checkRecipient(
  line: number,
  rawEmail: string | undefined,
  firstName: string | null | undefined,
  lastName: string | null | undefined,
  attributes: Record<string, string>,
): RecipientRow | CsvRowError {
  const email = normalizeAddress(rawEmail ?? '');
  if (!email)
    return {
      line,
      message: rawEmail?.trim() ? `"${rawEmail.trim()}" is not a valid email address` : 'email is missing',
    };
  const long = [firstName, lastName, ...Object.values(attributes)].some((v) => (v?.length ?? 0) > MAX_FIELD);
  if (long) return { line, message: `a field is longer than ${MAX_FIELD} characters` };
  return {
    line,
    email,
    firstName: firstName?.trim() || null,
    lastName: lastName?.trim() || null,
    attributes,
  };
}
