import { parse } from 'csv-parse/sync';
import { BadInputError } from '../errors.js';

export interface CsvRow {
  /** 1-based line of the record in the CSV text; the header is line 1. */
  line: number;
  values: Record<string, string>;
}

export interface CsvRowError {
  line: number;
  message: string;
}

export interface ParsedCsv {
  columns: string[];
  rows: CsvRow[];
  errors: CsvRowError[];
}

/**
 * Parses CSV text with a header row (RFC 4180 quoting, BOM, CRLF). Column names are trimmed and
 * lower-cased; rows with the wrong number of fields are reported, not guessed at.
 */
export function parseCsv(text: string, options: { maxBytes: number; what: string }): ParsedCsv {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > options.maxBytes) {
    throw new BadInputError(
      `the ${options.what} CSV is ${formatBytes(bytes)}; the limit is ${formatBytes(options.maxBytes)}: split it into several imports`,
    );
  }
  let records: { record: string[]; raw: string }[];
  try {
    records = parse(text, {
      bom: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    const { message, lines } = error as Error & { lines?: number };
    return { columns: [], rows: [], errors: [{ line: lines ?? 1, message: `not valid CSV: ${message}` }] };
  }
  if (records.length === 0)
    throw new BadInputError(`the ${options.what} CSV is empty: it needs a header row`);
  const columns = records[0].record.map((name) => name.trim().toLowerCase());
  const errors: CsvRowError[] = [];
  const rows: CsvRow[] = [];
  const starts = startLines(records.map((r) => r.raw));
  for (const [index, { record }] of records.entries()) {
    if (index === 0) continue;
    const line = starts[index];
    if (record.length !== columns.length) {
      errors.push({ line, message: `expected ${columns.length} fields, found ${record.length}` });
      continue;
    }
    const values: Record<string, string> = {};
    columns.forEach((column, i) => {
      values[column] = record[i].trim();
    });
    rows.push({ line, values });
  }
  return { columns, rows, errors };
}

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * The line each record starts on, counted from the records' own text: a quoted field may span
 * lines and skipped empty lines come before a record, so neither a row's index nor csv-parse's
 * running line count (which ends where the record ends) says where a row begins.
 */
function startLines(raws: string[]): number[] {
  let line = 1;
  return raws.map((raw) => {
    const blank = /^(?:\r\n|\r|\n)*/.exec(raw)![0];
    const start = line + (blank.match(LINE_BREAK)?.length ?? 0);
    line += raw.match(LINE_BREAK)?.length ?? 0;
    return start;
  });
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
