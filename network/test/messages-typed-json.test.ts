import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FLOW, MessageError, fromTyped, toPlainJson, toTyped } from '@actorflow/network';

/** The typed form written as JSON text and read back, as a REST client or a WASM plugin would. */
const throughJson = (value: unknown): unknown => fromTyped(JSON.parse(JSON.stringify(toTyped(value))));

/** Reflow's encoded value: the bytes of `value`'s JSON text. */
const reflowEncoded = (value: unknown) => ({ data: [...Buffer.from(JSON.stringify(value))] });

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

describe('the typed JSON form', () => {
  describe('toTyped maps each type to {type, data}', () => {
    const date = new Date('2024-01-31T12:00:00.123Z');
    const cases: [string, unknown, unknown][] = [
      ['FLOW to Flow', FLOW, { type: 'Flow' }],
      ['a boolean to Boolean', true, { type: 'Boolean', data: true }],
      ['a safe integer to Integer', 42, { type: 'Integer', data: 42 }],
      ['a fraction to Float', 1.5, { type: 'Float', data: 1.5 }],
      ['an integer beyond 2^53 to Float', 2 ** 60, { type: 'Float', data: 2 ** 60 }],
      ['NaN to Float "NaN"', Number.NaN, { type: 'Float', data: 'NaN' }],
      ['Infinity to Float "Infinity"', Infinity, { type: 'Float', data: 'Infinity' }],
      ['-Infinity to Float "-Infinity"', -Infinity, { type: 'Float', data: '-Infinity' }],
      ['-0 to Float "-0"', -0, { type: 'Float', data: '-0' }],
      ['a string to String', 'héllo', { type: 'String', data: 'héllo' }],
      ['null to Optional null', null, { type: 'Optional', data: null }],
      ['undefined to Optional null', undefined, { type: 'Optional', data: null }],
      ['an array to Array', [1, 'a', null], { type: 'Array', data: [1, 'a', null] }],
      ['a plain object to Object', { a: { b: [1] } }, { type: 'Object', data: { a: { b: [1] } } }],
      ['a Uint8Array to Stream with base64 data', new Uint8Array([0, 1, 2, 255]), { type: 'Stream', data: 'AAEC/w==' }],
      ['a bigint to BigInt with a decimal string', -(2n ** 70n), { type: 'BigInt', data: '-1180591620717411303424' }],
      ['a Date to Date with an ISO string', date, { type: 'Date', data: '2024-01-31T12:00:00.123Z' }],
      ['an invalid Date to Date "Invalid Date"', new Date(Number.NaN), { type: 'Date', data: 'Invalid Date' }],
    ];
    for (const [name, value, typed] of cases) {
      it(`maps ${name}`, () => assert.deepStrictEqual(toTyped(value), typed));
    }

    it('maps an Error to Error with message, name, code, stack and cause', () => {
      const cause = new Error('root');
      const error = Object.assign(new TypeError('outer', { cause }), { code: 'E_OUTER' });
      assert.deepStrictEqual(toTyped(error), {
        type: 'Error',
        data: {
          message: 'outer', name: 'TypeError', code: 'E_OUTER', stack: error.stack,
          cause: { $af: 'Error', data: { message: 'root', name: 'Error', stack: cause.stack } },
        },
      });
    });

    it('keeps plain JSON inside Array and Object data as plain JSON (never JSON-as-bytes)', () => {
      const value = { user: { name: 'Ada', tags: ['x', 'y'], age: 36, admin: false, boss: null }, list: [[1.5, -2]] };
      assert.deepStrictEqual(toTyped(value).data, value);
    });

    it('writes nested non-JSON values as {"$af": type, "data": …} markers', () => {
      const typed = toTyped({ file: new Uint8Array([1, 2, 3]), at: new Date(0), n: 7n, signal: FLOW, ratio: Number.NaN, zero: -0 });
      assert.deepStrictEqual(typed.data, {
        file: { $af: 'Stream', data: 'AQID' },
        at: { $af: 'Date', data: '1970-01-01T00:00:00.000Z' },
        n: { $af: 'BigInt', data: '7' },
        signal: { $af: 'Flow' },
        ratio: { $af: 'Float', data: 'NaN' },
        zero: { $af: 'Float', data: '-0' },
      });
    });

    it('wraps objects that have the marker key, or look like Reflow encoded values', () => {
      assert.deepStrictEqual(toTyped({ $af: 'Stream', data: 'AQID' }), { type: 'Object', data: { $af: 'Object', data: { $af: 'Stream', data: 'AQID' } } });
      assert.deepStrictEqual(toTyped([{ data: [52, 50] }]), { type: 'Array', data: [{ $af: 'Object', data: { data: [52, 50] } }] });
    });
  });

  describe('round trips every type through JSON text, top-level and nested', () => {
    const values: [string, unknown][] = [
      ['null', null],
      ['booleans', [true, false]],
      ['integers', [0, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]],
      ['floats', [1.5, 1e300, 5e-324, 2 ** 60]],
      ['NaN and infinities', [Number.NaN, Infinity, -Infinity]],
      ['unicode strings', ['', 'héllo', '日本語', '😀', '\u0000\u001f"\\', '\ud800 lone surrogate']],
      ['arrays', [[], [[[]]], [1, [2, [3]]]]],
      ['objects', { a: 1, 'odd key': { '': [] }, nested: { deeper: true } }],
      ['binary', new Uint8Array([0, 1, 2, 253, 254, 255])],
      ['empty binary', new Uint8Array(0)],
      ['dates with milliseconds', [new Date(0), new Date('2024-02-29T23:59:59.999Z'), new Date(-1), new Date(8.64e15)]],
      ['huge bigints', [0n, -1n, 2n ** 64n, -(10n ** 100n), 12345678901234567890123456789012345678901234567890n]],
      ['FLOW', FLOW],
      ['FLOW inside arrays', [FLOW, [FLOW, 1], { f: FLOW }]],
      ['objects with the marker key', { $af: 'Flow', data: { $af: 'Stream' } }],
      ['objects shaped like Reflow encoded values', { data: [123, 125] }],
      ['objects with an own "__proto__" key', JSON.parse('{"__proto__": {"x": 1}, "y": 2}')],
    ];
    for (const [name, value] of values) {
      it(`keeps ${name}`, () => {
        assert.deepStrictEqual(throughJson(value), value);
        assert.deepStrictEqual(throughJson({ nested: [value] }), { nested: [value] });
      });
    }

    it('keeps -0', () => {
      assert.ok(Object.is(throughJson(-0), -0));
      assert.ok(Object.is((throughJson([-0]) as number[])[0], -0));
    });

    it('keeps FLOW as the one FLOW signal', () => {
      assert.equal(throughJson(FLOW), FLOW);
      assert.equal((throughJson([FLOW]) as unknown[])[0], FLOW);
    });

    it('keeps an invalid Date invalid', () => {
      const date = throughJson(new Date(Number.NaN));
      assert.ok(date instanceof Date && Number.isNaN(date.getTime()));
    });

    it('keeps a 1 MB binary as binary', () => {
      const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
      const out = throughJson({ file: bytes }) as { file: Uint8Array };
      assert.ok(out.file instanceof Uint8Array);
      assert.deepStrictEqual(out.file, bytes);
    });

    it('keeps an Error with its class, code, stack and cause chain', () => {
      const root = Object.assign(new RangeError('root'), { code: 7 });
      const error = Object.assign(new TypeError('outer', { cause: new Error('middle', { cause: root }) }), { code: 'E_OUTER' });
      const out = throughJson({ error }) as { error: Error };
      assert.ok(out.error instanceof TypeError);
      assert.equal(out.error.message, 'outer');
      assert.equal((out.error as { code?: unknown }).code, 'E_OUTER');
      assert.equal(out.error.stack, error.stack);
      const middle = out.error.cause as Error;
      assert.equal(middle.message, 'middle');
      assert.ok(middle.cause instanceof RangeError);
      assert.equal((middle.cause as { code?: unknown }).code, 7);
    });

    it('keeps the name of errors of other classes', () => {
      const error = Object.assign(new Error('quota'), { name: 'QuotaError', code: 'QUOTA' });
      const out = throughJson(error) as Error;
      assert.equal(out.name, 'QuotaError');
      assert.equal((out as { code?: unknown }).code, 'QUOTA');
    });

    it('does not touch prototypes when reading a "__proto__" key', () => {
      const out = fromTyped(JSON.parse('{"type":"Object","data":{"__proto__":{"polluted":true}}}')) as object;
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });

  describe('accepts Reflow documents (reflow.md §2)', () => {
    const cases: [string, unknown, unknown][] = [
      ['serde Integer', { type: 'Integer', data: 42 }, 42],
      ['serde Flow', { type: 'Flow' }, FLOW],
      ['serde String', { type: 'String', data: 'x' }, 'x'],
      ['serde Boolean', { type: 'Boolean', data: false }, false],
      ['serde Float', { type: 'Float', data: 2.5 }, 2.5],
      ['serde Stream as an array of byte numbers', { type: 'Stream', data: [1, 2, 3] }, new Uint8Array([1, 2, 3])],
      ['serde Encoded bytes, as its bytes', { type: 'Encoded', data: [9, 8, 7] }, new Uint8Array([9, 8, 7])],
      ['serde Object as JSON-text bytes', { type: 'Object', data: reflowEncoded({ a: 1, b: [true] }) }, { a: 1, b: [true] }],
      ['serde Array elements as JSON-text bytes', { type: 'Array', data: [reflowEncoded(1), reflowEncoded('s'), reflowEncoded({ k: null })] }, [1, 's', { k: null }]],
      ['serde Any as JSON-text bytes', { type: 'Any', data: reflowEncoded([1, 2]) }, [1, 2]],
      ['serde Event as JSON-text bytes', { type: 'Event', data: reflowEncoded({ kind: 'click' }) }, { kind: 'click' }],
      ['serde Optional(None)', { type: 'Optional', data: null }, null],
      ['serde Optional(Some) as JSON-text bytes', { type: 'Optional', data: reflowEncoded(7) }, 7],
      ['the Extism form with plain data', { type: 'Object', data: { total: 3 } }, { total: 3 }],
      ['Optional with plain data', { type: 'Optional', data: { x: 1 } }, { x: 1 }],
      ['Any with plain data', { type: 'Any', data: 'text' }, 'text'],
      ['RemoteReference, as its object', { type: 'RemoteReference', data: { network_id: 'n1', actor_id: 'a1', port: 'out' } }, { network_id: 'n1', actor_id: 'a1', port: 'out' }],
      ['NetworkEvent, with its data decoded', { type: 'NetworkEvent', data: { event_type: 'ActorRegistered', data: reflowEncoded({ id: 'a1' }) } }, { event_type: 'ActorRegistered', data: { id: 'a1' } }],
    ];
    for (const [name, typed, value] of cases) {
      it(`reads ${name}`, () => assert.deepStrictEqual(fromTyped(typed), value));
    }

    it("reads Reflow's Error(String) as an Error", () => {
      const error = fromTyped({ type: 'Error', data: 'disk full' });
      assert.ok(error instanceof Error);
      assert.equal(error.message, 'disk full');
    });
  });

  describe('fromTyped refuses invalid documents with the JSON path of the problem', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['a document that is not an object', 42, '$', /expected a typed message/],
      ['a missing type', { data: 1 }, '$.type', /expected the type name/],
      ['an unknown type, suggesting the closest', { type: 'Intger', data: 1 }, '$.type', /unknown message type 'Intger'.*did you mean 'Integer'/],
      ['a fractional Integer', { type: 'Integer', data: 1.5 }, '$.data', /Integer data must be an integer/],
      ['a string Boolean', { type: 'Boolean', data: 'true' }, '$.data', /Boolean data/],
      ['an unknown Float word', { type: 'Float', data: 'inf' }, '$.data', /Float data/],
      ['String data that is a number', { type: 'String', data: 1 }, '$.data', /String data/],
      ['Flow with data', { type: 'Flow', data: 1 }, '$.data', /Flow carries no data/],
      ['bad base64 in a Stream', { type: 'Stream', data: 'not base64!' }, '$.data', /not valid base64/],
      ['a non-byte in a Stream array', { type: 'Stream', data: [1, 256] }, '$.data[1]', /expected a byte/],
      ['an Error without a message', { type: 'Error', data: { name: 'E' } }, '$.data.message', /message must be a string/],
      ['an Error with a numeric name', { type: 'Error', data: { message: 'm', name: 5 } }, '$.data.name', /name must be a string/],
      ['BigInt data that is not digits', { type: 'BigInt', data: '12a' }, '$.data', /BigInt data/],
      ['an unreadable Date', { type: 'Date', data: 'yesterday' }, '$.data', /Date data/],
      ['Array data that is an object', { type: 'Array', data: {} }, '$.data', /Array data must be an array/],
      ['Object data that is an array', { type: 'Object', data: [1] }, '$.data', /expected an object/],
      ['Reflow bytes that are not JSON', { type: 'Object', data: { data: [1, 2] } }, '$.data', /not UTF-8 JSON text/],
      ['Any without data', { type: 'Any' }, '$.data', /Any needs data/],
      ['NetworkEvent without an event type', { type: 'NetworkEvent', data: {} }, '$.data.event_type', /event type/],
      ['a bad nested marker', { type: 'Object', data: { a: [0, { b: { $af: 'Date', data: 'nope' } }] } }, '$.data.a[1].b.data', /Date data/],
      ['an unknown nested marker type', { type: 'Array', data: [{ $af: 'Strem', data: '' }] }, '$.data[0].$af', /unknown message type 'Strem'.*Stream/],
      ['a marker with extra keys', { type: 'Object', data: { x: { $af: 'Flow', extra: 1 } } }, '$.data.x.extra', /only "\$af" and "data"/],
      ['a marker Object whose data is not an object', { type: 'Array', data: [{ $af: 'Object', data: 3 }] }, '$.data[0].data', /expected an object/],
      ['a value JSON cannot hold', { type: 'Array', data: [() => 1] }, '$.data[0]', /expected a JSON value, got a function/],
      ['a bad key in an odd place', { type: 'Object', data: { 'a b': { $af: 'BigInt', data: 1.5 } } }, '$.data["a b"].data', /BigInt data/],
    ];
    for (const [name, typed, path, text] of cases) {
      it(`refuses ${name}`, () => assertMessageError(() => fromTyped(typed), 'INVALID_MESSAGE', path, text));
    }

    it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
      const text = `{"type":"Array","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      assertMessageError(() => fromTyped(JSON.parse(text)), 'INVALID_MESSAGE', `$.data${'[0]'.repeat(500)}`, /nested more than 500/);
    });
  });

  describe('toTyped and toPlainJson refuse values outside the message model', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['a Map', { config: new Map() }, '$.config', /a Map/],
      ['a Set', [new Set()], '$[0]', /a Set/],
      ['a class instance', { at: new (class Point { x = 1; })() }, '$.at', /a Point object/],
      ['a typed array other than Uint8Array', { samples: new Int16Array(2) }, '$.samples', /an? Int16Array/],
      ['a function', { f: () => 1 }, '$.f', /a function/],
    ];
    for (const [name, value, path, text] of cases) {
      it(`refuses ${name}`, () => {
        assertMessageError(() => toTyped(value), 'UNSUPPORTED_MESSAGE', path, text);
        assertMessageError(() => toPlainJson(value), 'UNSUPPORTED_MESSAGE', path, text);
      });
    }

    it('refuses a cycle', () => {
      const node: Record<string, unknown> = {};
      node.self = node;
      assertMessageError(() => toTyped(node), 'UNSUPPORTED_MESSAGE', '$.self', /cycle/);
    });

    it('accepts the same object twice when it is not a cycle', () => {
      const shared = { x: 1 };
      assert.deepStrictEqual(throughJson([shared, shared]), [{ x: 1 }, { x: 1 }]);
    });
  });

  describe('toPlainJson gives the plain form for JSON APIs', () => {
    it('writes each type as plain JSON', () => {
      const error = Object.assign(new Error('failed', { cause: new Error('hidden') }), { code: 'E_X' });
      const value = {
        bytes: new Uint8Array([1, 2, 3]), at: new Date(0), bad: new Date(Number.NaN), small: 5n, big: 2n ** 64n, signal: FLOW,
        nan: Number.NaN, inf: -Infinity, zero: -0, missing: undefined, error, list: [undefined, FLOW], text: 'ok', n: 1.5,
      };
      assert.deepStrictEqual(toPlainJson(value), {
        bytes: 'AQID', at: '1970-01-01T00:00:00.000Z', bad: null, small: 5, big: '18446744073709551616', signal: 'flow',
        nan: null, inf: null, zero: 0, missing: null, error: { message: 'failed', name: 'Error', code: 'E_X' }, list: [null, 'flow'], text: 'ok', n: 1.5,
      });
    });

    it('gives a value JSON.stringify writes without loss of what it kept', () => {
      const value = { a: [1, 'x', { b: null }], c: true };
      assert.deepStrictEqual(JSON.parse(JSON.stringify(toPlainJson(value))), value);
    });
  });
});
