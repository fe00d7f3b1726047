import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ComponentRegistry, Network, registerCoreComponents } from '@actorflow/network';
import { registerComponents, zealTemplateAliases } from '../src/index.ts';
import { graph, run, runError } from './helpers.ts';
import { MYSQL, MYSQL_URL, PG_URL, POSTGRES, unavailable } from './support/databases.ts';

let registry: ComponentRegistry;
const skip: Record<string, string | undefined> = {};
before(async () => {
  registry = new ComponentRegistry();
  await registerCoreComponents(registry);
  await registerComponents(registry);
  skip.postgres = await unavailable(registry, POSTGRES);
  skip.mysql = await unavailable(registry, MYSQL);
});

/** A connection node's property values for a test database URL. */
function connection(url: string): Record<string, unknown> {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** The Zeal workflow shape: a connection node's pool-out into a SQL Script node's pool-in; parameters sent right away. */
async function query(templateId: string, url: string, sql: string, params: Record<string, unknown>) {
  const net = await Network.create(graph({
    nodes: { db: [zealTemplateAliases[templateId], connection(url)], sql: [zealTemplateAliases.tpl_sql_script, { query: sql, output: 'first' }] },
    edges: ['db.pool-out -> sql.pool_in'],
    inports: { params: 'sql.params_in' },
    outports: { result: 'sql.result_out', status: 'db.status-out' },
  }), { registry });
  return net.run({ input: { params }, timeoutMs: 15_000 });
}

describe('database connection templates (tpl_postgresql, tpl_mysql) with tpl_sql_script', () => {
  it('tpl_postgresql hands its pool to tpl_sql_script, whose parameters wait for it', { skip: skip.postgres }, async (t) => {
    if (skip.postgres) return t.skip(skip.postgres);
    const result = await query('tpl_postgresql', PG_URL, 'SELECT CAST(:n AS INTEGER) + 1 AS v', { n: 41 });
    assert.equal(result.status, 'completed', JSON.stringify(result.errors));
    assert.deepEqual(result.results.result, [{ v: 42 }]);
    const [status] = result.results.status as { status: string; engine: string; pool: string }[];
    assert.equal(status.status, 'connected');
    assert.match(status.pool, /^pg_pool_/);
  });

  it('tpl_mysql does the same on MariaDB', { skip: skip.mysql }, async (t) => {
    if (skip.mysql) return t.skip(skip.mysql);
    const result = await query('tpl_mysql', MYSQL_URL, 'SELECT :n + 1 AS v', { n: 41 });
    assert.equal(result.status, 'completed', JSON.stringify(result.errors));
    assert.deepEqual(result.results.result, [{ v: 42 }]);
  });

  it('a connection node whose database does not answer fails the run, naming the server', async () => {
    const result = await run(registry, { nodes: { db: ['zeal/PostgreSQL', { host: '127.0.0.1', port: 1, database: 'x', user: 'u', password: 'p', connectionTimeout: 2000 }] } }, {}, 'failed');
    assert.match(runError(result).message, /PostgreSQL at .*127\.0\.0\.1:1.* did not answer/);
  });

  it('a pool id nobody published is refused with what to connect', async () => {
    const result = await run(registry, { nodes: { sql: ['zeal/SqlScript', { query: 'SELECT 1' }] }, inports: { pool: 'sql.pool_in', params: 'sql.params_in' } }, { pool: 'pg_pool_nope' }, 'failed');
    assert.match(runError(result).message, /"pg_pool_nope" is not a pool id published by a tpl_postgresql \/ tpl_mysql node/);
  });
});
