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
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
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
  for (const { record, info } of records.slice(1)) {
    if (record.length !== columns.length) {
      errors.push({ line: info.lines, message: `expected ${columns.length} fields, found ${record.length}` });
      continue;
    }
    const values: Record<string, string> = {};
    columns.forEach((column, index) => {
      values[column] = record[index].trim();
    });
    rows.push({ line: info.lines, values });
  }
  return { columns, rows, errors };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
