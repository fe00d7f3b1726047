// Security corpus for WebAssembly nodes: each attack must be contained with a clear error, and the
// SAME node must then serve a normal message (the process and the node keep serving).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ScriptError } from '../src/engine.ts';
import { WasmEngine } from '../src/wasm/index.ts';
import { EngineDriver, SMALL_LIMITS, tempDir } from './harness.ts';
import { FOREVER, assemble, plugin } from './wasm-fixtures.ts';

const engines: WasmEngine[] = [];
const files = tempDir();
after(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
  files.remove();
});

/** A node of the hostile plugin; attacks other than runaway code get a generous time limit so that load on the machine never decides the outcome. */
function hostile(timeoutMs = 5000): EngineDriver {
  const engine = new WasmEngine({ nodeId: 'victim', source: { file: plugin('hostile') }, isolation: 'sandbox', limits: { ...SMALL_LIMITS, timeoutMs }, config: {} });
  engines.push(engine);
  return new EngineDriver(engine);
}

/** Runs `attack` on a hostile node, expects `code`, then checks the same node still answers. */
async function contained(attack: string, code: string, message?: RegExp, driver = hostile()): Promise<ScriptError> {
  const error = await driver.call({ attack }).then(() => assert.fail(`the ${attack} attack succeeded`), (e: unknown) => e);
  assert.ok(error instanceof ScriptError, `expected a ScriptError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  if (message) assert.match(error.message, message);
  assert.deepEqual((await driver.call({})).outputs, { ok: true }, 'the node must serve the next message');
  return error;
}

describe('WebAssembly security corpus: runaway code', () => {
  it('stops an infinite loop at the time limit (on the calling thread, by the watchdog)', async () => {
    const started = performance.now();
    await contained('loop', 'SCRIPT_TIMEOUT', /ran longer than 300 ms/, hostile(300));
    assert.ok(performance.now() - started < 5000);
  });

  it('stops exponential recursion that has no loop (checked at function entry)', async () => {
    await contained('recursion', 'SCRIPT_TIMEOUT', /ran longer than 300 ms/, hostile(300));
  });

  it('stops an infinite loop in the start function, before any call', async () => {
    const file = files.write('start-loop.wasm', Buffer.from(assemble({ functions: [FOREVER, []], exports: { process: 1 }, start: 0, memory: 1 })) as never);
    const engine = new WasmEngine({ nodeId: 'start', source: { file }, isolation: 'sandbox', limits: SMALL_LIMITS, config: {} });
    engines.push(engine);
    await assert.rejects(engine.start(), (e: ScriptError) => e.code === 'SCRIPT_TIMEOUT' && /while initializing/.test(e.message));
  });

  it('keeps deadlines of different nodes apart', async () => {
    const quick = new WasmEngine({ nodeId: 'quick', source: { file: plugin('hostile') }, isolation: 'sandbox', limits: { ...SMALL_LIMITS, timeoutMs: 100 }, config: {} });
    engines.push(quick);
    const slow = hostile(300);
    await slow.call({});
    const started = performance.now();
    await assert.rejects(new EngineDriver(quick).call({ attack: 'loop' }), (e: ScriptError) => e.code === 'SCRIPT_TIMEOUT');
    assert.ok(performance.now() - started < 2000);
    assert.deepEqual((await slow.call({})).outputs, { ok: true });
  });
});

describe('WebAssembly security corpus: memory', () => {
  it('stops a memory hog at the host-side cap of limits.memoryMb', async () => {
    const before = process.memoryUsage().rss;
    await contained('hog', 'SCRIPT_MEMORY', /used all of its 16 MB/);
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'the plugin memory stayed near its cap');
  });

  it('reports an out-of-bounds access as a crash, not a host failure', async () => {
    await contained('oob', 'SCRIPT_CRASHED', /memory access out of bounds/);
  });

  it('reports a trap with the plugin message and line', async () => {
    await contained('trap', 'SCRIPT_CRASHED', /boom \(hostile\.ts:\d+:\d+\)/);
  });
});

describe('WebAssembly security corpus: files, network and host objects', () => {
  it('cannot reach /etc/passwd or project files: no WASI is provided, and a plugin importing it is refused', async () => {
    const file = files.write('wasi.wasm', Buffer.from(assemble({ imports: [['wasi_snapshot_preview1', 'path_open'], ['wasi_snapshot_preview1', 'fd_read']], functions: [[]], exports: { process: 2 }, memory: 1 })) as never);
    const engine = new WasmEngine({ nodeId: 'fs', source: { file }, isolation: 'sandbox', limits: SMALL_LIMITS, config: {} });
    engines.push(engine);
    await assert.rejects(engine.start(), (e: ScriptError) => e.code === 'SCRIPT_CONFIG' && /WASI is not available/.test(e.message));
  });

  it('cannot open network connections: a plugin importing http_request is refused', async () => {
    const file = files.write('http.wasm', Buffer.from(assemble({ imports: [['extism:host/env', 'http_request']], functions: [[]], exports: { process: 1 }, memory: 1 })) as never);
    const engine = new WasmEngine({ nodeId: 'net', source: { file }, isolation: 'sandbox', limits: SMALL_LIMITS, config: {} });
    engines.push(engine);
    await assert.rejects(engine.start(), (e: ScriptError) => e.code === 'SCRIPT_CONFIG' && /no network access/.test(e.message));
  });

  it('reaches the host only through the ABI: any other import is refused', async () => {
    const file = files.write('host.wasm', Buffer.from(assemble({ imports: [['env', 'eval'], ['node', 'process']], functions: [[]], exports: { process: 2 }, memory: 1 })) as never);
    const engine = new WasmEngine({ nodeId: 'host', source: { file }, isolation: 'sandbox', limits: SMALL_LIMITS, config: {} });
    engines.push(engine);
    await assert.rejects(engine.start(), (e: ScriptError) => e.code === 'SCRIPT_CONFIG' && /imports env eval/.test(e.message));
  });
});

describe('WebAssembly security corpus: enormous and invalid outputs', () => {
  it('refuses an enormous result', async () => {
    await contained('huge', 'SCRIPT_OUTPUT_TOO_LARGE', /262144 bytes, over the limit of 65536/);
  });

  it('stops a __send_output flood at limits.maxOutputBytes', async () => {
    const driver = hostile();
    await contained('flood', 'SCRIPT_OUTPUT_TOO_LARGE', /__send_output/, driver);
    assert.ok(driver.recorded.emits.length < 2000);
  });

  it('refuses an enormous state', async () => {
    await contained('huge_state', 'SCRIPT_OUTPUT_TOO_LARGE', /state of node 'victim' is \d+ bytes/);
  });

  it('refuses output that is not JSON, not an ActorResult, or not typed messages', async () => {
    await contained('garbage', 'SCRIPT_INVALID_OUTPUT', /not JSON: "this is not \{json"/);
    await contained('not_result', 'SCRIPT_INVALID_OUTPUT', /not an ActorResult object/);
    await contained('bad_message', 'SCRIPT_INVALID_OUTPUT', /outputs\.out: .*expected a typed message/);
  });

  it('refuses a __send_output argument that is not a port map', async () => {
    await contained('bad_send', 'SCRIPT_INVALID_OUTPUT', /__send_output expects an object of port -> value/);
  });
});
