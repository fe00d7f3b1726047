import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertProblem, loadProblems, registryWith, run, runError } from './helpers.ts';
import { MYSQL, POSTGRES, unavailable, type TestDatabase } from './support/databases.ts';

const registry = await registryWith('data');
const dir = mkdtempSync(join(tmpdir(), 'actorflow-sqlscript-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SQLITE = { kind: 'sqlite', config: { path: join(dir, 'script.db') } };

/** A script that makes a table, fills it from the parameters and reads it back. */
const script = (table: string) => `
  CREATE TABLE ${table} (name VARCHAR(40), qty INTEGER);
  INSERT INTO ${table} (name, qty) VALUES (:name, :qty);
  INSERT INTO ${table} (name, qty) VALUES ('fixed; with a semicolon', :qty + 1);
  SELECT name, qty FROM ${table} ORDER BY qty;
  DROP TABLE ${table}`;

async function runScript(database: { kind: string; config: Record<string, unknown> }, config: Record<string, unknown>, parameters: unknown, expect: 'completed' | 'failed' = 'completed') {
  return run(registry, {
    nodes: { script: ['data/SqlScript', { engine: database.kind, ...database.config, ...config }] },
    inports: { in: 'script.in' }, outports: { result: 'script.result' },
  }, { in: parameters }, expect);
}

describe('data/SqlScript (tpl_sql_script, executed)', () => {
  for (const db of [POSTGRES, MYSQL, SQLITE] as (TestDatabase | typeof SQLITE)[]) {
    describe(`on ${db.kind}`, async () => {
      const skip = 'component' in db ? await unavailable(registry, db) : undefined;
      const table = `af_script_${db.kind}_${process.pid}`;

      it('runs every statement in order with the :name parameters bound, and emits the last SELECT\'s rows', { skip }, async () => {
        const result = await runScript(db, { script: `${script(table)};\nSELECT 1 AS done`, output: 'all' }, { name: 'widget', qty: 2 });
        const all = result.results.result[0] as { rows: Record<string, unknown>[] }[];
        assert.equal(all.length, 6);
        assert.deepEqual(all[3].rows, [{ name: 'widget', qty: 2 }, { name: 'fixed; with a semicolon', qty: 3 }]);
      });

      it('rolls the whole script back when a statement fails, naming the statement', { skip }, async () => {
        const failing = `CREATE TABLE ${table}_t (a INTEGER); INSERT INTO ${table}_t VALUES (:a); SELECT * FROM af_missing_${process.pid}`;
        const error = runError(await runScript(db, { script: failing }, { a: 1 }, 'failed'));
        assert.equal(error.code, 'DB_QUERY');
        assert.match(error.message, /statement 3 of 3 failed on .*the transaction was rolled back: SELECT \* FROM af_missing/);
        if (db.kind !== 'mysql') {
          // MySQL commits DDL implicitly; PostgreSQL and SQLite roll back the CREATE TABLE too.
          const check = await runScript(db, { script: `SELECT * FROM ${table}_t` }, null, 'failed');
          assert.match(runError(check).message, /does not exist|no such table/);
        } else {
          await runScript(db, { script: `DROP TABLE ${table}_t` }, null);
        }
      });

      it('reports a missing parameter before running anything', { skip }, async () => {
        const error = runError(await runScript(db, { script: `SELECT :a AS a; SELECT :b AS b` }, { a: 1 }, 'failed'));
        assert.equal(error.code, 'SQL_PARAMS');
        assert.match(error.message, /statement 2 needs :b, which the parameters do not have \(they have: a\)/);
      });
    });
  }

  it('rejects bad config when the graph is loaded', async () => {
    const problems = await loadProblems(registry, {
      nodes: {
        none: ['data/SqlScript', {}],
        oracle: ['data/SqlScript', { engine: 'oracle', script: 'SELECT 1' }],
        lite: ['data/SqlScript', { engine: 'sqlite', script: 'SELECT 1' }],
        pg: ['data/SqlScript', { engine: 'postgres', script: 'SELECT 1', host: 'db' }],
      },
    });
    assertProblem(problems, '$.processes.none.metadata.engine', /config field 'engine' is required but missing/, /one of "postgres", "mysql", "sqlite"/);
    assertProblem(problems, '$.processes.none.metadata.script', /config field 'script' is required but missing/);
    assertProblem(problems, '$.processes.oracle.metadata.engine', /got a string \("oracle"\)/, /"postgres", "mysql", "sqlite"/);
    assertProblem(problems, '$.processes.lite.metadata.path', /config field 'path' is required but missing/);
    assertProblem(problems, '$.processes.pg.metadata.database', /config field 'database' is required but missing/);
  });
});
