// What the SQL components need from a database driver (PostgreSQL, MySQL/MariaDB, SQLite), the
// result shape they emit, and the errors they raise: DB_CONNECTION, DB_AUTH, DB_QUERY (with the
// statement, the server's code and, where known, the line and column), SQL_PARAMS.
import { ActorflowError } from '@actorflow/network';
import { bindStatement, splitStatements, type BoundStatement, type Dialect, type Params, type ScriptStatement } from './sql-text.ts';

/** The result of one statement, as components emit it. */
export interface SqlResult {
  /** Rows returned (plain objects keyed by column name; empty for statements that return none). */
  rows: Record<string, unknown>[];
  /** Rows returned, or rows changed by INSERT/UPDATE/DELETE. */
  rowCount: number;
  /** Column names, in order (empty for statements that return no rows). */
  fields: string[];
  /** The id of the row an INSERT created (MySQL insertId, SQLite lastInsertRowid), when the driver reports one. */
  lastInsertId?: number | string;
  /** The statement's command (SELECT, INSERT, …) when the driver reports it. */
  command?: string;
}

/** Runs statements on one connection. */
export interface SqlSession {
  query(statement: BoundStatement): Promise<SqlResult>;
}

/** What a driver makes of an error it threw. */
export interface DriverFailure {
  code: DbErrorCode;
  /** The driver's message, e.g. `relation "nope" does not exist`. */
  message: string;
  hint: string;
  /** SQLSTATE or the driver's code. */
  dbCode?: string;
  /** 1-based character offset of the error in the statement, when the server reports it. */
  position?: number;
}

/** A node's database: a connection pool (or one SQLite handle) opened in setup, closed in teardown. */
export interface SqlDatabase extends SqlSession {
  readonly dialect: Dialect;
  /** Where it connects, for messages (never includes the password). */
  readonly target: string;
  /** Runs `work` inside BEGIN … COMMIT on one connection; ROLLBACK if it throws. */
  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Classifies an error the driver threw. */
  explain(error: unknown): DriverFailure;
  close(): Promise<void>;
}

export type DbErrorCode = 'DB_CONNECTION' | 'DB_AUTH' | 'DB_QUERY';

/** A database failure, with the server's own code (SQLSTATE or driver code) when it gave one. */
export class DbError extends ActorflowError {
  override name = 'DbError';
  declare readonly code: DbErrorCode;
  /** The server's error code (e.g. SQLSTATE 42P01, ER_NO_SUCH_TABLE, SQLITE_ERROR). */
  readonly dbCode?: string;
  constructor(code: DbErrorCode, message: string, hint: string, dbCode?: string) {
    super(code, message, hint);
    if (dbCode !== undefined) this.dbCode = dbCode;
  }
}

/** `line L, column C` of a 1-based character offset into `text`. */
export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset - 1));
  const lines = before.split('\n');
  return `line ${lines.length}, column ${lines[lines.length - 1].length + 1}`;
}

/** Values as drivers take them: bytes as Buffers; other values as they are. */
export function toDriverValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

/** Column values as components emit them: Buffers as plain Uint8Array views (binary stays binary). */
export function fromDriverRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    const v = row[key];
    out[key] = Buffer.isBuffer(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : v;
  }
  return out;
}

/** Statements to run for one message: SQL text (maybe several statements) and their parameters. */
export interface StatementBatch {
  statements: { sql: string; params: Params }[];
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/**
 * Parses and binds every statement of `batch` before running any (so a binding mistake runs
 * nothing), then runs them in order — in one transaction when `transaction` is true. Failures
 * are DbErrors naming the database, the statement and (for SQL errors) the line and column.
 */
export async function runBatch(db: SqlDatabase, batch: StatementBatch, transaction: boolean): Promise<SqlResult[]> {
  const bound: { statement: BoundStatement; source: ScriptStatement }[] = [];
  for (const { sql, params } of batch.statements) {
    for (const source of splitStatements(sql, db.dialect)) {
      bound.push({ statement: bindStatement(source, params, db.dialect, `statement ${bound.length + 1}`), source });
    }
  }
  let current = -1;
  const runAll = async (session: SqlSession) => {
    const results: SqlResult[] = [];
    for (const [i, { statement }] of bound.entries()) {
      current = i;
      results.push(await session.query(statement));
    }
    return results;
  };
  try {
    return transaction && bound.length > 1 ? await db.transaction(runAll) : await runAll(db);
  } catch (err) {
    if (err instanceof ActorflowError) throw err;
    const f = db.explain(err);
    if (f.code !== 'DB_QUERY') {
      throw new DbError(f.code, `cannot ${f.code === 'DB_AUTH' ? 'log in to' : 'connect to'} ${db.target}: ${f.message}`, f.hint, f.dbCode);
    }
    const source = current >= 0 ? bound[current].source : { text: 'BEGIN' };
    const where = current < 0 ? 'starting the transaction' : bound.length > 1 ? `statement ${current + 1} of ${bound.length}` : 'the statement';
    const at = f.position !== undefined ? ` at ${lineColumn(source.text, f.position)}` : '';
    const rolledBack = transaction && bound.length > 1 && current >= 0 ? '; the transaction was rolled back' : '';
    throw new DbError('DB_QUERY', `${where} failed on ${db.target}: ${f.message}${f.dbCode ? ` (${f.dbCode})` : ''}${at}${rolledBack}: ${excerpt(source.text)}`, f.hint, f.dbCode);
  }
}
