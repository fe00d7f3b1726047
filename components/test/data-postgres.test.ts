import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Network } from '@actorflow/network';
import { assertProblem, graph, loadProblems, registryWith } from './helpers.ts';
import { POSTGRES, unavailable } from './support/databases.ts';
import { sqlComponentSuite, sqlRunner } from './support/sql-suite.ts';

const registry = await registryWith('data');
sqlComponentSuite(registry, POSTGRES);

describe('data/Postgres', async () => {
  const skip = await unavailable(registry, POSTGRES);
  const sql = sqlRunner(registry, POSTGRES);
  const url = new URL(POSTGRES.config.connectionString as string);
  const server = { host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1), user: decodeURIComponent(url.username) };
  const password = decodeURIComponent(url.password);

  it('points at the line and column of a syntax error', { skip }, async () => {
    const error = await sql.failure({}, 'SELECT 1,\n  2 FROM\n  WHERE x');
    assert.equal(error.code, 'DB_QUERY');
    assert.match(error.message, /syntax error at or near "WHERE" \(42601\) at line 3, column 3: SELECT 1, 2 FROM WHERE x/);
  });

  it('binds :name next to :: casts and reuses one placeholder per name', { skip }, async () => {
    assert.deepEqual(await sql.results({ query: 'SELECT :v::int + 1 AS n, :v::text AS t', output: 'first' }, { v: '41' }), [{ n: 42, t: '41' }]);
  });

  it('runs a script with a dollar-quoted function body whose ; and :words are not split or bound', { skip }, async () => {
    const fn = `af_twice_${process.pid}`;
    const [results] = await sql.results({ output: 'all', query: `
      CREATE OR REPLACE FUNCTION ${fn}(x int) RETURNS text AS $$
      BEGIN
        RETURN 'twice:' || (x * 2)::text; -- a comment with :colon; and a semicolon
      END
      $$ LANGUAGE plpgsql;
      SELECT ${fn}(:n) AS out;
      DROP FUNCTION ${fn}(int)` }, { n: 21 });
    assert.equal(results.length, 3);
    assert.deepEqual(results[1].rows, [{ out: 'twice:42' }]);
  });

  it('fails a statement that runs longer than statementTimeoutMs (the server cancels it)', { skip }, async () => {
    const error = await sql.failure({ statementTimeoutMs: 100 }, 'SELECT pg_sleep(2)');
    assert.equal(error.code, 'DB_QUERY');
    assert.match(error.message, /canceling statement due to statement timeout \(57014\)/);
  });

  it('takes the password from an env var the node declares, never from the server environment', { skip }, async () => {
    const g = graph({ nodes: { db: ['data/Postgres', { ...server, password: '${env.AF_PG_PASSWORD}', env_vars: { AF_PG_PASSWORD: 'required' }, query: 'SELECT current_user AS who', output: 'first' }] },
      inports: { in: 'db.in' }, outports: { result: 'db.result' } });
    const result = await (await Network.create(g, { registry, env: { AF_PG_PASSWORD: password } })).run({ input: { in: null } });
    assert.equal(result.status, 'completed', JSON.stringify(result.errors));
    assert.deepEqual(result.results.result, [{ who: server.user }]);
  });

  it('fails with DB_AUTH, naming the server and user, on a wrong password', { skip }, async () => {
    const error = await sql.failure({ connectionString: undefined, ...server, password: 'wrong' }, 'SELECT 1');
    assert.equal(error.code, 'DB_AUTH');
    assert.match(error.message, new RegExp(`cannot log in to PostgreSQL ${server.user}@${server.host}:${server.port}/${server.database}: password authentication failed`));
    assert.doesNotMatch(error.message, /wrong/, 'the password is never shown');
  });

  it('fails with DB_CONNECTION on a database that does not exist', { skip }, async () => {
    const error = await sql.failure({ connectionString: undefined, ...server, password, database: 'af_no_such_db' }, 'SELECT 1');
    assert.equal(error.code, 'DB_CONNECTION');
    assert.match(error.message, /database "af_no_such_db" does not exist/);
    assert.match(error.message, /create the database, or fix the database name/);
  });

  it('fails with DB_CONNECTION when nothing listens on the port', async () => {
    const error = await sql.failure({ connectionString: undefined, host: '127.0.0.1', port: 1, database: 'x', user: 'x' }, 'SELECT 1');
    assert.equal(error.code, 'DB_CONNECTION');
    assert.match(error.message, /cannot connect to PostgreSQL x@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
    assert.match(error.message, /check host, port and database/);
  });

  it('rejects bad connection config when the graph is loaded', async () => {
    const problems = await loadProblems(registry, { nodes: { a: ['data/Postgres', { host: 'db', port: 70000 }], b: ['data/Postgres', { connectionString: 'mysql://x@y/z', ssl: 'maybe' }] } });
    assertProblem(problems, '$.processes.a.metadata.database', /config field 'database' is required but missing/, /add 'database' \(required: database, user\)/);
    assertProblem(problems, '$.processes.a.metadata.user', /config field 'user' is required but missing/);
    assertProblem(problems, '$.processes.a.metadata.port', /must be <= 65535, got a number \(70000\)/);
    assertProblem(problems, '$.processes.b.metadata.connectionString', /must match pattern "\^\(postgres\|postgresql\):\/\/"/);
    assertProblem(problems, '$.processes.b.metadata.ssl', /got a string \("maybe"\)/, /"disable", "require", "verify-full"/);
  });
});
