// transform/CsvParse and transform/CsvFormat: CSV text ↔ records, on csv-parse / csv-stringify.
import { ActorflowError, defineActor } from '@actorflow/network';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ERROR_PORT, describeKind, inputError } from './errors.ts';

const DIALECT = {
  delimiter: { type: 'string', minLength: 1, maxLength: 4, default: ',', description: 'Field separator' },
  quote: { type: 'string', minLength: 1, maxLength: 1, default: '"', description: 'Quote character' },
} as const;

export const CsvParse = defineActor({
  name: 'transform/CsvParse',
  description: 'Parses CSV text (or UTF-8 bytes) into records: objects keyed by the header row (`columns: true`), by the given column names, '
    + 'or arrays of fields. Sends all records as one array, or each record as its own packet.',
  category: 'transform',
  icon: 'table',
  inports: { in: { description: 'CSV text or bytes', required: true } },
  outports: { out: { description: 'The records (an array), or one record per packet with `each`' }, error: ERROR_PORT },
  config: {
    type: 'object',
    examples: [{ columns: true, cast: true, each: true }],
    properties: {
      ...DIALECT,
      columns: {
        anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true }],
        default: true,
        description: 'true: the first row names the columns; a list: these names (every row is data); false: records are arrays',
      },
      cast: { type: 'boolean', default: false, description: 'Turn numeric fields into numbers' },
      trim: { type: 'boolean', default: false, description: 'Trim white space around fields' },
      skipEmptyLines: { type: 'boolean', default: true, description: 'Ignore empty lines' },
      relaxColumnCount: { type: 'boolean', default: false, description: 'Accept rows with a different number of fields than the header (otherwise an error)' },
      each: { type: 'boolean', default: false, description: 'Send each record as its own packet' },
    },
  },
  async process(input, ctx) {
    const raw = input.in;
    const text = raw instanceof Uint8Array ? new TextDecoder().decode(raw) : raw;
    if (typeof text !== 'string') throw inputError(ctx.component, 'in', 'CSV text or bytes', raw);
    const c = ctx.config as { delimiter: string; quote: string; columns: boolean | string[]; cast: boolean; trim: boolean; skipEmptyLines: boolean; relaxColumnCount: boolean; each: boolean };
    let records: unknown[];
    try {
      records = parse(text, {
        delimiter: c.delimiter, quote: c.quote, columns: c.columns, cast: c.cast, trim: c.trim, bom: true,
        skip_empty_lines: c.skipEmptyLines, relax_column_count: c.relaxColumnCount,
      }) as unknown[];
    } catch (error) {
      const e = error as Error & { code?: string; lines?: number };
      throw new ActorflowError('INVALID_INPUT', `${ctx.component}: the CSV cannot be parsed${e.lines !== undefined ? ` (line ${e.lines})` : ''}: ${e.message}`,
        e.code?.startsWith('CSV_RECORD_INCONSISTENT') ? 'fix the row, or set relaxColumnCount: true' : 'check the delimiter and quoting of the input', { cause: error });
    }
    if (!c.each) {
      ctx.emit('out', records);
      return;
    }
    for (const record of records) if (!ctx.emit('out', record)) await ctx.drained();
  },
});

export const CsvFormat = defineActor({
  name: 'transform/CsvFormat',
  description: 'Writes records (an array of objects or of arrays, or one record) as CSV text, with a header row for object records.',
  category: 'transform',
  icon: 'file-spreadsheet',
  inports: { in: { description: 'Records: an array of objects/arrays, or a single object/array', required: true } },
  outports: { out: { type: 'string', description: 'The CSV text' }, error: ERROR_PORT },
  config: {
    type: 'object',
    examples: [{ columns: ['id', 'name'], header: true }],
    properties: {
      ...DIALECT,
      columns: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true, description: 'Columns to write, in order (default: the keys of the first object record)' },
      header: { type: 'boolean', default: true, description: 'Write a header row (object records)' },
      eol: { enum: ['\n', '\r\n'], default: '\n', description: 'Line ending' },
      quoted: { type: 'boolean', default: false, description: 'Quote every field (otherwise only where needed)' },
    },
  },
  process(input, ctx) {
    const value = input.in;
    const isRecord = (r: unknown) => typeof r === 'object' && r !== null && !(r instanceof Uint8Array) && !(r instanceof Date);
    // An array holding records is a list of records; an array of plain fields is one row.
    const list = Array.isArray(value) && value.some(isRecord);
    const bad = list ? (value as unknown[]).findIndex((r) => !isRecord(r)) : isRecord(value) ? -1 : 0;
    if (bad >= 0) {
      const got = list ? (value as unknown[])[bad] : value;
      throw inputError(ctx.component, 'in', 'records (objects or arrays)', got, list ? `element ${bad} is ${describeKind(got)}` : '');
    }
    const records = list ? value as unknown[] : [value];
    const c = ctx.config as { delimiter: string; quote: string; columns?: string[]; header: boolean; eol: string; quoted: boolean };
    const objects = records.length > 0 && !Array.isArray(records[0]);
    ctx.emit('out', stringify(records as Record<string, unknown>[], {
      delimiter: c.delimiter, quote: c.quote, record_delimiter: c.eol, quoted: c.quoted,
      header: objects && c.header, ...(c.columns ? { columns: c.columns } : {}),
      cast: { date: (d: Date) => d.toISOString(), object: (o: object) => JSON.stringify(o), boolean: (b: boolean) => String(b) },
    }));
  },
});
