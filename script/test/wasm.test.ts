import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { FLOW } from '@actorflow/network';
import type { EngineOptions } from '../src/engine.ts';
import { WasmEngine, wasmEngineFactory } from '../src/wasm/index.ts';
import { EngineDriver, SMALL_LIMITS, rejectsWith, tempDir } from './harness.ts';
import { assemble, plugin } from './wasm-fixtures.ts';

const engines: WasmEngine[] = [];
function wasm(options: Partial<EngineOptions> & { file?: string; entryPoint?: string }): EngineDriver {
  const { file, entryPoint, ...rest } = options;
  const engine = new WasmEngine({
    nodeId: 'plugin1', isolation: 'sandbox', limits: { ...SMALL_LIMITS, timeoutMs: 2000 }, config: {},
    source: { ...(file ? { file } : {}), ...(entryPoint ? { entryPoint } : {}) }, ...rest,
  });
  engines.push(engine);
  return new EngineDriver(engine);
}
after(() => Promise.all(engines.map((e) => e.dispose())));


describe("WebAssembly engine: Reflow's plugin ABI", () => {
  it('runs a stateless transform: process(ActorContext) -> ActorResult, with the node config', async () => {
    const node = wasm({ file: plugin('multiply'), config: { factor: 3 } });
    assert.deepEqual((await node.call({ value: 14 })).outputs, { out: 42 });
    assert.deepEqual((await node.call({ value: 0.5 })).outputs, { out: 1.5 });
  });

  it('keeps state on the host through __get_state / __set_state', async () => {
    const node = wasm({ file: plugin('counter') });
    await node.call({ increment: FLOW });
    await node.call({ increment: FLOW });
    assert.deepEqual((await node.call({ increment: FLOW })).outputs, { count: 3 });
    assert.deepEqual(node.state, { count: 3 });
    assert.deepEqual((await node.call({ reset: FLOW })).outputs, { count: 0 });
  });

  it('continues from the state the caller passes in', async () => {
    const node = wasm({ file: plugin('counter') });
    node.state = { count: 41 };
    assert.deepEqual((await node.call({ increment: FLOW })).outputs, { count: 42 });
  });

  it('streams outputs through __send_output before the result', async () => {
    const node = wasm({ file: plugin('stream') });
    const result = await node.call({ text: 'to be or not' });
    assert.deepEqual(node.recorded.emits, [['word', 'to'], ['word', 'be'], ['word', 'or'], ['word', 'not']]);
    assert.deepEqual(result.outputs, { count: 4 });
  });

  it('hands the plugin an ActorContext with typed messages carrying plain JSON data', async () => {
    const node = wasm({ file: plugin('hostile'), config: { mode: 'x' } });
    node.state = { seen: 1 };
    const { outputs } = await node.call({ attack: 'echo', n: 5, f: 1.5, o: { a: [1, 'b'] }, go: FLOW });
    assert.deepEqual(outputs.context, {
      payload: {
        attack: { type: 'String', data: 'echo' }, n: { type: 'Integer', data: 5 }, f: { type: 'Float', data: 1.5 },
        o: { type: 'Object', data: { a: [1, 'b'] } }, go: { type: 'Flow' },
      },
      config: { node_id: 'plugin1', component: 'script/Script', resolved_env: {}, config: { mode: 'x' }, namespace: null },
      state: { seen: 1 },
    });
  });

  it('calls the export named by entryPoint', async () => {
    assert.deepEqual((await wasm({ file: plugin('hostile'), entryPoint: 'shout' }).call({})).outputs, { out: 'HEY' });
  });

  it('reports an error the plugin sets itself, and keeps serving', async () => {
    const node = wasm({ file: plugin('multiply') });
    await rejectsWith(node.call({ value: 'seven' }), 'SCRIPT_ERROR', /multiply: inport value needs a number/);
    assert.deepEqual((await node.call({ value: 2 })).outputs, { out: 4 });
  });

  it('reports a throw in AssemblyScript with its source line', async () => {
    const error = await rejectsWith(wasm({ file: plugin('hostile') }).call({ attack: 'trap' }), 'SCRIPT_CRASHED', /boom \(hostile\.ts:\d+:\d+\)/);
    assert.ok(error.line! > 0);
  });

  it('accepts the module inline as base64', async () => {
    const node = wasm({ source: { code: readFileSync(plugin('multiply')).toString('base64') } });
    assert.deepEqual((await node.call({ value: 1 })).outputs, { out: 2 });
  });
});

describe('WebAssembly engine: metadata', () => {
  it("reads get_metadata() and normalizes Reflow's port lists", async () => {
    assert.deepEqual(await wasmEngineFactory.describe!({ file: plugin('stream') }), {
      name: 'wasm/Words', description: 'Streams the words of a text, then their count',
      inports: { text: { type: 'string', description: 'the text to split', required: true } },
      outports: { word: { type: 'string', description: 'one word per message' }, count: { type: 'integer', description: 'how many words' } },
    });
  });

  it('gives empty metadata for a plugin without get_metadata', async () => {
    assert.deepEqual(await wasmEngineFactory.describe!({ file: plugin('noop') }), { name: '', inports: {}, outports: {} });
  });
});

describe('WebAssembly engine: bad plugins and configuration', () => {
  const files = tempDir();
  after(() => files.remove());

  it('rejects a missing file, bytes that are not wasm, and no source', async () => {
    await rejectsWith(wasm({ file: `${files.dir}/nope.wasm` }).engine.start(), 'SCRIPT_CONFIG', /cannot read plugin/);
    await rejectsWith(wasm({ file: files.write('text.wasm', 'not wasm at all') }).engine.start(), 'SCRIPT_SYNTAX', /not a WebAssembly module/);
    await rejectsWith(wasm({}).engine.start(), 'SCRIPT_CONFIG', /has no plugin/);
  });

  it('names the missing entry export and what the plugin exports', async () => {
    await rejectsWith(wasm({ file: plugin('multiply'), entryPoint: 'run' }).engine.start(), 'SCRIPT_CONFIG', /exports no function 'run' \(exports: process, get_metadata\)/);
  });

  it('refuses imports the sandbox does not provide (WASI, HTTP, anything else)', async () => {
    const withImport = (mod: string, name: string) => files.write(`${name}.wasm`, Buffer.from(assemble({ imports: [[mod, name]], functions: [[]], exports: { process: 1 }, memory: 1 })) as never);
    await rejectsWith(wasm({ file: withImport('wasi_snapshot_preview1', 'path_open') }).engine.start(), 'SCRIPT_CONFIG', /imports wasi_snapshot_preview1 path_open.*WASI is not available/);
    await rejectsWith(wasm({ file: withImport('extism:host/env', 'http_request') }).engine.start(), 'SCRIPT_CONFIG', /no network access/);
    await rejectsWith(wasm({ file: withImport('env', 'system') }).engine.start(), 'SCRIPT_CONFIG', /imports env system/);
  });

  it('refuses a module that needs more memory at start than its cap', async () => {
    const big = files.write('big.wasm', Buffer.from(assemble({ functions: [[]], exports: { process: 0 }, memory: 1024 })) as never);
    await rejectsWith(wasm({ file: big }).engine.start(), 'SCRIPT_SYNTAX', /needs 1024 pages .* over the cap of 256 pages/);
  });

  it('refuses docker isolation and grants up front', () => {
    const base = { nodeId: 'n', source: { file: 'x.wasm' }, limits: SMALL_LIMITS, config: {} };
    assert.throws(() => new WasmEngine({ ...base, isolation: 'docker' }), /own sandbox only/);
    assert.throws(() => new WasmEngine({ ...base, isolation: 'sandbox', grants: { fetch: {} } }), /take no grants/);
  });
});
