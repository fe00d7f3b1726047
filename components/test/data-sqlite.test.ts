import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Network } from '@actorflow/network';
import { assertProblem, graph, loadProblems, registryWith } from './helpers.ts';
import { sqliteDatabase } from './support/databases.ts';
import { assertCompleteMetadata } from './support/metadata.ts';
import { sqlComponentSuite, sqlRunner } from './support/sql-suite.ts';

const registry = await registryWith('data');
const dir = mkdtempSync(join(tmpdir(), 'actorflow-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const db = sqliteDatabase(join(dir, 'suite.db'));
sqlComponentSuite(registry, db);

describe('data/Sqlite', () => {
  const sql = sqlRunner(registry, db);

  it('gives each node a private in-memory database for the life of the network', async () => {
    const results = await sql.results({ path: ':memory:', output: 'rows' },
      'CREATE TABLE notes (body TEXT)', { sql: 'INSERT INTO notes VALUES (:body)', params: { body: 'kept' } }, 'SELECT body FROM notes');
    assert.deepEqual(results.at(-1), [{ body: 'kept' }]);
    const error = await sql.failure({ path: ':memory:' }, 'SELECT body FROM notes');
    assert.match(error.message, /no such table: notes/, 'a new network starts empty');
  });

  it('stores dates as ISO text, objects as JSON text and booleans as 1/0', async () => {
    const [row] = await sql.results({ path: ':memory:', output: 'first' }, [
      'CREATE TABLE v (d TEXT, o TEXT, b INTEGER)',
      { sql: 'INSERT INTO v VALUES (:d, :o, :b)', params: { d: new Date('2026-01-02T03:04:05Z'), o: { k: [1] }, b: true } },
      'SELECT * FROM v',
    ]);
    assert.deepEqual(row, { d: '2026-01-02T03:04:05.000Z', o: '{"k":[1]}', b: 1 });
  });

  it('resolves ${env.NAME} in the path from the env_vars the node declares', async () => {
    const g = graph({ nodes: { db: ['data/Sqlite', { path: '${env.DB_DIR}/env.db', env_vars: { DB_DIR: 'required' }, output: 'first' }] }, inports: { in: 'db.in' }, outports: { result: 'db.result' } });
    const result = await (await Network.create(g, { registry, env: { DB_DIR: dir } })).run({ input: { in: "SELECT 'ok' AS status" } });
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results.result, [{ status: 'ok' }]);
  });

  it('fails at start with DB_CONNECTION when the file cannot be opened', async () => {
    const error = await sql.failure({ path: join(dir, 'missing-folder', 'x.db') }, 'SELECT 1');
    assert.equal(error.code, 'DB_CONNECTION');
    assert.match(error.message, /cannot open SQLite database .*missing-folder\/x\.db: unable to open database file/);
    assert.match(error.message, /its folder must exist/);
  });

  it('refuses writes to a database opened readOnly', async () => {
    await sql.results({ path: join(dir, 'ro.db') }, 'CREATE TABLE IF NOT EXISTS r (a INTEGER)');
    const error = await sql.failure({ path: join(dir, 'ro.db'), readOnly: true }, 'INSERT INTO r VALUES (1)');
    assert.equal(error.code, 'DB_QUERY');
    assert.match(error.message, /attempt to write a readonly database/);
  });

  it('reports SQL syntax errors with the statement', async () => {
    const error = await sql.failure({ path: ':memory:' }, 'SELEC 1');
    assert.equal(error.code, 'DB_QUERY');
    assert.match(error.message, /the statement failed on SQLite :memory:: near "SELEC": syntax error \(SQLITE_ERROR\): SELEC 1/);
  });

  it('runs on a worker thread (metadata.thread), bytes staying bytes across the boundary', async () => {
    const results = await sql.results({ path: ':memory:', thread: 'sqlite', output: 'first' }, 'CREATE TABLE b (data BLOB)',
      { sql: 'INSERT INTO b VALUES (:data)', params: { data: new Uint8Array([7, 8, 9]) } }, 'SELECT data FROM b');
    const row = results.at(-1) as { data: Uint8Array };
    assert.ok(row.data instanceof Uint8Array);
    assert.deepEqual([...row.data], [7, 8, 9]);
  });

  it('rejects a node without a path when the graph is loaded', async () => {
    const problems = await loadProblems(registry, { nodes: { db: ['data/Sqlite', { busyTimeoutMs: -1 }] } });
    assertProblem(problems, '$.processes.db.metadata.path', /config field 'path' is required but missing/, /add 'path': a string/);
    assertProblem(problems, '$.processes.db.metadata.busyTimeoutMs', /must be >= 0, got a number \(-1\)/);
  });
});

describe('data components', () => {
  it('declare complete metadata: descriptions, icons, described ports and config', () => assertCompleteMetadata(registry, 'data'));
});

describe('examples/components-data.json (order book on SQLite)', () => {
  const example = JSON.parse(readFileSync(new URL('../../examples/components-data.json', import.meta.url), 'utf8')) as unknown;

  it("records each order and returns the customer's totals; a bad order is refused by the table's constraint", async () => {
    const net = await Network.create(example, { registry });
    const totals: unknown[] = [];
    net.onOutput((port, value) => void (port === 'totals' && totals.push(value)));
    await net.start();
    for (const order of [{ customer: 'ada', item: 'tea', qty: 2 }, { customer: 'bob', item: 'tea', qty: 1 }, { customer: 'ada', item: 'tea', qty: 3 }, { customer: 'ada', item: 'jam', qty: 1 }]) {
      net.send('order', order);
    }
    await net.whenIdle();
    assert.deepEqual(totals.at(-1), [{ item: 'jam', total: 1 }, { item: 'tea', total: 5 }]);
    assert.equal(totals.length, 4);
    net.send('order', { customer: 'ada', item: 'tea', qty: 0 });
    await net.whenIdle();
    const [error] = net.errors();
    assert.equal(error.error.code, 'DB_QUERY');
    assert.match(error.error.message, /CHECK constraint failed/);
    await net.stop();
  });
});
