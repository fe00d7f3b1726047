import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FLOW } from '@actorflow/network';
import { createExpressionEngine, ExpressionError, type ExpressionEngine } from '../src/expression/index.ts';

let ex: ExpressionEngine;
before(async () => {
  ex = await createExpressionEngine({ timeoutMs: 50, memoryMb: 8 });
});
after(() => ex.dispose());

function fails(run: () => unknown, code: string, message?: RegExp): ExpressionError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ExpressionError, `expected an ExpressionError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  return assert.fail(`expected ${code}`);
}

describe('expressions: evaluation', () => {
  it('evaluates against the scope: each identifier key is a variable', () => {
    assert.equal(ex.evaluate('value * 2', { value: 21 }), 42);
    assert.equal(ex.evaluate("amount > 100 && status === 'open'", { amount: 150, status: 'open' }), true);
    assert.equal(ex.evaluate('item.tags.includes("x")', { item: { tags: ['x'] } }), true);
    assert.deepEqual(ex.evaluate('({ total: a + b, list: [a, b] })', { a: 1, b: 2 }), { total: 3, list: [1, 2] });
    assert.equal(ex.evaluate('Math.max(...xs)', { xs: [3, 9, 4] }), 9);
  });

  it('calls an expression that is a function with the given arguments', () => {
    assert.equal(ex.evaluate('x => x * 2', {}, [5]), 10);
    assert.equal(ex.evaluate('(a, b) => a.n - b.n', {}, [{ n: 3 }, { n: 1 }]), 2);
    assert.equal(ex.evaluate('x => x * factor', { factor: 3 }, [2]), 6);
    fails(() => ex.evaluate('x => x * 2', {}), 'EXPRESSION_INVALID_RESULT', /is a function; pass the arguments/);
  });

  it('reuses a compiled expression across scopes and scope shapes', () => {
    const double = ex.compile('value * 2');
    assert.equal(double({ value: 1 }), 2);
    assert.equal(double({ value: 5, extra: true }), 10);
    assert.equal(double({ extra: 1, value: 7 }), 14);
  });

  it('hides scope keys that are not identifiers, and treats unknown names as errors', () => {
    assert.equal(ex.evaluate('typeof this', { 'content-type': 'x' }), 'undefined');
    fails(() => ex.evaluate('missing + 1', { present: 1 }), 'EXPRESSION_ERROR', /ReferenceError.*'missing' is not defined/);
  });

  it('copies values in: an expression cannot change the caller objects', () => {
    const scope = { obj: { n: 1 } };
    ex.evaluate('(obj.n = 99, obj.n)', scope);
    assert.deepEqual(scope, { obj: { n: 1 } });
  });

  it('hands special values over in plain JSON form', () => {
    assert.deepEqual(ex.evaluate('[go, bytes, when]', { go: FLOW, bytes: new Uint8Array([7]), when: new Date(0) }), ['flow', 'Bw==', '1970-01-01T00:00:00.000Z']);
  });

  it('returns primitives as they are, NaN included', () => {
    assert.ok(Number.isNaN(ex.evaluate('x * 2', { x: 'abc' }) as number));
    assert.equal(ex.evaluate('undefined'), undefined);
    assert.equal(ex.evaluate('null'), null);
    assert.equal(ex.evaluate('"s"'), 's');
  });

  it('refuses results with no JSON form', () => {
    fails(() => ex.evaluate('({ f() {} })'), 'EXPRESSION_INVALID_RESULT', /'f' is a function/);
    fails(() => ex.evaluate('Symbol("s")'), 'EXPRESSION_INVALID_RESULT', /symbol/);
    fails(() => ex.evaluate('10n'), 'EXPRESSION_INVALID_RESULT', /bigint/);
    fails(() => ex.evaluate('(() => { const a = {}; a.a = a; return a; })()'), 'EXPRESSION_INVALID_RESULT', /circular|cycle/i);
  });
});

describe('expressions: errors', () => {
  it('reports syntax errors at compile time with their column', () => {
    const error = fails(() => ex.compile('1 +* 2'), 'EXPRESSION_SYNTAX', /'1 \+\* 2' at column 4/);
    assert.equal(error.column, 4);
    assert.equal(error.expression, '1 +* 2');
    fails(() => ex.compile('   '), 'EXPRESSION_SYNTAX', /empty/);
  });

  it('does not let a statement pose as an expression', () => {
    fails(() => ex.compile('while (true) {}'), 'EXPRESSION_SYNTAX');
  });

  it('reports runtime errors with the name and message from inside', () => {
    fails(() => ex.evaluate('a.b.c', { a: {} }), 'EXPRESSION_ERROR', /TypeError.*cannot read property 'c' of undefined/i);
  });

  it('rejects a scope that is not an object, and bad options', async () => {
    fails(() => ex.evaluate('1', [] as never), 'EXPRESSION_ERROR', /scope must be an object/);
    await assert.rejects(createExpressionEngine({ timeoutMs: 0 }), /timeoutMs must be a positive number/);
  });
});

describe('expressions: sandbox and limits', () => {
  it('stops a runaway loop at the deadline and keeps evaluating afterwards', () => {
    const started = Date.now();
    fails(() => ex.evaluate('(() => { for (;;) {} })()'), 'EXPRESSION_TIMEOUT', /ran longer than 50 ms/);
    assert.ok(Date.now() - started < 1000);
    assert.equal(ex.evaluate('1 + 1'), 2);
  });

  it('stops a memory bomb at the memory limit and keeps evaluating afterwards', () => {
    fails(() => ex.evaluate("'x'.repeat(64 * 1024 * 1024)"), 'EXPRESSION_MEMORY', /more than 8 MB/);
    assert.equal(ex.evaluate('value + 1', { value: 1 }), 2);
  });

  it('turns unbounded recursion into an error', () => {
    fails(() => ex.evaluate('(function f() { return f() + 1; })()'), 'EXPRESSION_ERROR', /stack overflow/);
    assert.equal(ex.evaluate('2 * 2'), 4);
  });

  it('freezes the built-ins: nothing one expression does reaches the next', () => {
    fails(() => ex.evaluate('(Array.prototype.map = () => 1)'), 'EXPRESSION_ERROR', /read-only/);
    fails(() => ex.evaluate('(Object.prototype.polluted = 1)'), 'EXPRESSION_ERROR', /not extensible/);
    fails(() => ex.evaluate('(globalThis.leak = 1)'), 'EXPRESSION_ERROR');
    assert.equal(ex.evaluate('typeof leak'), 'undefined');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('has no host or I/O: no require, process, fetch, console, timers', () => {
    assert.deepEqual(ex.evaluate("['require', 'process', 'fetch', 'console', 'setTimeout', 'std', 'os'].filter((n) => typeof globalThis[n] !== 'undefined')"), []);
  });

  it('keeps working when the cache evicts compiled expressions', async () => {
    const small = await createExpressionEngine({ cacheSize: 2 });
    try {
      for (let i = 0; i < 20; i++) assert.equal(small.evaluate(`x + ${i}`, { x: 1 }), 1 + i);
      const f = small.compile('x * 3');
      for (let i = 0; i < 5; i++) small.evaluate(`x - ${i}`, { x: 0 });
      assert.equal(f({ x: 2 }), 6);
    } finally {
      small.dispose();
    }
  });
});

describe('expressions: templates', () => {
  it('fills ${} holes; null and undefined as empty, objects as JSON', () => {
    assert.equal(ex.template('Hello ${user.name}! You have ${count} new ${count === 1 ? "message" : "messages"}.', { user: { name: 'Ann' }, count: 2 }),
      'Hello Ann! You have 2 new messages.');
    assert.equal(ex.template('[${a}][${b}][${c}]', { a: null, b: undefined, c: { k: [1] } }), '[][][{"k":[1]}]');
  });

  it('keeps text without holes, braces inside holes and \\${ as a literal', () => {
    assert.equal(ex.template('plain text'), 'plain text');
    assert.equal(ex.template(''), '');
    assert.equal(ex.template('${ ({ a: 1 }).a } ${"}"}'), '1 }');
    assert.equal(ex.template('cost: \\${price}'), 'cost: ${price}');
    assert.equal(ex.template('`quoted` "x"'), '`quoted` "x"');
  });

  it('rejects an unclosed or empty hole, and reports errors inside holes', () => {
    fails(() => ex.compileTemplate('Hello ${name'), 'EXPRESSION_SYNTAX', /unclosed/);
    fails(() => ex.compileTemplate('Hello ${ }'), 'EXPRESSION_SYNTAX', /empty/);
    fails(() => ex.template('Hello ${nobody}', {}), 'EXPRESSION_ERROR', /'nobody' is not defined/);
  });

  it('compiles a template once and fills it many times', () => {
    const line = ex.compileTemplate('${id}: ${name}');
    assert.deepEqual([1, 2].map((id) => line({ id, name: `n${id}` })), ['1: n1', '2: n2']);
  });
});
