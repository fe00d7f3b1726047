import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FLOW } from '@actorflow/network';
import { ScriptError, type EngineOptions } from '../src/engine.ts';
import { JavaScriptEngine, javascriptEngineFactory } from '../src/javascript/index.ts';
import { EngineDriver, SMALL_LIMITS, localServer, rejectsWith, tempDir } from './harness.ts';

const engines: JavaScriptEngine[] = [];
function js(code: string, options: Partial<EngineOptions> = {}): EngineDriver {
  const engine = new JavaScriptEngine({ nodeId: 'node1', source: { code }, isolation: 'sandbox', limits: SMALL_LIMITS, config: {}, ...options });
  engines.push(engine);
  return new EngineDriver(engine);
}
after(() => Promise.all(engines.map((e) => e.dispose())));


describe('JavaScript engine: the simple contract', () => {
  it('returns outputs by port, emits any number of values and logs through the node logger', async () => {
    const node = js(`
      export default async function ({ inputs, emit, log }) {
        for (const x of inputs.in) emit('each', x);
        log.info('summed', { count: inputs.in.length });
        return { sum: inputs.in.reduce((a, b) => a + b, 0) };
      }`);
    const result = await node.call({ in: [1, 2, 3] });
    assert.deepEqual(result.outputs, { sum: 6 });
    assert.deepEqual(node.recorded.emits, [['each', 1], ['each', 2], ['each', 3]]);
    assert.deepEqual(node.recorded.logs, [['info', 'summed', { count: 3 }]]);
  });

  it('keeps state across messages: the script mutates it and the caller persists it', async () => {
    const node = js(`export default function ({ inputs, state }) { state.total = (state.total ?? 0) + inputs.in; return { total: state.total }; }`);
    assert.deepEqual((await node.call({ in: 2 })).outputs, { total: 2 });
    assert.deepEqual((await node.call({ in: 5 })).outputs, { total: 7 });
    assert.deepEqual(node.state, { total: 7 });
  });

  it('starts from the state the caller passes in (e.g. restored after a restart)', async () => {
    const node = js(`export default function ({ state }) { state.n += 1; return { n: state.n }; }`);
    node.state = { n: 41 };
    assert.deepEqual((await node.call({})).outputs, { n: 42 });
  });

  it('reuses one isolate per node across messages (module-level variables live on)', async () => {
    const node = js(`let calls = 0; export default function () { calls += 1; return { calls }; }`);
    await node.call({});
    await node.call({});
    assert.deepEqual((await node.call({})).outputs, { calls: 3 });
  });

  it('passes the node config (read-only) and the firing port', async () => {
    const node = js(`export default function ({ config, port }) { return { out: config.factor, port, frozen: Object.isFrozen(config) }; }`, { config: { factor: 3 } });
    assert.deepEqual((await node.call({ in: 1 }, { port: 'in' })).outputs, { out: 3, port: 'in', frozen: true });
  });

  it("hands special values over in the network's plain JSON form: Flow as \"flow\", bytes as base64", async () => {
    const node = js(`export default function ({ inputs }) { return { out: inputs }; }`);
    const { outputs } = await node.call({ go: FLOW, bytes: new Uint8Array([1, 2]), big: 7n });
    assert.deepEqual(outputs.out, { go: 'flow', bytes: 'AQI=', big: 7 });
  });

  it('serializes concurrent calls to the same node', async () => {
    const node = js(`let busy = false; export default async function () { if (busy) throw new Error('overlap'); busy = true; await null; busy = false; return { ok: true }; }`);
    const results = await Promise.all([node.call({}), node.call({}), node.call({})]);
    assert.deepEqual(results.map((r) => r.outputs.ok), [true, true, true]);
  });
});

describe("JavaScript engine: Reflow's contract", () => {
  it('calls entry_point(inputs, context) with inputs in {type, data} form and context.send_output', async () => {
    const node = js(`
      function entry_point(inputs, context) {
        context.send_output('out', inputs.a.data + context.get_input('b'));
        context.set_state('seen', (context.get_state('seen') || 0) + 1);
        return { types: [inputs.a.type, inputs.b.type, inputs.c.type, inputs.go.type] };
      }`);
    const result = await node.call({ a: 40, b: 2, c: 'x', go: FLOW });
    assert.deepEqual(node.recorded.emits, [['out', 42]]);
    assert.deepEqual(result.outputs, { types: ['Integer', 'Integer', 'String', 'Flow'] });
    assert.deepEqual(result.state, { seen: 1 });
  });

  it('accepts entry_point as a named export too', async () => {
    const node = js(`export function entry_point(inputs, context) { context.send_output('out', inputs.x.data * 2); }`);
    await node.call({ x: 21 });
    assert.deepEqual(node.recorded.emits, [['out', 42]]);
  });

  it('calls another function when entryPoint names it (simple contract)', async () => {
    const node = js(`function main({ inputs }) { return { out: inputs.x + 1 }; }`, { source: { code: `function main({ inputs }) { return { out: inputs.x + 1 }; }`, entryPoint: 'main' } });
    assert.deepEqual((await node.call({ x: 1 })).outputs, { out: 2 });
  });
});

describe('JavaScript engine: sources and errors', () => {
  const files = tempDir();
  after(() => files.remove());

  it('runs a TypeScript file, and its errors point at the line in the .ts file', async () => {
    const file = files.write('typed.ts', [
      'interface In { n: number }',
      'export default function ({ inputs }: { inputs: In }): Record<string, number> {',
      '  if (inputs.n < 0) throw new RangeError(`negative: ${inputs.n}`);',
      '  return { out: (inputs.n as number) * 2 };',
      '}',
    ].join('\n'));
    const node = js('', { source: { file } });
    assert.deepEqual((await node.call({ n: 4 })).outputs, { out: 8 });
    const error = await rejectsWith(node.call({ n: -1 }), 'SCRIPT_ERROR', /RangeError: negative: -1/);
    assert.equal(error.line, 3);
    assert.equal(error.file, file);
    assert.match(error.scriptStack!, /typed\.ts:3:/);
  });

  it("reports the script's own message and line, and the node takes the next message", async () => {
    const node = js(`export default function ({ inputs }) {\n  if (!inputs.ok)\n    throw new Error('input not ok');\n  return { out: 1 };\n}`);
    const error = await rejectsWith(node.call({ ok: false }), 'SCRIPT_ERROR', /input not ok/);
    assert.equal(error.line, 3);
    assert.equal(error.file, '<inline>');
    assert.deepEqual((await node.call({ ok: true })).outputs, { out: 1 });
  });

  it('reports a thrown non-Error value', async () => {
    await rejectsWith(js(`export default function () { throw { reason: 'nope' }; }`).call({}), 'SCRIPT_ERROR', /non-Error value: {"reason":"nope"}/);
  });

  it('rejects a syntax error at start with its line', async () => {
    const node = js(`export default function () {\n  return { out: 1 +* 2 };\n}`);
    const error = await rejectsWith(node.engine.start(), 'SCRIPT_SYNTAX', /Unexpected token/);
    assert.equal(error.line, 2);
  });

  it('fails start with the line of an error thrown by top-level code', async () => {
    const error = await rejectsWith(js(`const table = {};\ntable.missing.key = 1;\nexport default () => {};`).engine.start(), 'SCRIPT_ERROR', /TypeError/);
    assert.equal(error.line, 2);
  });

  it('rejects TypeScript that cannot be stripped (enums)', async () => {
    const file = files.write('enum.ts', 'enum Color { Red }\nexport default () => ({ out: Color.Red });\n');
    await rejectsWith(js('', { source: { file } }).engine.start(), 'SCRIPT_SYNTAX', /enum/);
  });

  it('names the missing entry function and what the script does export', async () => {
    await rejectsWith(js(`export const helper = () => 1;`).engine.start(), 'SCRIPT_CONFIG', /exports no function 'entry_point' \(exports: helper\)/);
    await rejectsWith(js(`const x = 1;`).engine.start(), 'SCRIPT_CONFIG', /defines no function 'entry_point'/);
  });

  it('rejects a missing file, both code and file, or no source at all', async () => {
    await rejectsWith(js('', { source: { file: files.dir + '/nope.js' } }).engine.start(), 'SCRIPT_CONFIG', /cannot read script file/);
    await rejectsWith(js('', { source: { code: 'x', file: 'y' } }).engine.start(), 'SCRIPT_CONFIG', /not both/);
    await rejectsWith(js('', { source: {} }).engine.start(), 'SCRIPT_CONFIG', /has no script/);
  });

  it('refuses docker isolation and bad entry points and limits up front', () => {
    const base = { nodeId: 'n', source: { code: '' }, limits: SMALL_LIMITS, config: {} };
    assert.throws(() => new JavaScriptEngine({ ...base, isolation: 'docker' }), /isolate sandbox only/);
    assert.throws(() => new JavaScriptEngine({ ...base, isolation: 'sandbox', source: { code: '', entryPoint: 'a-b' } }), /not a JavaScript identifier/);
    assert.throws(() => new JavaScriptEngine({ ...base, isolation: 'sandbox', limits: { ...SMALL_LIMITS, timeoutMs: -1 } }), /limits.timeoutMs must be a positive number/);
  });
});

describe('JavaScript engine: output checks', () => {
  it('rejects outputs that are not a port map, or not JSON-compatible, and says which value', async () => {
    await rejectsWith(js(`export default () => 42;`).call({}), 'SCRIPT_INVALID_OUTPUT', /returned a number; return an object of port -> value/);
    await rejectsWith(js(`export default () => [1];`).call({}), 'SCRIPT_INVALID_OUTPUT', /returned an array/);
    await rejectsWith(js(`export default () => ({ out: () => 1 });`).call({}), 'SCRIPT_INVALID_OUTPUT', /'out' is a function/);
    await rejectsWith(js(`export default () => ({ out: NaN });`).call({}), 'SCRIPT_INVALID_OUTPUT', /'out' is NaN/);
    await rejectsWith(js(`export default () => { const a = {}; a.self = a; return { out: a }; };`).call({}), 'SCRIPT_INVALID_OUTPUT', /circular/);
  });

  it('rejects bad emits at the line that made them', async () => {
    const error = await rejectsWith(js(`export default ({ emit }) => {\n  emit('out', undefined);\n};`).call({}), 'SCRIPT_INVALID_OUTPUT', /nothing to send/);
    assert.equal(error.line, 2);
    await rejectsWith(js(`export default ({ emit }) => { emit(3, 1); };`).call({}), 'SCRIPT_INVALID_OUTPUT', /port must be a non-empty string/);
    await rejectsWith(js(`export default ({ emit }) => { emit('out', 10n); };`).call({}), 'SCRIPT_INVALID_OUTPUT', /is a bigint/);
  });

  it('fails the call when the host refuses an emit, even if the script catches the error', async () => {
    const node = js(`export default ({ emit }) => { try { emit('nope', 1); } catch {} return { out: 1 }; };`);
    const engine = node.engine;
    const error = await engine.call({
      inputs: {}, state: undefined, signal: new AbortController().signal, log: console,
      emit: (port) => {
        throw new ScriptError('SCRIPT_INVALID_OUTPUT', `unknown outport '${port}'`, 'declare it');
      },
    }).then(() => assert.fail('expected a failure'), (e: ScriptError) => e);
    assert.equal(error.code, 'SCRIPT_INVALID_OUTPUT');
    assert.match(error.message, /unknown outport 'nope'/);
  });

  it('waits for the backpressure promises emit returned before finishing the call', async () => {
    const node = js(`export default ({ emit }) => { emit('out', 1); emit('out', 2); };`);
    let released = 0;
    await node.call({}, { emit: () => new Promise<void>((resolve) => setImmediate(() => { released++; resolve(); })) });
    assert.equal(released, 2);
  });
});

describe('JavaScript engine: grants', () => {
  it('gives nothing from the host by default: no console, fetch, process, require, timers', async () => {
    const node = js(`export default () => ({ out: [typeof console, typeof fetch, typeof process, typeof require, typeof setTimeout, typeof WebAssembly] });`);
    assert.deepEqual((await node.call({})).outputs.out, ['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
  });

  it('maps console to the node log with the console grant', async () => {
    const node = js(`export default () => { console.log('a', { b: 1 }); console.warn('careful'); };`, { grants: { console: true } });
    await node.call({});
    assert.deepEqual(node.recorded.logs, [['info', 'a {"b":1}', undefined], ['warn', 'careful', undefined]]);
  });

  it('rejects unknown or malformed grants', () => {
    const base = { nodeId: 'n', source: { code: '' }, isolation: 'sandbox' as const, limits: SMALL_LIMITS, config: {} };
    assert.throws(() => new JavaScriptEngine({ ...base, grants: { fs: true } }), /unknown grant 'fs'/);
    assert.throws(() => new JavaScriptEngine({ ...base, grants: { fetch: { hosts: [] } } }), /non-empty list of hosts/);
  });

  it('fetches from a granted host only, and never connects to another', async () => {
    const allowed = await localServer(() => ({ body: JSON.stringify({ hello: 'world' }) }));
    const other = await localServer(() => ({ body: 'secret' }));
    try {
      const node = js(`
        export default async function ({ inputs }) {
          const res = await fetch(inputs.url);
          return { status: res.status, body: await res.json(), type: res.headers.get('Content-Type') };
        }`, { grants: { fetch: { hosts: [allowed.host] } }, limits: { ...SMALL_LIMITS, timeoutMs: 2000 } });
      const { outputs } = await node.call({ url: `http://${allowed.host}/data` });
      assert.deepEqual(outputs, { status: 200, body: { hello: 'world' }, type: 'text/plain' });
      await rejectsWith(node.call({ url: `http://${other.host}/` }), 'SCRIPT_ERROR', /host '127\.0\.0\.1:\d+' is not granted/);
      await rejectsWith(node.call({ url: 'file:///etc/passwd' }), 'SCRIPT_ERROR', /only http and https/);
      assert.deepEqual(allowed.requests, ['GET /data']);
      assert.deepEqual(other.requests, []);
    } finally {
      await allowed.close();
      await other.close();
    }
  });

  it('caps the size of a fetched response', async () => {
    const server = await localServer(() => ({ body: 'x'.repeat(5000) }));
    try {
      const node = js(`export default async ({ inputs }) => ({ out: await (await fetch(inputs.url)).text() });`,
        { grants: { fetch: { hosts: [server.host], maxResponseBytes: 1000 } }, limits: { ...SMALL_LIMITS, timeoutMs: 2000 } });
      await rejectsWith(node.call({ url: `http://${server.host}/` }), 'SCRIPT_ERROR', /larger than 1000 bytes/);
    } finally {
      await server.close();
    }
  });

  it('aborts a call that waits on the host when its signal aborts, and serves the next one', async () => {
    const server = await localServer(() => ({ body: 'ok' }));
    try {
      const node = js(`export default async ({ inputs }) => { if (inputs.hang) await new Promise(() => {}); return { out: 1 }; };`,
        { limits: { ...SMALL_LIMITS, timeoutMs: 5000 } });
      const controller = new AbortController();
      const pending = node.call({ hang: true }, { signal: controller.signal });
      setImmediate(() => controller.abort());
      await rejectsWith(pending, 'SCRIPT_ABORTED');
      assert.deepEqual((await node.call({})).outputs, { out: 1 });
    } finally {
      await server.close();
    }
  });
});

describe('JavaScript engine: metadata', () => {
  it('reads the exported metadata (names or specs for ports)', async () => {
    const meta = await javascriptEngineFactory.describe!({
      code: `export const metadata = { name: 'text/Upper', description: 'Upper-cases', inports: ['in'], outports: { out: { type: 'string' } } };
             export default () => {};`,
    });
    assert.deepEqual(meta, { name: 'text/Upper', description: 'Upper-cases', inports: { in: {} }, outports: { out: { type: 'string' } } });
  });

  it('reads a top-level metadata binding of a classic script', async () => {
    const meta = await javascriptEngineFactory.describe!({ code: `const metadata = { name: 'x/Y', inports: [{ name: 'a', port_type: 'Integer', required: true }] };\nfunction entry_point() {}` });
    assert.deepEqual(meta.inports, { a: { type: 'integer', required: true } });
  });

  it('gives empty metadata for a script without any', async () => {
    assert.deepEqual(await javascriptEngineFactory.describe!({ code: 'export default () => {}' }), { name: '', inports: {}, outports: {} });
  });
});
