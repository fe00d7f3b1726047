import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { runInNewContext } from 'node:vm';
import { Encoder } from '@msgpack/msgpack';
import { FLOW, MessageError, decodeMessage, decodeMessages, encodeMessage, encodeMessages } from '@actorflow/network';

const roundTrip = (value: unknown): unknown => decodeMessage(encodeMessage(value));

const STANDARD_ERRORS = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError'];

/** Asserts that `actual` is an Error rebuilt from `expected`: class, name, message, code, stack, cause. */
function assertSameError(actual: unknown, expected: Error): void {
  assert.ok(actual instanceof Error, 'an Error');
  assert.equal(actual.constructor, STANDARD_ERRORS.includes(expected.name) ? expected.constructor : Error);
  assert.equal(actual.name, expected.name);
  assert.equal(actual.message, expected.message);
  assert.equal(actual.stack, expected.stack);
  assert.equal((actual as { code?: unknown }).code, (expected as { code?: unknown }).code);
  if (expected.cause instanceof Error) assertSameError(actual.cause, expected.cause);
  else assert.deepStrictEqual(actual.cause, expected.cause);
}

/** Asserts that `run` throws a MessageError with `code` whose path is `path`. */
function assertMessageError(run: () => unknown, code: string, path: string, text?: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof MessageError, `a MessageError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.path, path);
    if (text) assert.match(err.message, text);
    return true;
  });
}

describe('the message codec', () => {
  describe('round trips every message type, top-level and nested', () => {
    const values: [string, unknown][] = [
      ['null', null],
      ['booleans', [true, false]],
      ['integers', [0, 1, -1, 127, 128, -33, 65_535, 2 ** 32, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]],
      ['floats', [1.5, -2.25, 1e300, 5e-324, 2 ** 53 + 2]],
      ['NaN and infinities', [Number.NaN, Infinity, -Infinity]],
      ['strings', ['', 'plain', 'héllo wörld', '日本語', '😀 emoji', 'x'.repeat(70_000)]],
      ['arrays', [[], [1, [2, [3]]], new Array(20).fill('a')]],
      ['objects', { a: 1, nested: { deeper: { list: [{ x: 1 }] } }, 'odd key': true, '': 'empty key' }],
      ['objects with the typed form\'s marker key', { $af: 'Flow', data: { $af: 'Stream' } }],
      ['binary', new Uint8Array([0, 1, 2, 255])],
      ['empty binary', new Uint8Array(0)],
      ['dates', [new Date(0), new Date(1_700_000_000_123), new Date(-1), new Date(-62_135_596_800_000), new Date(8.64e15), new Date(-8.64e15), new Date(2 ** 34 * 1000 + 5)]],
      ['bigints', [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n, 12345678901234567890123456789012345678901234567890n, -(10n ** 100n)]],
      ['FLOW', FLOW],
      ['FLOW inside arrays', [FLOW, 1, [FLOW]]],
    ];
    for (const [name, value] of values) {
      it(`keeps ${name}`, () => {
        assert.deepStrictEqual(roundTrip(value), value);
        assert.deepStrictEqual(roundTrip({ nested: [value] }), { nested: [value] });
      });
    }

    it('keeps -0 (msgpack would write it as the integer 0)', () => {
      assert.ok(Object.is(roundTrip(-0), -0));
      assert.ok(Object.is((roundTrip([-0]) as number[])[0], -0));
      assert.ok(Object.is(roundTrip(0), 0));
    });

    it('keeps FLOW as the one FLOW signal', () => {
      assert.equal(roundTrip(FLOW), FLOW);
      assert.equal((roundTrip({ signal: FLOW }) as { signal: unknown }).signal, FLOW);
    });

    it('keeps an invalid Date invalid', () => {
      const date = roundTrip(new Date(Number.NaN));
      assert.ok(date instanceof Date && Number.isNaN(date.getTime()));
    });

    it('keeps a Date to the millisecond', () => {
      const date = new Date('2024-02-29T23:59:59.999Z');
      assert.equal((roundTrip(date) as Date).toISOString(), '2024-02-29T23:59:59.999Z');
    });

    it('reads the timestamps of other msgpack encoders (32, 64 and 96 bits)', () => {
      const plain = new Encoder();
      for (const date of [new Date(1_700_000_000_000), new Date(1_700_000_000_123), new Date(-5_000), new Date(2 ** 35 * 1000)]) {
        assert.deepStrictEqual(decodeMessage(plain.encode(date)), date);
      }
    });

    it('keeps a 1 MB binary as binary', () => {
      const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
      const out = roundTrip({ file: bytes }) as { file: Uint8Array };
      assert.ok(out.file instanceof Uint8Array);
      assert.equal(out.file.byteLength, 1 << 20);
      assert.deepStrictEqual(out.file, bytes);
    });

    it('returns a Buffer (or any Uint8Array subclass) as a plain Uint8Array', () => {
      const out = roundTrip(Buffer.from('bytes'));
      assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype);
      assert.deepStrictEqual(out, new Uint8Array(Buffer.from('bytes')));
    });

    it('keeps an Error with its class, name, message, code, stack and cause chain', () => {
      const root = Object.assign(new RangeError('root cause'), { code: 42 });
      const middle = new Error('middle', { cause: root });
      const error = Object.assign(new TypeError('outer', { cause: middle }), { code: 'E_OUTER' });
      const out = roundTrip({ error }) as { error: Error };
      assert.ok(out.error instanceof TypeError);
      assert.ok(out.error.cause instanceof Error);
      assert.ok((out.error.cause as Error).cause instanceof RangeError);
      assertSameError(out.error, error);
    });

    it('keeps the name and code of errors of other classes, and a non-Error cause', () => {
      class QuotaError extends Error {
        override name = 'QuotaError';
        code = 'QUOTA';
      }
      const error = new QuotaError('over quota', { cause: { limit: 10, used: [11n, new Date(5)] } });
      const out = roundTrip(error) as Error;
      assert.equal(out.name, 'QuotaError');
      assert.equal((out as { code?: unknown }).code, 'QUOTA');
      assert.equal(out.stack, error.stack);
      assert.deepStrictEqual(out.cause, { limit: 10, used: [11n, new Date(5)] });
    });

    it('keeps an Error without a stack stackless', () => {
      const error = new Error('no stack');
      delete error.stack;
      assert.equal((roundTrip(error) as Error).stack, undefined);
    });

    it('keeps objects with an own "__proto__" key (as JSON.parse makes them) without touching prototypes', () => {
      const value = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
      const out = roundTrip({ inner: value }) as { inner: Record<string, unknown> };
      assert.equal(Object.getPrototypeOf(out.inner), Object.prototype);
      assert.deepStrictEqual(Object.getOwnPropertyDescriptor(out.inner, '__proto__')?.value, { polluted: true });
      assert.equal(out.inner.ok, 1);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('reads objects without a prototype as plain objects', () => {
      const bare = Object.assign(Object.create(null) as object, { a: 1 });
      assert.deepStrictEqual(roundTrip(bare), { a: 1 });
    });

    it('accepts values made in another realm (a vm context) and refuses its Maps by name', () => {
      const foreign = runInNewContext('({ list: [1, new Uint8Array([1, 2]), new Date(5)], error: new TypeError("x"), map: new Map() })') as Record<string, unknown>;
      assertMessageError(() => encodeMessage(foreign), 'UNSUPPORTED_MESSAGE', '$.map', /a Map/);
      delete foreign.map;
      const out = roundTrip(foreign) as { list: unknown[]; error: Error };
      assert.deepStrictEqual(out.list, [1, new Uint8Array([1, 2]), new Date(5)]);
      assert.ok(out.error instanceof TypeError);
    });

    it('turns undefined into null, at the top and nested', () => {
      assert.equal(roundTrip(undefined), null);
      assert.deepStrictEqual(roundTrip([undefined, 1]), [null, 1]);
      assert.deepStrictEqual(roundTrip({ a: undefined }), { a: null });
    });
  });

  describe('batches', () => {
    it('encodes a batch of 256 messages into one transferable buffer and decodes it back', () => {
      const batch = Array.from({ length: 256 }, (_, i) => ({ id: i, value: i * 2 }));
      const bytes = encodeMessages(batch);
      assert.equal(bytes.byteOffset, 0);
      assert.equal(bytes.buffer.byteLength, bytes.byteLength);
      assert.deepStrictEqual(decodeMessages(bytes), batch);
      assert.deepStrictEqual(decodeMessages(bytes.buffer), batch);
    });

    it('round trips an empty batch and a batch of mixed types', () => {
      assert.deepStrictEqual(decodeMessages(encodeMessages([])), []);
      const mixed = [FLOW, 1n, new Date(3), new Uint8Array([1]), 'x', null, { a: [FLOW] }];
      assert.deepStrictEqual(decodeMessages(encodeMessages(mixed)), mixed);
    });

    it('gives binary values that are views into the decoded bytes', () => {
      const bytes = encodeMessages([new Uint8Array([7, 8, 9])]);
      const [view] = decodeMessages(bytes) as [Uint8Array];
      assert.equal(view.buffer, bytes.buffer);
    });

    it('refuses bytes of a single message where a batch is expected', () => {
      assertMessageError(() => decodeMessages(encodeMessage({ not: 'a batch' })), 'INVALID_MESSAGE', '$', /expected a batch/);
    });

    it('crosses a real worker thread and back, transferred', async () => {
      const worker = new Worker(
        `const { parentPort } = require('node:worker_threads');
         parentPort.on('message', async (bytes) => {
           const { decodeMessages, encodeMessages } = await import('@actorflow/network');
           const values = decodeMessages(bytes);
           const reply = encodeMessages(values.map((v) => ({ echo: v })));
           parentPort.postMessage(reply, [reply.buffer]);
         });`,
        { eval: true },
      );
      try {
        const error = Object.assign(new Error('across', { cause: new TypeError('why') }), { code: 'E_X' });
        const batch = [{ id: 1, value: 2 }, FLOW, 2n ** 90n, new Date(12345), new Uint8Array([1, 2]), error];
        const bytes = encodeMessages(batch);
        worker.postMessage(bytes, [bytes.buffer]);
        const [reply] = (await once(worker, 'message')) as [Uint8Array];
        const echoed = (decodeMessages(reply) as { echo: unknown }[]).map((m) => m.echo);
        assert.deepStrictEqual(echoed.slice(0, 5), batch.slice(0, 5));
        assert.equal(echoed[1], FLOW);
        assertSameError(echoed[5], error);
      } finally {
        await worker.terminate();
      }
    });
  });

  describe('refuses values outside the message model with the type and path', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['a Map', { config: new Map([['a', 1]]) }, '$.config', /a Map/],
      ['a Set', [1, [new Set([1])]], '$[1][0]', /a Set/],
      ['a class instance', { items: [new (class Point { x = 1; })()] }, '$.items[0]', /a Point object/],
      ['a Float32Array', { samples: new Float32Array(4) }, '$.samples', /a Float32Array/],
      ['an ArrayBuffer', new ArrayBuffer(4), '$', /an? ArrayBuffer/],
      ['a function', { callback: () => 1 }, '$.callback', /a function/],
      ['a symbol', { ['odd key']: Symbol('s') }, '$["odd key"]', /a symbol/],
      ['a Map inside an Error cause', new Error('x', { cause: new Map() }), '$.cause', /a Map/],
    ];
    for (const [name, value, path, text] of cases) {
      it(`refuses ${name}`, () => assertMessageError(() => encodeMessage(value), 'UNSUPPORTED_MESSAGE', path, text));
    }

    it('refuses a cycle, naming where it closes', () => {
      const node: Record<string, unknown> = { name: 'a', children: [] };
      (node.children as unknown[]).push({ parent: node });
      assertMessageError(() => encodeMessage(node), 'UNSUPPORTED_MESSAGE', '$.children[0].parent', /cycle.*\$ again/);
      const error = new Error('loop');
      error.cause = error;
      assertMessageError(() => encodeMessage(error), 'UNSUPPORTED_MESSAGE', '$.cause', /cycle/);
    });

    it('names the message in a batch by its index', () => {
      assertMessageError(() => encodeMessages([{ ok: 1 }, { ok: 2 }, { bad: new Set() }]), 'UNSUPPORTED_MESSAGE', '$[2].bad', /a Set/);
    });

    it('refuses nesting deeper than the limit', () => {
      let deep: unknown = 'leaf';
      for (let i = 0; i < 600; i++) deep = [deep];
      assertMessageError(() => encodeMessage(deep), 'UNSUPPORTED_MESSAGE', `$${'[0]'.repeat(500)}`, /nested more than 500/);
    });

    it('keeps working after a refusal', () => {
      assert.throws(() => encodeMessage({ m: new Map() }));
      assert.deepStrictEqual(roundTrip({ fine: [1, 2] }), { fine: [1, 2] });
    });
  });

  describe('refuses bytes that are not a message encoding', () => {
    const cases: [string, Uint8Array][] = [
      ['empty input', new Uint8Array(0)],
      ['a reserved type byte', new Uint8Array([0xc1])],
      ['a truncated array', new Uint8Array([0x92, 0x01])],
      ['an unknown extension type', new Uint8Array([0xd4, 0x10, 0x00])],
      ['a malformed bigint extension', new Uint8Array([0xd5, 65, 0x01, 0x02])],
      ['a malformed error extension', new Uint8Array([0xd4, 66, 0xc0])],
      ['trailing bytes', new Uint8Array([0x01, 0x02])],
      ['a "__proto__" map key from a foreign encoder', new Encoder().encode(JSON.parse('{"__proto__":1}'))],
    ];
    for (const [name, bytes] of cases) {
      it(`refuses ${name}`, () => assertMessageError(() => decodeMessage(bytes), 'INVALID_MESSAGE', '$'));
    }

    it('keeps working after a refusal', () => {
      assert.throws(() => decodeMessage(new Uint8Array([0x92, 0x01])));
      assert.deepStrictEqual(roundTrip([1, { a: 'b' }]), [1, { a: 'b' }]);
    });
  });

  describe('reentrancy', () => {
    it('encodes correctly when a getter inside a message encodes another message', () => {
      const inner = { deep: [1, 2, 3] };
      const value = {
        before: 'x'.repeat(100),
        get nested(): unknown {
          return decodeMessage(encodeMessage(inner));
        },
        after: [FLOW, 7n],
      };
      assert.deepStrictEqual(roundTrip(value), { before: 'x'.repeat(100), nested: inner, after: [FLOW, 7n] });
    });

    it('encodes errors nested in errors nested in arrays, each with their own encoder', () => {
      const error = new Error('outer', { cause: [new Error('a', { cause: new Error('b') }), { e: new SyntaxError('c') }] });
      const out = roundTrip([error, error]) as Error[];
      assert.equal(((out[1].cause as unknown[])[0] as Error).cause instanceof Error, true);
      assert.ok(((out[1].cause as unknown[])[1] as { e: unknown }).e instanceof SyntaxError);
    });
  });
});
