// Security corpus for JavaScript nodes: each attack must be contained with a clear error, and the
// SAME node must then serve a normal message (the process and the node keep serving).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ScriptError } from '../src/engine.ts';
import { JavaScriptEngine } from '../src/javascript/index.ts';
import { contained, EngineDriver, SMALL_LIMITS, localServer } from './harness.ts';

const engines: JavaScriptEngine[] = [];
after(() => Promise.all(engines.map((e) => e.dispose())));

/** A node whose script runs `attack` when inputs.attack is set, and answers { ok: true } otherwise. */
function node(attack: string, options: { grants?: Record<string, unknown>; limits?: Partial<typeof SMALL_LIMITS> } = {}): EngineDriver {
  const code = `export default async function ({ inputs, emit, log, state }) {\n  if (inputs.attack) {\n${attack}\n  }\n  return { ok: true };\n}`;
  const engine = new JavaScriptEngine({
    nodeId: 'victim', source: { code }, isolation: 'sandbox', config: {}, limits: { ...SMALL_LIMITS, ...options.limits },
    ...(options.grants ? { grants: options.grants } : {}),
  });
  engines.push(engine);
  return new EngineDriver(engine);
}

describe('JavaScript security corpus: runaway code', () => {
  it('stops an infinite loop at the time limit', async () => {
    const started = performance.now();
    await contained(node('while (true) {}'), 'SCRIPT_TIMEOUT', /ran longer than 300 ms/);
    assert.ok(performance.now() - started < 3000);
  });

  it('stops an infinite loop that starts after an await', async () => {
    await contained(node('await null; for (;;) {}'), 'SCRIPT_TIMEOUT');
  });

  it('stops an endless chain of microtasks', async () => {
    await contained(node('for (;;) await null;'), 'SCRIPT_TIMEOUT');
  });

  it('stops a promise chain that grows without end (by time or by memory, whichever comes first)', async () => {
    const driver = node('const spin = () => Promise.resolve().then(spin); spin(); await new Promise(() => {});');
    const error = await driver.call({ attack: true }).then(() => assert.fail('expected a failure'), (e: ScriptError) => e);
    assert.ok(error.code === 'SCRIPT_MEMORY' || error.code === 'SCRIPT_TIMEOUT', error.message);
    assert.deepEqual((await driver.call({})).outputs, { ok: true });
  });

  it('stops a promise that never settles', async () => {
    await contained(node('await new Promise(() => {});'), 'SCRIPT_TIMEOUT');
  });

  it('stops an infinite loop in top-level code when the node starts', async () => {
    const engine = new JavaScriptEngine({ nodeId: 'top', source: { code: 'while (true) {}\nexport default () => {}' }, isolation: 'sandbox', limits: SMALL_LIMITS, config: {} });
    engines.push(engine);
    await assert.rejects(engine.start(), (e: ScriptError) => e.code === 'SCRIPT_TIMEOUT');
  });

  it('contains output nested too deeply to serialize', async () => {
    await contained(node('let deep = {}; for (let i = 0; i < 1e5; i++) deep = { deep }; return { out: deep };', { limits: { timeoutMs: 10_000 } }), 'SCRIPT_INVALID_OUTPUT', /Maximum call stack size exceeded/);
  });

  it('turns unbounded recursion into a script error', async () => {
    await contained(node('const f = () => f() + 1; f();'), 'SCRIPT_ERROR', /Maximum call stack size exceeded/);
  });
});

describe('JavaScript security corpus: memory', () => {
  it('stops a memory bomb at the isolate heap limit', async () => {
    // A generous time limit: load on the machine must not decide between time and memory.
    await contained(node('const hoard = []; while (true) hoard.push(new Array(1e5).fill(Math.random()));', { limits: { timeoutMs: 10_000 } }), 'SCRIPT_MEMORY', /more than 16 MB/);
  });

  it('ends a string-doubling bomb with a script error before it grows', async () => {
    await contained(node("let s = 'x'; while (true) s += s;"), 'SCRIPT_ERROR', /Invalid string length/);
  });

  it('refuses a huge ArrayBuffer instead of allocating it', async () => {
    await contained(node('new ArrayBuffer(2 ** 31);'), 'SCRIPT_ERROR', /Array buffer allocation failed|Invalid array buffer length/);
  });

  it('offers no WebAssembly.Memory, which would escape the heap limit', async () => {
    const before = process.memoryUsage().rss;
    await contained(node('const m = new WebAssembly.Memory({ initial: 8192 }); new Uint8Array(m.buffer).fill(1);'), 'SCRIPT_ERROR', /WebAssembly is not defined/);
    assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024);
  });

  it('offers no SharedArrayBuffer or Atomics (no blocking waits)', async () => {
    await contained(node('Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);'), 'SCRIPT_ERROR', /Atomics is not defined/);
  });
});

describe('JavaScript security corpus: files, processes and the network', () => {
  it('cannot import node modules to read /etc/passwd', async () => {
    const engine = new JavaScriptEngine({ nodeId: 'fs', source: { code: "import { readFileSync } from 'node:fs';\nexport default () => ({ out: readFileSync('/etc/passwd', 'utf8') });" }, isolation: 'sandbox', limits: SMALL_LIMITS, config: {} });
    engines.push(engine);
    await assert.rejects(engine.start(), (e: ScriptError) => e.code === 'SCRIPT_SYNTAX' && /cannot import modules/.test(e.message) && e.line === 1);
  });

  it('cannot load modules dynamically either', async () => {
    await contained(node("const fs = await import('node:fs'); return { out: fs.readFileSync('/etc/passwd', 'utf8') };"), 'SCRIPT_ERROR');
  });

  it('has no require, process, Deno/Bun or host globals to reach the file system or spawn processes', async () => {
    const out = await contained(node(`
      const reach = ['require', 'process', 'module', 'Buffer', 'Deno', 'Bun', 'global', 'setTimeout', 'XMLHttpRequest', 'WebSocket', 'fetch']
        .filter((name) => typeof globalThis[name] !== 'undefined');
      return { reach };`), null);
    assert.deepEqual(out, { reach: [] });
  });

  it('cannot read the project files through the Function constructor or eval', async () => {
    const out = await contained(node(`
      const viaFunction = Function('return typeof process')();
      const viaEval = (0, eval)('typeof require');
      const viaConstructor = emit.constructor.constructor('return typeof process')();
      return { found: [viaFunction, viaEval, viaConstructor] };`), null);
    assert.deepEqual(out, { found: ['undefined', 'undefined', 'undefined'] });
  });

  it('opens no network connection without the fetch grant', async () => {
    const server = await localServer(() => ({ body: 'secret' }));
    try {
      await contained(node(`await fetch('http://${server.host}/');`), 'SCRIPT_ERROR', /fetch is not defined/);
      assert.deepEqual(server.requests, []);
    } finally {
      await server.close();
    }
  });

  it('reaches only the granted hosts with the fetch grant', async () => {
    const granted = await localServer(() => ({ body: 'ok' }));
    const forbidden = await localServer(() => ({ body: 'secret' }));
    try {
      const driver = node(`await fetch('http://${forbidden.host}/steal');`, { grants: { fetch: { hosts: [granted.host] } }, limits: { timeoutMs: 2000 } });
      await contained(driver, 'SCRIPT_ERROR', /is not granted/);
      const sneaky = node(`await fetch('http://localhost:${forbidden.host.split(':')[1]}/steal');`, { grants: { fetch: { hosts: [granted.host] } }, limits: { timeoutMs: 2000 } });
      await contained(sneaky, 'SCRIPT_ERROR', /is not granted/);
      assert.deepEqual(forbidden.requests, []);
    } finally {
      await granted.close();
      await forbidden.close();
    }
  });
});

describe('JavaScript security corpus: host objects', () => {
  it('exposes no isolated-vm reference or host function: emit and log are plain sandbox functions', async () => {
    const out = await contained(node(`
      const seen = [];
      for (const f of [emit, log.info]) {
        seen.push(Object.getOwnPropertyNames(f).filter((k) => !['length', 'name', 'prototype'].includes(k)).join(','));
        seen.push(String(Object.getPrototypeOf(f) === Function.prototype));
      }
      return { seen, ivm: typeof globalThis.ivm, ref: typeof globalThis.Reference };`), null);
    assert.deepEqual(out, { seen: ['', 'true', '', 'true'], ivm: 'undefined', ref: 'undefined' });
  });

  it('keeps prototype pollution inside the sandbox', async () => {
    const out = await contained(node(`
      Object.prototype.polluted = 'yes';
      Array.prototype.map = () => 'hijacked';
      JSON.stringify = () => '{"hijacked":true}';
      emit('out', JSON.parse('{"__proto__": {"admin": true}, "n": 1}'));
      return { fine: true };`), null);
    assert.deepEqual(out, { fine: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
    assert.equal(typeof [].map(() => 1), 'object');
  });

  it('delivers emitted objects as plain host data, a "__proto__" key being a plain property', async () => {
    const driver = node(`emit('out', JSON.parse('{"__proto__": {"admin": true}, "n": 1}'));`);
    await contained(driver, null);
    const [port, value] = driver.recorded.emits[0] as [string, Record<string, unknown>];
    assert.equal(port, 'out');
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(value.admin, undefined);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });
});

describe('JavaScript security corpus: enormous and invalid outputs', () => {
  it('stops an emit flood at limits.maxOutputBytes', async () => {
    const driver = node("for (let i = 0; i < 1e6; i++) emit('out', 'x'.repeat(1000));", { limits: { timeoutMs: 10_000 } });
    await contained(driver, 'SCRIPT_OUTPUT_TOO_LARGE', /over the limit of 65536/);
    assert.ok(driver.recorded.emits.length < 70);
  });

  it('refuses one enormous returned value', async () => {
    await contained(node("return { out: 'x'.repeat(1e6) };"), 'SCRIPT_OUTPUT_TOO_LARGE');
  });

  it('stops log spam at the same budget', async () => {
    await contained(node("for (;;) log.info('spam '.repeat(100));", { limits: { timeoutMs: 10_000 } }), 'SCRIPT_OUTPUT_TOO_LARGE', /a log line/);
  });

  it('refuses an enormous state', async () => {
    await contained(node("state.blob = 'x'.repeat(1e6);"), 'SCRIPT_OUTPUT_TOO_LARGE', /state/);
  });

  it('refuses values with no JSON form', async () => {
    await contained(node('return { out: Symbol("s") };'), 'SCRIPT_INVALID_OUTPUT', /'out' is a symbol/);
    await contained(node('return { out: 2n ** 64n };'), 'SCRIPT_INVALID_OUTPUT', /bigint/);
  });

  it('refuses a thenable that resolves to garbage', async () => {
    await contained(node('return 12;'), 'SCRIPT_INVALID_OUTPUT', /returned a number/);
  });
});
