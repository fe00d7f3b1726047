// The databases the data component tests run against: PostgreSQL and MariaDB that
// scripts/services.d/{postgres,mariadb}.sh install and start on 127.0.0.1 (URLs overridable with
// ACTORFLOW_TEST_PG_URL / ACTORFLOW_TEST_MYSQL_URL), and SQLite files in a temp folder.
import { Network, type ComponentRegistry } from '@actorflow/network';
import { graph } from '../helpers.ts';

export interface TestDatabase {
  kind: 'postgres' | 'mysql' | 'sqlite';
  component: string;
  /** Node config that connects to it. */
  config: Record<string, unknown>;
  /** Positional placeholder number n (1-based) in this dialect. */
  positional(n: number): string;
  /** DDL of the suite's table: id (auto), name (unique text), qty (integer), data (bytes). */
  createTable(table: string): string;
  /** The error code a missing table gives. */
  missingTableCode: RegExp;
  /** The error code a unique violation gives. */
  uniqueViolationCode: RegExp;
}

export const PG_URL = process.env.ACTORFLOW_TEST_PG_URL ?? 'postgres://actorflow:actorflow@127.0.0.1:5432/actorflow_test';
export const MYSQL_URL = process.env.ACTORFLOW_TEST_MYSQL_URL ?? 'mysql://actorflow:actorflow@127.0.0.1:3306/actorflow_test';

export const POSTGRES: TestDatabase = {
  kind: 'postgres',
  component: 'data/Postgres',
  config: { connectionString: PG_URL, connectTimeoutMs: 3000 },
  positional: (n) => `$${n}`,
  createTable: (t) => `CREATE TABLE ${t} (id SERIAL PRIMARY KEY, name TEXT UNIQUE NOT NULL, qty INTEGER, data BYTEA)`,
  missingTableCode: /^42P01$/,
  uniqueViolationCode: /^23505$/,
};

export const MYSQL: TestDatabase = {
  kind: 'mysql',
  component: 'data/MySql',
  config: { connectionString: MYSQL_URL, connectTimeoutMs: 3000 },
  positional: () => '?',
  createTable: (t) => `CREATE TABLE ${t} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) UNIQUE NOT NULL, qty INT, data BLOB)`,
  missingTableCode: /^ER_NO_SUCH_TABLE$/,
  uniqueViolationCode: /^ER_DUP_ENTRY$/,
};

export function sqliteDatabase(path: string): TestDatabase {
  return {
    kind: 'sqlite',
    component: 'data/Sqlite',
    config: { path },
    positional: () => '?',
    createTable: (t) => `CREATE TABLE ${t} (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, qty INTEGER, data BLOB)`,
    missingTableCode: /^SQLITE_ERROR$/,
    uniqueViolationCode: /^SQLITE_CONSTRAINT_UNIQUE$/,
  };
}

/**
 * Why the database's tests cannot run here, or undefined when the server answers. Under CI the
 * services scripts must have started it, so the tests run (and fail) instead of skipping.
 */
export async function unavailable(registry: ComponentRegistry, db: TestDatabase): Promise<string | undefined> {
  const net = await Network.create(graph({ nodes: { db: [db.component, db.config] }, inports: { in: 'db.in' } }), { registry });
  const result = await net.run({ input: { in: 'SELECT 1' }, timeoutMs: 10_000 });
  if (result.status === 'completed') return undefined;
  const reason = `${db.kind} is not reachable (${result.errors[0]?.error.message ?? result.status}); run scripts/services.d/${db.kind === 'mysql' ? 'mariadb' : db.kind}.sh`;
  if (process.env.CI) throw new Error(reason);
  return reason;
}
