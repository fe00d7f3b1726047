// SQL text as the data components need it: split a script into statements and bind `:name`
// parameters safely — each becomes a driver placeholder ($1 for PostgreSQL, ? for MySQL/SQLite)
// with its value passed separately, never pasted into the SQL. The scanner knows each dialect's
// strings, quoted identifiers, comments and (PostgreSQL) dollar quotes and `::` casts, so a `:x`
// or `;` inside them is left alone.
import { describe } from '../integration/checks.ts';
import { ActorflowError } from '@actorflow/network';

export type Dialect = 'postgres' | 'mysql' | 'sqlite';

/** One statement ready for the driver. */
export interface BoundStatement {
  /** The SQL with driver placeholders. */
  text: string;
  values: unknown[];
}

/** Where a scanner found something in code (outside strings and comments). */
type Mark =
  | { kind: 'named'; name: string; start: number; end: number }
  | { kind: 'positional'; start: number; end: number }
  | { kind: 'end'; start: number; end: number };

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

/** Index just after a quoted run starting at `i` (the opening quote); doubled quotes and (optionally) backslashes escape. */
function skipQuoted(sql: string, i: number, quote: string, backslash: boolean): number {
  for (let j = i + 1; j < sql.length; j++) {
    const c = sql[j];
    if (backslash && c === '\\') j++;
    else if (c === quote) {
      if (sql[j + 1] === quote) j++;
      else return j + 1;
    }
  }
  return sql.length;
}

/** Index just after a block comment starting at `i`; PostgreSQL nests them. */
function skipBlockComment(sql: string, i: number, nests: boolean): number {
  let depth = 0;
  for (let j = i; j < sql.length - 1; j++) {
    if (sql[j] === '/' && sql[j + 1] === '*') {
      depth = nests || depth === 0 ? depth + 1 : depth;
      j++;
    } else if (sql[j] === '*' && sql[j + 1] === '/') {
      depth--;
      j++;
      if (depth === 0) return j + 1;
    }
  }
  return sql.length;
}

/** The marks of `sql`: named parameters, native positional placeholders and statement ends. */
function scan(sql: string, dialect: Dialect): Mark[] {
  const marks: Mark[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    const prev = i > 0 ? sql[i - 1] : '';
    if (c === "'") {
      // PostgreSQL E'…' strings and MySQL strings take backslash escapes.
      const escape = dialect === 'mysql' || (dialect === 'postgres' && /[Ee]/.test(prev) && !IDENT.test(sql[i - 2] ?? ''));
      i = skipQuoted(sql, i, "'", escape);
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"', dialect === 'mysql');
    } else if (c === '`' && dialect !== 'postgres') {
      i = skipQuoted(sql, i, '`', false);
    } else if (c === '[' && dialect === 'sqlite') {
      const close = sql.indexOf(']', i + 1);
      i = close < 0 ? sql.length : close + 1;
    } else if (c === '-' && next === '-' && (dialect !== 'mysql' || /[\s]/.test(sql[i + 2] ?? ' '))) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === '#' && dialect === 'mysql') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i, dialect === 'postgres');
    } else if (c === '$' && dialect === 'postgres' && !IDENT.test(prev) && prev !== '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      const number = /^\$\d+/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? sql.length : close + tag[0].length;
      } else if (number) {
        marks.push({ kind: 'positional', start: i, end: i + number[0].length });
        i += number[0].length;
      } else i++;
    } else if (c === '?' && dialect !== 'postgres') {
      const number = /^\?\d*/.exec(sql.slice(i))!;
      marks.push({ kind: 'positional', start: i, end: i + number[0].length });
      i += number[0].length;
    } else if (c === ':' && next !== undefined && IDENT_START.test(next) && prev !== ':' && !IDENT.test(prev)) {
      let j = i + 2;
      while (j < sql.length && IDENT.test(sql[j])) j++;
      marks.push({ kind: 'named', name: sql.slice(i + 1, j), start: i, end: j });
      i = j;
    } else if (c === ';') {
      marks.push({ kind: 'end', start: i, end: i + 1 });
      i++;
    } else if (IDENT.test(c)) {
      // Skip a whole word, so `a:b`-like text inside identifiers (and `E` before quotes) is read in one go.
      let j = i + 1;
      while (j < sql.length && (IDENT.test(sql[j]) || (dialect === 'postgres' && sql[j] === '$'))) j++;
      i = j;
    } else i++;
  }
  return marks;
}

/** A statement of a script: its text and the marks inside it (offsets relative to the text). */
export interface ScriptStatement {
  text: string;
  marks: Mark[];
}

/** True when `text` holds only whitespace and comments. */
function isBlank(text: string, dialect: Dialect): boolean {
  return text.replace(dialect === 'mysql' ? /--\s[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\//g : /--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() === '';
}

/** Splits a script into statements at the `;` that end them (empty statements are dropped). */
export function splitStatements(sql: string, dialect: Dialect): ScriptStatement[] {
  const statements: ScriptStatement[] = [];
  let start = 0;
  let inside: Mark[] = [];
  const close = (end: number) => {
    const raw = sql.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text !== '' && !isBlank(text, dialect)) {
      statements.push({ text, marks: inside.map((m) => ({ ...m, start: m.start - start - lead, end: m.end - start - lead })) });
    }
    inside = [];
  };
  for (const mark of scan(sql, dialect)) {
    if (mark.kind === 'end') {
      close(mark.start);
      start = mark.end;
    } else inside.push(mark);
  }
  close(sql.length);
  return statements;
}

/** The parameters a statement gets: named (an object), positional (an array), or none. */
export type Params = Record<string, unknown> | unknown[] | undefined;

/** A statement's parameters do not fit its placeholders. */
export class SqlParamsError extends ActorflowError {
  override name = 'SqlParamsError';
  constructor(message: string, hint: string) {
    super('SQL_PARAMS', message, hint);
  }
}

/**
 * Binds `params` to a statement: `:name` placeholders take their values from an object (each
 * becomes $n or ?), native placeholders ($1 / ?) take theirs from an array. `where` names the
 * statement in errors ("statement 2").
 */
export function bindStatement(statement: ScriptStatement, params: Params, dialect: Dialect, where: string): BoundStatement {
  const named = statement.marks.filter((m) => m.kind === 'named');
  const positional = statement.marks.filter((m) => m.kind === 'positional');
  const excerpt = statement.text.length > 80 ? `${statement.text.slice(0, 80)}…` : statement.text;
  if (named.length > 0 && positional.length > 0) {
    throw new SqlParamsError(`${where} mixes named (:${named[0].name}) and positional (${statement.text.slice(positional[0].start, positional[0].end)}) placeholders: ${excerpt}`,
      'use one style per statement: :name with an object of parameters, or positional placeholders with an array');
  }
  if (named.length === 0) {
    if (params !== undefined && !Array.isArray(params) && positional.length > 0) {
      throw new SqlParamsError(`${where} has positional placeholders but the parameters are ${describe(params)}: ${excerpt}`,
        'send the values as an array in placeholder order, or write :name placeholders to bind an object');
    }
    return { text: statement.text, values: Array.isArray(params) ? params : [] };
  }
  if (params === undefined || Array.isArray(params)) {
    throw new SqlParamsError(`${where} uses named parameters (${[...new Set(named.map((m) => `:${m.name}`))].join(', ')}) but the parameters are ${params === undefined ? 'missing' : describe(params)}: ${excerpt}`,
      'send an object with a value for each name, e.g. {"id": 7}');
  }
  const missing = [...new Set(named.map((m) => m.name).filter((n) => !Object.hasOwn(params, n)))];
  if (missing.length > 0) {
    const given = Object.keys(params);
    throw new SqlParamsError(`${where} needs ${missing.map((n) => `:${n}`).join(', ')}, which the parameters do not have (they have: ${given.length ? given.join(', ') : 'nothing'}): ${excerpt}`,
      'add the missing names to the parameter object (null for SQL NULL)');
  }
  let text = '';
  let at = 0;
  const values: unknown[] = [];
  const slot = new Map<string, number>();
  for (const mark of named) {
    text += statement.text.slice(at, mark.start);
    at = mark.end;
    const name = (mark as { name: string }).name;
    if (dialect === 'postgres') {
      let n = slot.get(name);
      if (n === undefined) {
        values.push(params[name]);
        slot.set(name, (n = values.length));
      }
      text += `$${n}`;
    } else {
      values.push(params[name]);
      text += '?';
    }
  }
  return { text: text + statement.text.slice(at), values };
}
