import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindStatement, splitStatements, type Dialect } from '../src/data/sql-text.ts';

const texts = (sql: string, dialect: Dialect) => splitStatements(sql, dialect).map((s) => s.text);
const bind = (sql: string, params: Record<string, unknown> | unknown[] | undefined, dialect: Dialect) => {
  const [statement] = splitStatements(sql, dialect);
  return bindStatement(statement, params, dialect, 'statement 1');
};

describe('SQL text: splitting scripts into statements', () => {
  it('splits at semicolons and drops empty statements and comment-only tails', () => {
    assert.deepEqual(texts('CREATE TABLE t (a int);\n\nINSERT INTO t VALUES (1);;\n-- done\n', 'postgres'), ['CREATE TABLE t (a int)', 'INSERT INTO t VALUES (1)']);
  });

  it('leaves semicolons inside strings, quoted identifiers and comments alone', () => {
    assert.deepEqual(texts(`SELECT 'a;b', "c;d" FROM t /* x; y */; SELECT 2 -- z; w\n`, 'postgres'), [`SELECT 'a;b', "c;d" FROM t /* x; y */`, 'SELECT 2 -- z; w']);
    assert.deepEqual(texts("SELECT 'it''s; fine'; SELECT `a;b` FROM t # c;\n", 'mysql'), ["SELECT 'it''s; fine'", 'SELECT `a;b` FROM t # c;']);
    assert.deepEqual(texts("SELECT 'back\\'slash;'; SELECT 1", 'mysql'), ["SELECT 'back\\'slash;'", 'SELECT 1']);
    assert.deepEqual(texts('SELECT [odd;name] FROM t; SELECT 1', 'sqlite'), ['SELECT [odd;name] FROM t', 'SELECT 1']);
  });

  it('keeps PostgreSQL dollar-quoted bodies whole, nested comments too', () => {
    const fn = 'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN PERFORM 1; RETURN 2; END $body$ LANGUAGE plpgsql';
    assert.deepEqual(texts(`${fn}; SELECT $$a;b$$; /* outer /* inner; */ still; */ SELECT 3`, 'postgres'), [fn, 'SELECT $$a;b$$', '/* outer /* inner; */ still; */ SELECT 3']);
  });

  it('reads E-strings with backslash escapes in PostgreSQL', () => {
    assert.deepEqual(texts("SELECT E'a\\';b'; SELECT 'c\\'; SELECT 1", 'postgres'), ["SELECT E'a\\';b'", "SELECT 'c\\'", 'SELECT 1']);
  });
});

describe('SQL text: binding :name parameters', () => {
  it('turns :name into $n for PostgreSQL, one number per name', () => {
    assert.deepEqual(bind('SELECT * FROM t WHERE a = :a OR b = :b OR c = :a', { a: 1, b: 'x', unused: 0 }, 'postgres'),
      { text: 'SELECT * FROM t WHERE a = $1 OR b = $2 OR c = $1', values: [1, 'x'] });
  });

  it('turns :name into ? for MySQL and SQLite, one value per occurrence', () => {
    for (const dialect of ['mysql', 'sqlite'] as const) {
      assert.deepEqual(bind('UPDATE t SET a = :a WHERE b = :b OR c = :a', { a: 1, b: null }, dialect), { text: 'UPDATE t SET a = ? WHERE b = ? OR c = ?', values: [1, null, 1] });
    }
  });

  it('is not fooled by casts, assignments, slices, strings, identifiers or comments', () => {
    assert.deepEqual(bind("SELECT :v::int, arr[1:n], ':no', \"x:no\", t.a:=1 -- :no\n/* :no */", { v: '5' }, 'postgres'),
      { text: "SELECT $1::int, arr[1:n], ':no', \"x:no\", t.a:=1 -- :no\n/* :no */", values: ['5'] });
    assert.deepEqual(bind('SET @x := :y', { y: 2 }, 'mysql'), { text: 'SET @x := ?', values: [2] });
  });

  it('passes positional parameters through to native placeholders', () => {
    assert.deepEqual(bind('SELECT $1, $2', [1, 2], 'postgres'), { text: 'SELECT $1, $2', values: [1, 2] });
    assert.deepEqual(bind('SELECT ?, ?', ['a', 'b'], 'sqlite'), { text: 'SELECT ?, ?', values: ['a', 'b'] });
    assert.deepEqual(bind('SELECT 1', undefined, 'mysql'), { text: 'SELECT 1', values: [] });
  });

  it('names the missing parameters and the ones given', () => {
    assert.throws(() => bind('SELECT :a, :b, :c', { a: 1 }, 'postgres'), {
      code: 'SQL_PARAMS', message: /statement 1 needs :b, :c, which the parameters do not have \(they have: a\): SELECT :a, :b, :c/,
    });
  });

  it('refuses a statement that mixes named and positional placeholders', () => {
    assert.throws(() => bind('SELECT :a, ?', { a: 1 }, 'mysql'), { code: 'SQL_PARAMS', message: /mixes named \(:a\) and positional \(\?\) placeholders/ });
  });

  it('refuses an object for positional placeholders and an array for named ones', () => {
    assert.throws(() => bind('SELECT $1', { a: 1 }, 'postgres'), { code: 'SQL_PARAMS', message: /has positional placeholders but the parameters are an object/ });
    assert.throws(() => bind('SELECT :a', [1], 'postgres'), { code: 'SQL_PARAMS', message: /uses named parameters \(:a\) but the parameters are an array \(1 item\)/ });
    assert.throws(() => bind('SELECT :a', undefined, 'sqlite'), { code: 'SQL_PARAMS', message: /uses named parameters \(:a\) but the parameters are missing/ });
  });
});
