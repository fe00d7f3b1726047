import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '@msgpack/msgpack';
import { FLOW, messageSize } from '@actorflow/network';

/** Asserts that `estimate` is within `tolerance` (a fraction) of `actual`. */
function assertNear(estimate: number, actual: number, tolerance: number): void {
  assert.ok(Math.abs(estimate - actual) <= actual * tolerance, `estimate ${estimate} is not within ${tolerance * 100}% of ${actual}`);
}

describe('messageSize', () => {
  it('counts scalars as their msgpack encoding does', () => {
    for (const value of [null, true, false, 0, 127, -32, 200, -100, 40_000, 70_000, 2 ** 40, 1.5, Number.NaN, 'hi', 'x'.repeat(40), 'y'.repeat(300)]) {
      assert.equal(messageSize(value), encode(value).length, `size of ${String(value).slice(0, 20)}`);
    }
    assert.equal(messageSize(undefined), 1);
    assert.equal(messageSize(FLOW), 3);
    assert.equal(messageSize(new Date()), 10);
    assert.equal(messageSize(12n), 10);
    assert.ok(messageSize(2n ** 200n) > 25);
  });

  it('counts strings by their UTF-8 length, not their UTF-16 length', () => {
    assert.equal(messageSize('héllo'), 1 + 6);
    assert.equal(messageSize('✓'), 1 + 3);
    assert.equal(messageSize('😀'), 1 + 4);
    const long = 'naïve café ✓ '.repeat(10_000);
    assertNear(messageSize(long), Buffer.byteLength(long), 0.05);
  });

  it('counts binary by its byteLength', () => {
    assert.equal(messageSize(new Uint8Array(0)), 2);
    assert.equal(messageSize(new Uint8Array(1000)), 3 + 1000);
    assert.equal(messageSize(Buffer.alloc(1 << 20)), 5 + (1 << 20));
  });

  it('counts small objects and arrays exactly', () => {
    for (const value of [{ id: 1, value: 2 }, [1, 'two', { three: [3] }], { nested: { deeper: { deepest: 'x' } } }, [], {}]) {
      assert.equal(messageSize(value), encode(value).length);
    }
  });

  it('counts an Error by its name, message, stack, code and cause', () => {
    const cause = new Error('root cause');
    const error = Object.assign(new Error('outer', { cause }), { code: 'E_OUTER' });
    assert.ok(messageSize(error) > messageSize(cause) + 'outer'.length + 'E_OUTER'.length);
  });

  it('extrapolates a large array from a sample, close to the real size', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ id: i, value: i * 2, name: `item ${i}` }));
    assertNear(messageSize(rows), encode(rows).length, 0.05);
  });

  it('measures a 100 MB message without walking it completely', () => {
    const payload = 'p'.repeat(90);
    const rows = Array.from({ length: 1_000_000 }, (_, i) => ({ id: i, payload, tags: ['a', 'b'] }));
    let reads = 0;
    const counted = new Proxy(rows, { get: (target, key, receiver) => { reads++; return Reflect.get(target, key, receiver); } });
    assertNear(messageSize(counted), rows.length * encode(rows.at(-1)).length, 0.05);
    assert.ok(reads < 100, `read ${reads} items of the array`);
  });

  it('caps depth and stays finite for very deep nesting', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { child: deep };
    const size = messageSize(deep);
    assert.ok(Number.isFinite(size) && size > 0);
  });

  it('is safe with cycles', () => {
    const node: Record<string, unknown> = { name: 'a' };
    node.self = node;
    node.list = [node, { back: node }];
    const error = new Error('loop');
    error.cause = error;
    assert.ok(Number.isFinite(messageSize(node)));
    assert.ok(Number.isFinite(messageSize(error)));
  });

  it('returns a whole number of bytes and never throws on values the codec refuses', () => {
    for (const value of [() => 1, Symbol('s'), new Map([[1, 2]]), new Set([1]), new (class Point { x = 1; })()]) {
      const size = messageSize(value);
      assert.ok(Number.isInteger(size) && size >= 1);
    }
  });
});
