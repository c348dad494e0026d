import { type CsvRowError, parseCsv } from '../csv/parse-csv.js';
import type { SenderInput } from './sender.input.js';
import { type SenderFields, validateSender } from './sender.validation.js';

const REQUIRED = ['key', 'email', 'app_password'];
const OPTIONAL = [
  'name',
  'smtp_host',
  'smtp_port',
  'smtp_secure',
  'smtp_user',
  'max_per_minute',
  'max_per_day',
];
export const SENDER_CSV_MAX_BYTES = 1024 * 1024;
export const SENDER_CSV_MAX_ROWS = 10_000;

/** Parses and checks a senders CSV; any error means the caller imports nothing. */
/** A valid row and the CSV line it starts on. */
export interface SenderRow {
  line: number;
  fields: SenderFields;
}

export function parseSendersCsv(csv: string): { senders: SenderRow[]; errors: CsvRowError[] } {
  const { columns, rows, errors } = parseCsv(csv, { maxBytes: SENDER_CSV_MAX_BYTES, what: 'senders' });
  if (columns.length === 0) return { senders: [], errors };
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !REQUIRED.includes(c) && !OPTIONAL.includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    const problems = [
      missing.length > 0 ? `missing column(s) ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown column(s) ${unknown.join(', ')}` : '',
    ].filter(Boolean);
    const allowed = `the header is ${REQUIRED.join(',')}[,${OPTIONAL.join(',')}]`;
    return { senders: [], errors: [{ line: 1, message: `${problems.join('; ')}: ${allowed}` }] };
  }
  if (rows.length > SENDER_CSV_MAX_ROWS) {
    return {
      senders: [],
      errors: [{ line: 1, message: `${rows.length} rows; at most ${SENDER_CSV_MAX_ROWS} per import` }],
    };
  }
  const senders: SenderRow[] = [];
  const firstLineOfKey = new Map<string, number>();
  for (const { line, values } of rows) {
    const problems: string[] = [];
    const input: SenderInput = {
      key: values.key,
      email: values.email,
      password: values.app_password,
      name: values.name,
      smtpHost: values.smtp_host,
      smtpUser: values.smtp_user,
      smtpPort: parseOptionalPort(values.smtp_port, problems),
      maxPerMinute: parseOptionalLimit('max_per_minute', values.max_per_minute, problems),
      maxPerDay: parseOptionalLimit('max_per_day', values.max_per_day, problems),
      smtpSecure: parseOptionalBoolean(values.smtp_secure, problems),
    };
    const result = validateSender(input);
    if ('problems' in result) problems.push(...result.problems);
    const firstLine = firstLineOfKey.get(input.key.trim());
    if (firstLine !== undefined)
      problems.push(`duplicate key "${input.key.trim()}" (first on line ${firstLine})`);
    else firstLineOfKey.set(input.key.trim(), line);
    if (problems.length > 0) errors.push({ line, message: problems.join('; ') });
    else if ('fields' in result) senders.push({ line, fields: result.fields });
  }
  errors.sort((a, b) => a.line - b.line);
  return { senders, errors };
}

function parseOptionalPort(value: string | undefined, problems: string[]): number | null {
  if (!value) return null;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    problems.push(`smtp_port "${value}" is out of range (1-65535)`);
    return null;
  }
  return Number(value);
}

function parseOptionalLimit(name: string, value: string | undefined, problems: string[]): number | null {
  if (!value) return null;
  if (!/^\d{1,8}$/.test(value) || Number(value) < 1) {
    problems.push(`${name} "${value}" must be a whole number from 1 to 10000000`);
    return null;
  }
  return Number(value);
}

function parseOptionalBoolean(value: string | undefined, problems: string[]): boolean | null {
  if (!value) return null;
  const lower = value.toLowerCase();
  if (['true', '1', 'yes'].includes(lower)) return true;
  if (['false', '0', 'no'].includes(lower)) return false;
  problems.push(`smtp_secure "${value}" must be true or false`);
  return null;
}
