// The behaviour every SQL component shows, whatever the database: one suite, run by the
// PostgreSQL, MySQL/MariaDB and SQLite test files against real databases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ComponentRegistry, RunResult } from '@actorflow/network';
import { assertProblem, loadProblems, run, runError, type GraphSpec } from '../helpers.ts';
import { unavailable, type TestDatabase } from './databases.ts';

/** Runs the node `db` (the database's component with `config` over its connection) on the messages given. */
export function sqlRunner(registry: ComponentRegistry, db: TestDatabase) {
  const spec = (config: Record<string, unknown>, messages: unknown[], withError = false): GraphSpec => ({
    nodes: { db: [db.component, { ...db.config, ...config }] },
    iips: messages.map((m) => [m, 'db.in']),
    outports: withError ? { result: 'db.result', error: 'db.error' } : { result: 'db.result' },
  });
  return {
    /** The values emitted on `result`, in order. */
    async results(config: Record<string, unknown>, ...messages: unknown[]): Promise<any[]> {
      return (await run(registry, spec(config, messages))).results.result;
    },
    /** The error of a run that fails. */
    async failure(config: Record<string, unknown>, ...messages: unknown[]): Promise<{ message: string; code?: string }> {
      return runError(await run(registry, spec(config, messages), {}, 'failed'));
    },
    /** A run whose failures go to the `error` port. */
    async withErrorPort(config: Record<string, unknown>, ...messages: unknown[]): Promise<RunResult> {
      return run(registry, spec(config, messages, true));
    },
  };
}

/** The database's own error code, as DB_QUERY messages quote it: `failed on <db>: <message> (<code>)`. */
function dbCodeOf(message: string): string {
  return /\(([A-Z0-9_]+)\)/.exec(message.split(' failed on ')[1] ?? '')?.[1] ?? '';
}

export function sqlComponentSuite(registry: ComponentRegistry, db: TestDatabase): void {
  const table = `af_items_${db.kind}_${process.pid}`;
  const sql = sqlRunner(registry, db);
  const p = db.positional;

  describe(`${db.component} (shared SQL behaviour)`, async () => {
    const skip = await unavailable(registry, db);
    before(async () => {
      if (skip) return;
      await sql.results({}, `DROP TABLE IF EXISTS ${table}`, db.createTable(table));
    });
    after(async () => {
      if (!skip) await sql.results({}, `DROP TABLE IF EXISTS ${table}`);
    });
    it('runs the node\'s query with named parameters from each message, bound by the database', { skip }, async () => {
      await sql.results({ query: `INSERT INTO ${table} (name, qty) VALUES (:name, :qty)` }, { name: 'apple', qty: 3 }, { name: 'pear', qty: 5 }, { name: 'fig', qty: 0 });
      const [rows] = await sql.results({ query: `SELECT name, qty FROM ${table} WHERE qty >= :min ORDER BY qty`, output: 'rows' }, { min: 1 });
      assert.deepEqual(rows, [{ name: 'apple', qty: 3 }, { name: 'pear', qty: 5 }]);
    });

    it('binds positional parameters from an array', { skip }, async () => {
      const [first] = await sql.results({ query: `SELECT name FROM ${table} WHERE qty = ${p(1)} AND name <> ${p(2)}`, output: 'first' }, [5, 'apple']);
      assert.deepEqual(first, { name: 'pear' });
    });

    it('never pastes values into the SQL: quotes, semicolons and comments are stored as they are', { skip }, async () => {
      const evil = `x'); DROP TABLE ${table}; -- :qty`;
      await sql.results({ query: `INSERT INTO ${table} (name, qty) VALUES (:name, 1)` }, { name: evil });
      const [row] = await sql.results({ query: `SELECT name FROM ${table} WHERE name = :name`, output: 'first' }, { name: evil });
      assert.deepEqual(row, { name: evil });
      await sql.results({ query: `DELETE FROM ${table} WHERE name = :name` }, { name: evil });
    });

    it('runs the statements a message carries when the node has no query: text, {sql, params} or a list', { skip }, async () => {
      const [text, object, list] = await sql.results({ output: 'all' },
        `SELECT COUNT(*) AS n FROM ${table}`,
        { sql: `SELECT name FROM ${table} WHERE name = :name`, params: { name: 'fig' } },
        [{ sql: `UPDATE ${table} SET qty = :qty WHERE name = :name`, params: { qty: 9, name: 'fig' } }, `SELECT qty FROM ${table} WHERE name = 'fig'`]);
      assert.equal(Number(text[0].rows[0].n), 3);
      assert.deepEqual(object[0].rows, [{ name: 'fig' }]);
      assert.equal(list.length, 2);
      assert.equal(list[0].rowCount, 1);
      assert.deepEqual(list[1].rows, [{ qty: 9 }]);
    });

    it('shapes the output: result, rows, first, each', { skip }, async () => {
      const query = `SELECT name FROM ${table} WHERE qty > :min ORDER BY name`;
      const [result] = await sql.results({ query }, { min: 2 });
      assert.deepEqual(result.rows, [{ name: 'apple' }, { name: 'fig' }, { name: 'pear' }]);
      assert.equal(result.rowCount, 3);
      assert.deepEqual(result.fields, ['name']);
      assert.deepEqual(await sql.results({ query, output: 'each' }, { min: 4 }), [{ name: 'fig' }, { name: 'pear' }]);
      assert.deepEqual(await sql.results({ query, output: 'first' }, { min: 100 }), [null]);
      assert.deepEqual(await sql.results({ query, output: 'rows' }, { min: 100 }), [[]]);
    });

    it('reports rows changed and the id an INSERT created', { skip }, async () => {
      const [insert] = await sql.results({ query: `INSERT INTO ${table} (name, qty) VALUES (:name, 1)` }, { name: 'kiwi' });
      assert.equal(insert.rowCount, 1);
      if (db.kind !== 'postgres') assert.ok(Number(insert.lastInsertId) > 0, 'lastInsertId');
      const [update] = await sql.results({ query: `UPDATE ${table} SET qty = qty + 1 WHERE qty >= :min` }, { min: 1 });
      assert.equal(update.rowCount, 4);
    });

    it('keeps binary values binary (Uint8Array in, Uint8Array out)', { skip }, async () => {
      const bytes = new Uint8Array([0, 1, 2, 250, 255, 0]);
      await sql.results({ query: `INSERT INTO ${table} (name, data) VALUES (:name, :data)` }, { name: 'blob', data: bytes });
      const [row] = await sql.results({ query: `SELECT data FROM ${table} WHERE name = :name`, output: 'first' }, { name: 'blob' });
      assert.ok(row.data instanceof Uint8Array && !Buffer.isBuffer(row.data), 'a plain Uint8Array');
      assert.deepEqual([...row.data], [...bytes]);
    });

    it('runs the statements of one message in one transaction, rolling all back when one fails', { skip }, async () => {
      const error = await sql.failure({}, [
        { sql: `INSERT INTO ${table} (name, qty) VALUES (:name, 1)`, params: { name: 'plum' } },
        { sql: `INSERT INTO ${table} (name, qty) VALUES (:name, 1)`, params: { name: 'apple' } },
      ]);
      assert.equal(error.code, 'DB_QUERY');
      assert.match(error.message, /statement 2 of 2 failed on .*; the transaction was rolled back: INSERT INTO/);
      const [rows] = await sql.results({ query: `SELECT name FROM ${table} WHERE name = :name`, output: 'rows' }, { name: 'plum' });
      assert.deepEqual(rows, [], 'the first insert was rolled back');
    });

    it('without a transaction, statements before a failure stay', { skip }, async () => {
      await sql.failure({ transaction: false }, [`INSERT INTO ${table} (name, qty) VALUES ('cherry', 1)`, `INSERT INTO ${table} (name, qty) VALUES ('apple', 1)`]);
      const [rows] = await sql.results({ query: `SELECT name FROM ${table} WHERE name = 'cherry'`, output: 'rows' }, null);
      assert.deepEqual(rows, [{ name: 'cherry' }]);
    });

    it('reports SQL errors with the database\'s code and the statement', { skip }, async () => {
      const error = await sql.failure({}, 'SELECT * FROM af_no_such_table');
      assert.equal(error.code, 'DB_QUERY');
      assert.match(error.message, /the statement failed on .*af_no_such_table.*: SELECT \* FROM af_no_such_table/);
      assert.match(dbCodeOf(error.message), db.missingTableCode, error.message);
      const result = await sql.withErrorPort({}, 'SELECT * FROM af_no_such_table');
      const [routed] = result.results.error as Record<string, any>[];
      assert.equal(routed.code, 'DB_QUERY');
      assert.deepEqual(routed.input, { in: 'SELECT * FROM af_no_such_table' });
    });

    it('names the unique violation with the database\'s code', { skip }, async () => {
      const error = await sql.failure({ query: `INSERT INTO ${table} (name) VALUES (:name)` }, { name: 'apple' });
      assert.match(dbCodeOf(error.message), db.uniqueViolationCode, error.message);
    });

    describe('bad input', () => {
      it('reports missing named parameters before running anything (SQL_PARAMS)', { skip }, async () => {
        const error = await sql.failure({}, [
          { sql: `INSERT INTO ${table} (name, qty) VALUES ('never', 1)` },
          { sql: `SELECT * FROM ${table} WHERE name = :name AND qty = :qty`, params: { name: 'x' } },
        ]);
        assert.equal(error.code, 'SQL_PARAMS');
        assert.match(error.message, /statement 2 needs :qty, which the parameters do not have \(they have: name\)/);
        const [rows] = await sql.results({ query: `SELECT name FROM ${table} WHERE name = 'never'`, output: 'rows' }, null);
        assert.deepEqual(rows, [], 'statement 1 never ran');
      });

      it('reports parameters that are not an object or an array', { skip }, async () => {
        const error = await sql.failure({ query: `SELECT * FROM ${table} WHERE name = :name` }, 'apple');
        assert.equal(error.code, 'INVALID_INPUT');
        assert.match(error.message, /the parameters on port 'in' must be an object \(for :name placeholders\) or an array \(for positional ones\), not a string "apple"/);
      });

      it('reports a statement message of the wrong shape', { skip }, async () => {
        const error = await sql.failure({}, { query: 'SELECT 1' });
        assert.equal(error.code, 'INVALID_INPUT');
        assert.match(error.message, /the statement on port 'in'/);
      });

      it('reports named parameters given as an array', { skip }, async () => {
        const error = await sql.failure({ query: `SELECT * FROM ${table} WHERE name = :name` }, ['apple']);
        assert.equal(error.code, 'SQL_PARAMS');
        assert.match(error.message, /uses named parameters \(:name\) but the parameters are an array \(1 item\)/);
      });
    });

    it('rejects bad config when the graph is loaded, with the node, the field and what is expected', { skip }, async () => {
      const problems = await loadProblems(registry, { nodes: { db: [db.component, { ...db.config, output: 'everything', transaction: 'yes', qurey: 'SELECT 1' }] } });
      assertProblem(problems, '$.processes.db.metadata.output', /config field 'output' must be equal to one of the allowed values, got a string \("everything"\)/, /"result", "rows", "first", "each", "all"/);
      assertProblem(problems, '$.processes.db.metadata.transaction', /must be boolean, got a string \("yes"\)/);
      assertProblem(problems, '$.processes.db.metadata.qurey', /field 'qurey' is not allowed/, /remove 'qurey'; allowed: .*query/);
    });
  });
}
