// SQLite through Node's built-in `node:sqlite`: one database handle per node (a file, or a
// private in-memory database that lives as long as the network runs), prepared statements with
// bound values, transactions, and SQLite's errors made into DbErrors. SQLite runs synchronously
// on the node's thread: give a node with heavy queries its own worker thread (metadata.thread).
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { defineSqlActor, QUERY_IN_DESCRIPTION, queryProperty, type SqlRunConfig } from './sql-actor.ts';
import { DbError, fromDriverRow, type DriverFailure, type SqlDatabase, type SqlResult, type SqlSession } from './sql-database.ts';
import { resolveEnvRefs } from '../integration/checks.ts';

export interface SqliteConnectionConfig {
  path: string;
  readOnly: boolean;
  busyTimeoutMs: number;
}

/** JSON Schema properties of a SQLite database. */
export const SQLITE_PROPERTIES = {
  path: { type: 'string', minLength: 1, description: 'Database file (created if missing, unless readOnly), or ":memory:" for a private in-memory database per node' },
  readOnly: { type: 'boolean', default: false, description: 'Open the file read-only' },
  busyTimeoutMs: { type: 'integer', minimum: 0, maximum: 600_000, default: 5000, description: 'How long a statement waits for a lock another connection holds' },
};

const CACHE_LIMIT = 100;

/** SQLite binds numbers, bigints, strings, bytes and null: dates go as ISO text, objects as JSON text, booleans as 1/0. */
function sqliteValue(value: unknown): null | number | bigint | string | Uint8Array {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' || value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

/** SQLite's primary result codes by number (https://sqlite.org/rescode.html). */
const PRIMARY_CODES = ['OK', 'ERROR', 'INTERNAL', 'PERM', 'ABORT', 'BUSY', 'LOCKED', 'NOMEM', 'READONLY', 'INTERRUPT', 'IOERR', 'CORRUPT', 'NOTFOUND',
  'FULL', 'CANTOPEN', 'PROTOCOL', 'EMPTY', 'SCHEMA', 'TOOBIG', 'CONSTRAINT', 'MISMATCH', 'MISUSE', 'NOLFS', 'AUTH', 'FORMAT', 'RANGE', 'NOTADB'];
/** The constraint kinds of SQLITE_CONSTRAINT's extended codes (19 + 256 * n). */
const CONSTRAINT_KINDS: Record<number, string> = { 3: 'FOREIGNKEY', 5: 'NOTNULL', 6: 'PRIMARYKEY', 8: 'UNIQUE', 1: 'CHECK', 2: 'COMMITHOOK', 7: 'TRIGGER', 9: 'VTAB', 10: 'ROWID' };

/** `SQLITE_CONSTRAINT_UNIQUE` for 2067, `SQLITE_ERROR` for 1, … */
function sqliteCodeName(errcode: number): string {
  const primary = errcode & 0xff;
  const name = `SQLITE_${PRIMARY_CODES[primary] ?? primary}`;
  const kind = primary === 19 ? CONSTRAINT_KINDS[errcode >> 8] : undefined;
  return kind ? `${name}_${kind}` : name;
}

/** Makes sense of what node:sqlite throws. */
export function explainSqlite(error: unknown): DriverFailure {
  const e = error as { errcode?: number; message?: string };
  const message = e.message ?? String(error);
  const dbCode = e.errcode !== undefined ? sqliteCodeName(e.errcode) : undefined;
  const primary = (e.errcode ?? 0) & 0xff;
  // SQLITE_PERM (3), SQLITE_CANTOPEN (14), SQLITE_NOTADB (26): the database itself is the problem.
  if (primary === 3 || primary === 14 || primary === 26) {
    return { code: 'DB_CONNECTION', message, ...(dbCode ? { dbCode } : {}), hint: 'check the path: its folder must exist and be writable, and the file must be an SQLite database' };
  }
  const hint = primary === 5 ? 'another connection holds a lock: raise busyTimeoutMs, or keep transactions short' : 'check the SQL and its parameters';
  return { code: 'DB_QUERY', message, ...(dbCode ? { dbCode } : {}), hint };
}

/** Opens the database file (or memory) at once: a bad path fails the node's setup. */
export function openSqlite(config: SqliteConnectionConfig, env: Readonly<Record<string, string | undefined>>): SqlDatabase {
  const path = resolveEnvRefs(config.path, env, 'path');
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: config.readOnly, timeout: config.busyTimeoutMs, enableForeignKeyConstraints: true });
  } catch (err) {
    const f = explainSqlite(err);
    throw new DbError('DB_CONNECTION', `cannot open SQLite database ${path}: ${f.message}`, f.hint, f.dbCode);
  }
  const cache = new Map<string, StatementSync>();
  const prepare = (text: string) => {
    let statement = cache.get(text);
    if (!statement) {
      statement = db.prepare(text);
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(text, statement);
    }
    return statement;
  };
  const session: SqlSession = {
    query: ({ text, values }) => {
      try {
        const statement = prepare(text);
        const bound = values.map(sqliteValue);
        const columns = statement.columns();
        if (columns.length > 0) {
          const rows = statement.all(...bound).map((r) => fromDriverRow(r as Record<string, unknown>));
          return Promise.resolve({ rows, rowCount: rows.length, fields: columns.map((c) => c.name) } satisfies SqlResult);
        }
        const { changes, lastInsertRowid } = statement.run(...bound);
        const id = typeof lastInsertRowid === 'bigint' ? (lastInsertRowid <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(lastInsertRowid) : String(lastInsertRowid)) : lastInsertRowid;
        return Promise.resolve({ rows: [], rowCount: Number(changes), fields: [], ...(id ? { lastInsertId: id } : {}) } satisfies SqlResult);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
  };
  return {
    dialect: 'sqlite',
    target: `SQLite ${path}`,
    ...session,
    async transaction(work) {
      db.exec(config.readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE');
      try {
        const result = await work(session);
        db.exec('COMMIT');
        return result;
      } catch (err) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw err;
      }
    },
    explain: explainSqlite,
    close: () => {
      cache.clear();
      if (db.isOpen) db.close();
      return Promise.resolve();
    },
  };
}

type SqliteConfig = SqliteConnectionConfig & SqlRunConfig & { query?: string };

export const Sqlite = defineSqlActor<SqliteConfig>({
  name: 'data/Sqlite',
  description: 'Runs SQL on an SQLite database file (or a private in-memory one) with Node\'s built-in node:sqlite. Each message on `in` runs the node\'s '
    + '`query` with the message as its parameters (an object for :name placeholders, an array for ?), or, without a `query`, the statement(s) the message '
    + 'carries. Values are bound, never pasted into the SQL. Several statements run in one transaction. Blobs arrive as bytes; dates are stored as ISO '
    + 'text, objects as JSON text. SQLite runs synchronously: put busy nodes on their own thread (metadata.thread).',
  icon: 'database',
  properties: {
    query: queryProperty('?'),
    ...SQLITE_PROPERTIES,
  },
  clauses: { required: ['path'] },
  open: openSqlite,
  sqlOf: (config) => config.query,
  inDescription: QUERY_IN_DESCRIPTION,
});
