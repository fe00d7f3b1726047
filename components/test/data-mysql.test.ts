import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertProblem, loadProblems, registryWith } from './helpers.ts';
import { MYSQL, unavailable } from './support/databases.ts';
import { sqlComponentSuite, sqlRunner } from './support/sql-suite.ts';

const registry = await registryWith('data');
sqlComponentSuite(registry, MYSQL);

describe('data/MySql', async () => {
  const skip = await unavailable(registry, MYSQL);
  const sql = sqlRunner(registry, MYSQL);
  const url = new URL(MYSQL.config.connectionString as string);
  const server = { host: url.hostname, port: Number(url.port || 3306), database: url.pathname.slice(1), user: decodeURIComponent(url.username) };

  it('splits scripts around # comments and backslash-escaped strings', { skip }, async () => {
    const [results] = await sql.results({ output: 'all', query: "SELECT 'a\\';b' AS s; # a comment; with :colon\nSELECT :n + 1 AS n" }, { n: 1 });
    assert.deepEqual(results.map((r: { rows: unknown[] }) => r.rows), [[{ s: "a';b" }], [{ n: 2 }]]);
  });

  it('stores objects sent as parameters as JSON text', { skip }, async () => {
    const [row] = await sql.results({ query: 'SELECT CAST(:doc AS CHAR) AS doc', output: 'first' }, { doc: { tags: ['a'], n: 1 } });
    assert.deepEqual(JSON.parse(row.doc), { tags: ['a'], n: 1 });
  });

  it('fails a statement that runs longer than statementTimeoutMs', { skip }, async () => {
    const error = await sql.failure({ statementTimeoutMs: 100 }, 'SELECT SLEEP(2)');
    assert.equal(error.code, 'DB_QUERY');
    assert.match(error.message, /ran longer than statementTimeoutMs/);
  });

  it('fails with DB_AUTH, naming the server and user, on a wrong password', { skip }, async () => {
    const error = await sql.failure({ connectionString: undefined, ...server, password: 'wrong' }, 'SELECT 1');
    assert.equal(error.code, 'DB_AUTH');
    assert.match(error.message, new RegExp(`cannot log in to MySQL/MariaDB ${server.user}@${server.host}:${server.port}/${server.database}: Access denied for user`));
  });

  it('fails with DB_CONNECTION when nothing listens on the port', async () => {
    const error = await sql.failure({ connectionString: undefined, host: '127.0.0.1', port: 1, database: 'x', user: 'x' }, 'SELECT 1');
    assert.equal(error.code, 'DB_CONNECTION');
    assert.match(error.message, /cannot connect to MySQL\/MariaDB x@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
  });

  it('rejects bad connection config when the graph is loaded', async () => {
    const problems = await loadProblems(registry, { nodes: { a: ['data/MySql', { database: 'app', poolSize: 0 }], b: ['data/MySql', { connectionString: 'postgres://x@y/z' }] } });
    assertProblem(problems, '$.processes.a.metadata.user', /config field 'user' is required but missing/);
    assertProblem(problems, '$.processes.a.metadata.poolSize', /must be >= 1, got a number \(0\)/);
    assertProblem(problems, '$.processes.b.metadata.connectionString', /must match pattern "\^\(mysql\|mariadb\):\/\/"/);
  });
});
