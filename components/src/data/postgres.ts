// PostgreSQL through `pg`: a pool per node, parameterised statements ($n), transactions on one
// pooled connection, and the server's errors (SQLSTATE, position, hint) made into DbErrors.
import { createRequire } from 'node:module';
import type pg from 'pg';
import { CONNECTION_REQUIRED, describeConnection, resolveServerConnection, serverConnectionProperties, tlsOptions, type ServerConnectionConfig } from './connection.ts';
import { defineSqlActor, QUERY_IN_DESCRIPTION, queryProperty, type SqlRunConfig } from './sql-actor.ts';
import { fromDriverRow, toDriverValue, type DriverFailure, type SqlDatabase, type SqlResult, type SqlSession } from './sql-database.ts';

/** SQLSTATE classes and codes that mean "could not log in" rather than "the statement failed". */
const AUTH_CODES = new Set(['28000', '28P01']);
const CONNECTION_CLASSES = ['08', '3D', '53', '57P0'];

function toResult(result: pg.QueryResult): SqlResult {
  const rows = result.rows.map(fromDriverRow);
  return {
    rows,
    rowCount: result.rowCount ?? rows.length,
    fields: (result.fields ?? []).map((f) => f.name),
    ...(result.command ? { command: result.command } : {}),
  };
}

function session(client: pg.Pool | pg.PoolClient): SqlSession {
  return {
    query: async ({ text, values }) => toResult(await client.query({ text, values: values.map(toDriverValue) })),
  };
}

/** Makes sense of what pg throws: server errors carry SQLSTATE codes, network errors errno codes. */
export function explainPostgres(error: unknown): DriverFailure {
  const e = error as { code?: string; message?: string; position?: string; hint?: string; detail?: string; errors?: { message: string }[] };
  const message = e.message || e.errors?.map((x) => x.message).join('; ') || String(error);
  const code = e.code;
  if (code && AUTH_CODES.has(code)) {
    return { code: 'DB_AUTH', message, dbCode: code, hint: 'check the user and password (declare the password in env_vars and write ${env.NAME})' };
  }
  if (code && /^[0-9A-Z]{5}$/.test(code) && !CONNECTION_CLASSES.some((c) => code.startsWith(c))) {
    const detail = e.detail ? ` (${e.detail})` : '';
    return { code: 'DB_QUERY', message: `${message}${detail}`, dbCode: code, hint: e.hint ?? 'check the SQL and its parameters', ...(e.position ? { position: Number(e.position) } : {}) };
  }
  const network = code && !/^[0-9A-Z]{5}$/.test(code);
  return {
    code: 'DB_CONNECTION', message: `${message}${network ? ` (${code})` : ''}`, ...(code && !network ? { dbCode: code } : {}),
    hint: code === '3D000' ? 'create the database, or fix the database name' : 'check host, port and database, and that the server is running and reachable',
  };
}

/** Opens a pool; connections are made when the first statement runs. */
export function openPostgres(config: ServerConnectionConfig, env: Readonly<Record<string, string | undefined>>): SqlDatabase {
  const c = resolveServerConnection('postgres', config, env);
  const ssl = tlsOptions(c.ssl);
  // Loaded on first use: registering the component library stays fast.
  const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
  const pool = new Pool({
    host: c.host, port: c.port, database: c.database, user: c.user,
    // A function, so pg never falls back to the server's own PGPASSWORD.
    password: c.password ?? (() => ''),
    ...(ssl ? { ssl } : { ssl: false }),
    max: c.poolSize,
    connectionTimeoutMillis: c.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    ...(c.statementTimeoutMs > 0 ? { statement_timeout: c.statementTimeoutMs } : {}),
    application_name: 'actorflow',
  });
  // An idle connection that breaks (server restart) is dropped by the pool; without a listener
  // the error would crash the process.
  pool.on('error', () => {});
  return {
    dialect: 'postgres',
    target: describeConnection('postgres', c),
    ...session(pool),
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(session(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError; // the connection is unusable: the pool must not reuse it
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    explain: explainPostgres,
    close: () => pool.end(),
  };
}

type PostgresConfig = ServerConnectionConfig & SqlRunConfig & { query?: string };

export const Postgres = defineSqlActor<PostgresConfig>({
  name: 'data/Postgres',
  description: 'Runs SQL on PostgreSQL (pg) with a connection pool per node. Each message on `in` runs the node\'s `query` with the message as its parameters '
    + '(an object for :name placeholders, an array for $1, $2…), or, without a `query`, the statement(s) the message carries. Values are always bound '
    + 'by the server, never pasted into the SQL. Several statements run in one transaction. int8 and numeric values arrive as strings (exact), bytea as bytes.',
  icon: 'database',
  properties: {
    query: queryProperty('$1…'),
    ...serverConnectionProperties('postgres'),
  },
  clauses: CONNECTION_REQUIRED,
  open: openPostgres,
  sqlOf: (config) => config.query,
  inDescription: QUERY_IN_DESCRIPTION,
});
