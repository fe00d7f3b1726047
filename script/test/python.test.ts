// The Python engine's contract: process(inputs, state, config), Reflow's Context API and script
// mode, streaming, logging, precise errors with the script's line, and metadata discovery.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { FLOW } from '@actorflow/network';
import type { ScriptLimits } from '../src/engine.ts';
import { createPythonEngineFactory, pythonEngineFactory, type PythonEngine } from '../src/python/index.ts';
import { EngineDriver, rejection, tempDir } from './harness.ts';

const LIMITS: ScriptLimits = { timeoutMs: 5000, memoryMb: 128, maxOutputBytes: 64 * 1024 };
const engines: PythonEngine[] = [];
after(() => Promise.all(engines.map((engine) => engine.dispose())));

function python(code: string, options: { config?: Record<string, unknown>; entryPoint?: string; file?: string } = {}): { engine: PythonEngine; driver: EngineDriver } {
  const engine = pythonEngineFactory.create({
    nodeId: 'py', isolation: 'sandbox', limits: LIMITS, config: options.config ?? {},
    source: options.file ? { file: options.file } : { code, ...(options.entryPoint ? { entryPoint: options.entryPoint } : {}) },
  });
  engines.push(engine);
  return { engine, driver: new EngineDriver(engine) };
}

describe('Python engine: the process(inputs, state, config) contract', () => {
  it('returns a dict of port -> value computed from the inputs and the node config', async () => {
    const { driver } = python('def process(inputs, state, config):\n    return {"out": inputs["x"] * config["factor"], "port": Context.port}', { config: { factor: 3 } });
    assert.deepEqual((await driver.call({ x: 14 }, { port: 'x' })).outputs, { out: 42, port: 'x' });
  });

  it('keeps state mutated in place across calls (the state lives in Node and travels with each call)', async () => {
    const { driver } = python('def process(inputs, state, config):\n    state["n"] = state.get("n", 0) + inputs["x"]\n    return {"total": state["n"]}');
    await driver.call({ x: 1 });
    await driver.call({ x: 2 });
    assert.deepEqual((await driver.call({ x: 3 })).outputs, { total: 6 });
    assert.deepEqual(driver.state, { n: 6 });
  });

  it('replaces the state with the second item of a returned (outputs, state) pair', async () => {
    const { driver } = python('def process(inputs, state, config):\n    return {"seen": state}, {"last": inputs["x"]}');
    await driver.call({ x: 'a' });
    assert.deepEqual((await driver.call({ x: 'b' })).outputs, { seen: { last: 'a' } });
    assert.deepEqual(driver.state, { last: 'b' });
  });

  it('streams emits during the call, in order, before the returned outputs', async () => {
    const { driver } = python([
      'def process(inputs, state, config):',
      '    for i in range(3):',
      '        Context.send_output("progress", i)',
      '    return {"done": True}',
    ].join('\n'));
    const result = await driver.call({});
    assert.deepEqual(driver.recorded.emits, [['progress', 0], ['progress', 1], ['progress', 2]]);
    assert.deepEqual(result.outputs, { done: true });
  });

  it('stops reading the host while an emit waits for downstream (backpressure), then delivers the rest in order', async () => {
    const { driver } = python('def process(inputs, state, config):\n    for i in range(5):\n        Context.send_output("out", i)\n    return {}');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let settled = false;
    let firstEmit!: () => void;
    const first = new Promise<void>((resolve) => { firstEmit = resolve; });
    const call = driver.call({}, {
      emit: (_port, value) => {
        if (value !== 0) return undefined;
        firstEmit();
        return gate;
      },
    }).then((r) => { settled = true; return r; });
    await first;
    // give the host ample time to write everything else: none of it may be delivered while the emit is blocked
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(driver.recorded.emits, [['out', 0]]);
    assert.equal(settled, false);
    release();
    await call;
    assert.deepEqual(driver.recorded.emits.map(([, v]) => v), [0, 1, 2, 3, 4]);
  });

  it('passes values by parameter name: process(inputs, context), async def, send_output(dict)', async () => {
    const { driver } = python([
      'async def process(inputs, context):',
      '    context.send_output({"a": 1, "b": 2})',
      '    return {"config": context.get_config()}',
    ].join('\n'), { config: { k: 'v' } });
    assert.deepEqual((await driver.call({})).outputs, { config: { k: 'v' } });
    assert.deepEqual(driver.recorded.emits, [['a', 1], ['b', 2]]);
  });

  it('carries bytes both ways (Uint8Array <-> bytes), bigint inputs as exact Python ints, other values in plain JSON form', async () => {
    const { driver } = python('def process(inputs, state, config):\n    return {"bytes": inputs["b"][::-1], "big": str(inputs["n"] + 1), "kind": type(inputs["b"]).__name__, "rest": inputs["rest"]}');
    const rest = { when: new Date(0), flow: FLOW, error: Object.assign(new Error('boom'), { code: 'E_X' }), nan: Number.NaN };
    const { outputs } = await driver.call({ b: new Uint8Array([1, 2, 3]), n: 2n ** 64n, rest });
    assert.deepEqual(outputs, {
      bytes: new Uint8Array([3, 2, 1]), big: '18446744073709551617', kind: 'bytes',
      rest: { when: '1970-01-01T00:00:00.000Z', flow: 'flow', error: { message: 'boom', name: 'Error', code: 'E_X' }, nan: null },
    });
  });

  it('uses the @actor-decorated function as the entry point, or the one named by entryPoint', async () => {
    const decorated = python('from actorflow import actor\n@actor(name="t/Double", inports=["x"], outports=["y"])\ndef double(inputs, state, config):\n    return {"y": inputs["x"] * 2}');
    assert.deepEqual((await decorated.driver.call({ x: 4 })).outputs, { y: 8 });
    assert.deepEqual(decorated.engine.ready, { mode: 'function', entry: 'double' });
    const named = python('def process(i, s, c):\n    return {"which": "process"}\ndef other(i, s, c):\n    return {"which": "other"}', { entryPoint: 'other' });
    assert.deepEqual((await named.driver.call({})).outputs, { which: 'other' });
  });

  it('routes print() and sys.stderr to the call logger; writing to fd 1 or reading stdin cannot corrupt the protocol', async () => {
    const { driver } = python([
      'import os, sys',
      'print("loaded")',
      'def process(inputs, state, config):',
      '    print("hello", inputs["x"])',
      '    print("careful", file=sys.stderr)',
      '    os.write(1, b"raw bytes on fd 1\\n")',
      '    return {"stdin": sys.stdin.read()}',
    ].join('\n'));
    assert.deepEqual((await driver.call({ x: 1 })).outputs, { stdin: '' });
    const logs = driver.recorded.logs.map(([level, message]) => `${level}:${message}`);
    for (const line of ['info:loaded', 'info:hello 1', 'warn:careful']) assert.ok(logs.includes(line), `${line} in ${logs.join(' | ')}`);
  });
});

describe('Python engine: host lifecycle', () => {
  it('replaces a host that used up its CPU-time budget between calls, without failing a call or losing state', async () => {
    const engine = createPythonEngineFactory({ cpuSeconds: 1 }).create({
      nodeId: 'busy', isolation: 'sandbox', config: {}, limits: { ...LIMITS, timeoutMs: 3000 },
      source: { code: [
        'import os, time',
        'HOST = os.urandom(8).hex()   # one value per host process',
        'def process(inputs, state, config):',
        '    started = time.process_time()',
        '    while time.process_time() - started < 0.4:',
        '        pass',
        '    state["calls"] = state.get("calls", 0) + 1',
        '    return {"host": HOST}',
      ].join('\n') },
    });
    engines.push(engine);
    const driver = new EngineDriver(engine);
    const hosts = [];
    for (let i = 0; i < 4; i++) hosts.push((await driver.call({})).outputs.host);
    assert.equal(hosts[0], hosts[1], 'the first host serves until it passes its budget (1 s)');
    assert.notEqual(hosts[3], hosts[0], 'then a fresh host takes over');
    assert.deepEqual(driver.state, { calls: 4 });
  });
});

describe('Python engine: sandbox uids', () => {
  it('never hands the same uid to nodes in different threads (claims under /run/actorflow/uids), and frees it on dispose', async (t) => {
    if (!(await pythonEngineFactory.sandboxSupport()).dropsPrivileges) return t.skip('hosts keep the server\'s uid here (not root)');
    const range = { uidBase: 1_990_000_000 + (process.pid % 1000) * 4, uidCount: 1 };
    const first = createPythonEngineFactory(range).create({ nodeId: 'uid-a', isolation: 'sandbox', config: {}, limits: LIMITS, source: { code: '' } });
    engines.push(first);
    await first.start();
    assert.equal(first.sandboxUid, range.uidBase);
    const moduleUrl = new URL('../src/python/index.ts', import.meta.url).href;
    const inWorker = new Promise<string>((resolve, reject) => {
      const worker = new Worker(`
        const { parentPort, workerData } = require('node:worker_threads');
        import(workerData.moduleUrl).then(async ({ createPythonEngineFactory }) => {
          const engine = createPythonEngineFactory(workerData.range).create({ nodeId: 'uid-b', isolation: 'sandbox', config: {},
            limits: { timeoutMs: 5000, memoryMb: 64, maxOutputBytes: 1000 }, source: { code: '' } });
          try { await engine.start(); parentPort.postMessage('uid ' + engine.sandboxUid); }
          catch (error) { parentPort.postMessage(error.code + ': ' + error.message); }
          finally { await engine.dispose(); }
        });`, { eval: true, workerData: { moduleUrl, range } });
      worker.once('message', (message: string) => { resolve(message); void worker.terminate(); });
      worker.once('error', reject);
    });
    assert.match(await inWorker, /^SCRIPT_CONFIG: all 1 sandbox uids .* are in use/);
    await first.dispose();
    const second = createPythonEngineFactory(range).create({ nodeId: 'uid-c', isolation: 'sandbox', config: {}, limits: LIMITS, source: { code: '' } });
    engines.push(second);
    await second.start();
    assert.equal(second.sandboxUid, range.uidBase, 'the disposed node\'s uid is free again');
  });
});

describe('Python engine: cancellation and disposal', () => {
  it('kills the host when the caller aborts a call, rejects with the abort reason, and serves the next message', async () => {
    const { driver } = python('import time\ndef process(inputs, state, config):\n    if inputs.get("slow"):\n        time.sleep(60)\n    return {"ok": True}');
    await driver.call({});
    const controller = new AbortController();
    const pending = driver.call({ slow: true }, { signal: controller.signal, emit: () => undefined });
    const reason = new Error('network stopping');
    setImmediate(() => controller.abort(reason));
    assert.equal(await pending.then(() => undefined, (e: unknown) => e), reason);
    assert.deepEqual((await driver.call({})).outputs, { ok: true });
  });

  it('refuses calls after dispose with a clear error', async () => {
    const { engine, driver } = python('def process(inputs, state, config):\n    return {}');
    await driver.call({});
    await engine.dispose();
    assert.match((await rejection(driver.call({}))).message, /disposed/);
  });
});

describe('Python engine: Reflow\'s script contract', () => {
  it('gives Context.get_inputs() messages with .data and .type, and Context.send_output(non-dict) goes to "out"', async () => {
    const { driver } = python([
      'def process(inputs, state, config):',
      '    msgs = Context.get_inputs()',
      '    Context.send_output(msgs["a"].data + 1)',
      '    return {"types": [msgs["a"].type, msgs["s"].type, msgs["o"].type]}',
    ].join('\n'));
    const { outputs } = await driver.call({ a: 1, s: 'x', o: { k: 1 } });
    assert.deepEqual(outputs, { types: ['Integer', 'String', 'Object'] });
    assert.deepEqual(driver.recorded.emits, [['out', 2]]);
  });

  it('runs a script without an entry function once per message: its last expression is the result (a scalar goes to "out")', async () => {
    const { engine, driver } = python('n = Context.get_input("n", 0)\nstate["calls"] = state.get("calls", 0) + 1\nn * 10');
    assert.deepEqual((await driver.call({ n: 4 })).outputs, { out: 40 });
    assert.deepEqual(engine.ready, { mode: 'script', entry: null });
    await driver.call({ n: 1 });
    assert.deepEqual(driver.state, { calls: 2 });
  });

  it('takes __return_value as the script result and maps a dict to ports', async () => {
    const { driver } = python('__return_value = {"left": inputs["v"], "right": -inputs["v"]}');
    assert.deepEqual((await driver.call({ v: 5 })).outputs, { left: 5, right: -5 });
  });
});

describe('Python engine: errors carry the script\'s message and line', () => {
  it('reports a syntax error at start with its line (SCRIPT_SYNTAX)', async () => {
    const { engine } = python('def process(inputs, state, config):\n    return {"a": 1\n\nx = 1');
    const error = await rejection(engine.start());
    assert.equal(error.code, 'SCRIPT_SYNTAX');
    assert.equal(error.line, 2);
    assert.match(error.message, /SyntaxError/);
  });

  it('reports an exception with the Python message, the line and a traceback of the script only; the node serves the next message', async () => {
    const { driver } = python('def helper(x):\n    return 10 / x\n\ndef process(inputs, state, config):\n    return {"out": helper(inputs["x"])}');
    const error = await rejection(driver.call({ x: 0 }));
    assert.equal(error.code, 'SCRIPT_ERROR');
    assert.match(error.message, /^ZeroDivisionError: division by zero \(<inline> line 2\)/);
    assert.equal(error.line, 2);
    assert.match(error.scriptStack ?? '', /line 5, in process[\s\S]*line 2, in helper/);
    assert.doesNotMatch(error.scriptStack ?? '', /actor_host/);
    assert.deepEqual((await driver.call({ x: 5 })).outputs, { out: 2 });
  });

  it('fails start() when module-level code raises, naming the line', async () => {
    const { engine } = python('import json\nconfig_value = {}["missing"]\ndef process(i, s, c):\n    return {}');
    const error = await rejection(engine.start());
    assert.equal(error.code, 'SCRIPT_ERROR');
    assert.equal(error.line, 2);
    assert.match(error.message, /KeyError: 'missing'/);
  });

  it('names the defined functions when the entryPoint does not exist (SCRIPT_CONFIG)', async () => {
    const { engine } = python('def handle(i, s, c):\n    return {}', { entryPoint: 'run' });
    const error = await rejection(engine.start());
    assert.equal(error.code, 'SCRIPT_CONFIG');
    assert.match(error.message, /entry point 'run' is not defined/);
    assert.match(error.hint, /handle/);
  });

  it('rejects a return value that is not a dict, and non-JSON values, with the port named (SCRIPT_INVALID_OUTPUT)', async () => {
    const { driver } = python([
      'def process(inputs, state, config):',
      '    if inputs["case"] == "list": return [1, 2]',
      '    if inputs["case"] == "object": return {"out": object()}',
      '    if inputs["case"] == "nan": Context.send_output("ratio", float("nan"))',
      '    if inputs["case"] == "state": state["f"] = lambda: 1',
      '    return {}',
    ].join('\n'));
    const list = await rejection(driver.call({ case: 'list' }));
    assert.equal(list.code, 'SCRIPT_INVALID_OUTPUT');
    assert.match(list.message, /process\(\) returned list/);
    assert.match((await rejection(driver.call({ case: 'object' }))).message, /returned outputs is not JSON-compatible: object values/);
    const nan = await rejection(driver.call({ case: 'nan' }));
    assert.match(nan.message, /port 'ratio' is not JSON-compatible.*Out of range float/);
    assert.equal(nan.line, 4);
    assert.match((await rejection(driver.call({ case: 'state' }))).message, /node state is not JSON-compatible/);
    assert.deepEqual((await driver.call({ case: 'ok' })).outputs, {});
  });

  it('reports sys.exit() as a script error and keeps the host', async () => {
    const { driver } = python('import sys\ndef process(inputs, state, config):\n    if inputs.get("quit"): sys.exit(2)\n    return {"ok": True}');
    const error = await rejection(driver.call({ quit: true }));
    assert.equal(error.code, 'SCRIPT_ERROR');
    assert.match(error.message, /sys\.exit\(2\)/);
    assert.deepEqual((await driver.call({})).outputs, { ok: true });
  });

  it('names the file in errors of a script loaded from a file, and reports a missing file (SCRIPT_CONFIG)', async () => {
    const tmp = tempDir();
    try {
      const file = tmp.write('broken.py', 'def process(inputs, state, config):\n    raise ValueError("bad input")\n');
      const error = await rejection(python('', { file }).driver.call({}));
      assert.equal(error.file, file);
      assert.match(error.message, new RegExp(`ValueError: bad input \\(${file.replace(/[/.]/g, '\\$&')} line 2\\)`));
      const missing = await rejection(python('', { file: `${tmp.dir}/nope.py` }).engine.start());
      assert.equal(missing.code, 'SCRIPT_CONFIG');
      assert.match(missing.message, /cannot read the script/);
    } finally {
      tmp.remove();
    }
  });

  it('rejects impossible limits and grants before spawning anything (SCRIPT_CONFIG)', async () => {
    const tiny = pythonEngineFactory.create({ nodeId: 'tiny', isolation: 'sandbox', config: {}, source: { code: '' }, limits: { ...LIMITS, memoryMb: 8 } });
    assert.match((await rejection(tiny.start())).hint, /memoryMb at least 32/);
    const granted = pythonEngineFactory.create({ nodeId: 'g', isolation: 'sandbox', config: {}, source: { code: '' }, limits: LIMITS, grants: { fetch: true } });
    assert.equal((await rejection(granted.start())).code, 'SCRIPT_CONFIG');
  });
});

describe('Python engine: metadata discovery with describe()', () => {
  it('reads @actor(...) metadata without running the script', async () => {
    const meta = await pythonEngineFactory.describe({
      file: '/somewhere/doubler.actor.py',
      code: [
        'raise SystemExit("running this file would fail")',
        '@actor(name="math/Double", description="Doubles x", category="math", version="1.0",',
        '       inports=["x", {"name": "factor", "type": "number", "required": False, "default": 2}],',
        '       outports={"y": {"type": "number"}}, config={"type": "object"})',
        'def double(inputs, state, config):',
        '    return {"y": inputs["x"] * 2}',
      ].join('\n'),
    });
    assert.deepEqual(meta, {
      name: 'math/Double', description: 'Doubles x', category: 'math', version: '1.0',
      inports: { x: {}, factor: { type: 'number', default: 2 } },
      outports: { y: { type: 'number' } }, config: { type: 'object' },
    });
  });

  it('reads __actor_metadata__ (Reflow spellings accepted); an omitted name stays empty for discovery to fill', async () => {
    const meta = await pythonEngineFactory.describe({
      file: '/x/counter.actor.py',
      code: '__actor_metadata__ = {"inports": [{"name": "tick", "port_type": "flow"}], "outports": ["count"], "config_schema": {"type": "object"}}\ndef process(i, s, c):\n    return {}',
    });
    assert.deepEqual(meta, { name: '', inports: { tick: { type: 'flow' } }, outports: { count: {} }, config: { type: 'object' } });
  });

  it('refuses metadata that would need running code, naming the line (SCRIPT_CONFIG)', async () => {
    const error = await rejection(pythonEngineFactory.describe({ code: 'import os\n@actor(name=os.environ["X"])\ndef process(i, s, c):\n    return {}' }));
    assert.equal(error.code, 'SCRIPT_CONFIG');
    assert.equal(error.line, 2);
    assert.match(error.message, /not a literal/);
  });

  it('gives empty metadata for a script that declares none (the caller\'s defaults apply), and reports syntax errors with their line', async () => {
    assert.deepEqual(await pythonEngineFactory.describe({ code: 'def process(i, s, c):\n    return {}' }), { name: '', inports: {}, outports: {} });
    const syntax = await rejection(pythonEngineFactory.describe({ code: 'x = (\n' }));
    assert.equal(syntax.code, 'SCRIPT_SYNTAX');
    assert.equal(syntax.line, 1);
  });

  it('rejects malformed port lists with the expected shapes in the hint', async () => {
    const error = await rejection(pythonEngineFactory.describe({ code: '@actor(name="a/B", inports=[1])\ndef process(i, s, c):\n    return {}' }));
    assert.match(error.message, /line 1: metadata\.inports: port #0 must be a name or an object with a name/);
    assert.equal(error.line, 1);
    assert.match(error.hint, /declare ports as \['in', 'out'\]/);
  });
});

describe('Python engine: sandbox detection', () => {
  it('reports the sandbox levels of this machine, and nodes run under the best one', async () => {
    const support = await pythonEngineFactory.sandboxSupport();
    assert.equal(support.available.prlimit, true, support.notes.join('; '));
    const { engine, driver } = python('def process(i, s, c):\n    return {}');
    await driver.call({});
    assert.equal(engine.isolationLevel, support.best);
    if (support.notes.length > 0) console.log(`# sandbox notes: ${support.notes.join('; ')}`);
  });
});
