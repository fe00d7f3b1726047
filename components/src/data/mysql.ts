// MySQL and MariaDB through `mysql2`: a pool per node; statements with parameters are prepared
// and bound by the server (execute), statements without run as they are (query); transactions
// on one pooled connection; driver errors (ER_* codes, SQLSTATE) made into DbErrors.
import { createRequire } from 'node:module';
import type mysql from 'mysql2/promise';
import { CONNECTION_REQUIRED, describeConnection, resolveServerConnection, serverConnectionProperties, tlsOptions, type ServerConnectionConfig } from './connection.ts';
import { defineSqlActor, QUERY_IN_DESCRIPTION, queryProperty, type SqlRunConfig } from './sql-actor.ts';
import { fromDriverRow, toDriverValue, type DriverFailure, type SqlDatabase, type SqlResult, type SqlSession } from './sql-database.ts';

const AUTH_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR']);
const CONNECTION_CODES = new Set(['ER_BAD_DB_ERROR', 'ER_CON_COUNT_ERROR', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ER_HOST_NOT_PRIVILEGED']);

/** MySQL binds no objects: plain objects and arrays go as JSON text. */
function mysqlValue(value: unknown): unknown {
  const v = toDriverValue(value);
  if (typeof v === 'object' && v !== null && !(v instanceof Date) && !Buffer.isBuffer(v)) return JSON.stringify(v);
  return v;
}

type Queryable = Pick<mysql.Pool, 'query' | 'execute'>;

function session(conn: Queryable, timeoutMs: number): SqlSession {
  const timeout = timeoutMs > 0 ? { timeout: timeoutMs } : {};
  return {
    async query({ text, values }) {
      const [rows, fields] = values.length > 0
        ? await conn.execute({ sql: text, ...timeout }, values.map(mysqlValue) as never[])
        : await conn.query({ sql: text, ...timeout });
      if (Array.isArray(rows)) {
        const list = (rows as Record<string, unknown>[]).map(fromDriverRow);
        return { rows: list, rowCount: list.length, fields: (fields ?? []).map((f) => f.name) } satisfies SqlResult;
      }
      const header = rows as mysql.ResultSetHeader;
      return { rows: [], rowCount: header.affectedRows, fields: [], ...(header.insertId ? { lastInsertId: header.insertId } : {}) } satisfies SqlResult;
    },
  };
}

/** Makes sense of what mysql2 throws. */
export function explainMysql(error: unknown): DriverFailure {
  const e = error as { code?: string; sqlState?: string; sqlMessage?: string; message?: string; fatal?: boolean };
  const message = e.sqlMessage ?? e.message ?? String(error);
  const code = e.code;
  if (code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return { code: 'DB_QUERY', message: `${message} (the statement ran longer than statementTimeoutMs)`, dbCode: code, hint: 'raise statementTimeoutMs, or make the statement faster' };
  }
  if (code && AUTH_CODES.has(code)) {
    return { code: 'DB_AUTH', message, dbCode: code, hint: 'check the user, its password and its grants (declare the password in env_vars and write ${env.NAME})' };
  }
  if (code?.startsWith('ER_') && !CONNECTION_CODES.has(code)) {
    return { code: 'DB_QUERY', message, dbCode: code, hint: 'check the SQL and its parameters' };
  }
  return {
    code: 'DB_CONNECTION', message: code && !code.startsWith('ER_') && !message.includes(code) ? `${message} (${code})` : message, ...(code?.startsWith('ER_') ? { dbCode: code } : {}),
    hint: code === 'ER_BAD_DB_ERROR' ? 'create the database, or fix the database name' : 'check host, port and database, and that the server is running and reachable',
  };
}

/** Opens a pool; connections are made when the first statement runs. */
export function openMysql(config: ServerConnectionConfig, env: Readonly<Record<string, string | undefined>>): SqlDatabase {
  const c = resolveServerConnection('mysql', config, env);
  const ssl = tlsOptions(c.ssl);
  // Loaded on first use: registering the component library stays fast.
  const { createPool } = createRequire(import.meta.url)('mysql2/promise') as typeof mysql;
  const pool = createPool({
    host: c.host, port: c.port, database: c.database, user: c.user, password: c.password ?? '',
    ...(ssl ? { ssl } : {}),
    connectionLimit: c.poolSize,
    maxIdle: c.poolSize,
    idleTimeout: 30_000,
    connectTimeout: c.connectTimeoutMs,
    // Exact integers: BIGINTs beyond 2^53 arrive as strings; DECIMALs as strings.
    supportBigNumbers: true,
    bigNumberStrings: false,
    multipleStatements: false,
  });
  return {
    dialect: 'mysql',
    target: describeConnection('mysql', c),
    ...session(pool, c.statementTimeoutMs),
    async transaction(work) {
      const conn = await pool.getConnection();
      let broken = false;
      try {
        await conn.query('START TRANSACTION');
        const result = await work(session(conn, c.statementTimeoutMs));
        await conn.query('COMMIT');
        return result;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        if (broken) conn.destroy();
        else conn.release();
      }
    },
    explain: explainMysql,
    close: () => pool.end(),
  };
}

type MySqlConfig = ServerConnectionConfig & SqlRunConfig & { query?: string };

export const MySql = defineSqlActor<MySqlConfig>({
  name: 'data/MySql',
  description: 'Runs SQL on MySQL or MariaDB (mysql2) with a connection pool per node. Each message on `in` runs the node\'s `query` with the message as its '
    + 'parameters (an object for :name placeholders, an array for ?), or, without a `query`, the statement(s) the message carries. Parameters are bound '
    + 'by the server (prepared statements), never pasted into the SQL. Several statements run in one transaction. BIGINTs beyond 2^53 and DECIMALs arrive '
    + 'as strings (exact), BLOBs as bytes; objects sent as parameters are stored as JSON text.',
  icon: 'database',
  properties: {
    query: queryProperty('?'),
    ...serverConnectionProperties('mysql'),
  },
  clauses: CONNECTION_REQUIRED,
  open: openMysql,
  sqlOf: (config) => config.query,
  inDescription: QUERY_IN_DESCRIPTION,
});
