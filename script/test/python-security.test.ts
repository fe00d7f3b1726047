// Security corpus for Python nodes, under every local sandbox level this machine offers (bwrap,
// unshare, plain prlimit). Each attack must be contained with a clear error, and the SAME node must
// then serve a normal message (a killed host is restarted; the node's state is kept in Node).
// What each level can and cannot prevent is asserted, not assumed:
//   - all levels: time limit (soft in-host, then SIGKILL), memory (RLIMIT_AS), processes (RLIMIT_NPROC
//     under a per-node uid when run as root), output budget, invalid outputs, crashes, no inherited env;
//   - bwrap: the host filesystem (/etc/passwd, the project) is not there; no network;
//   - unshare: no network, but world-readable host files ARE readable;
//   - prlimit: neither filesystem nor network isolation (only the uid's permissions apply).
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ScriptError} from '../src/engine.ts';
import { type ScriptLimits } from '../src/engine.ts';
import { createPythonEngineFactory, pythonEngineFactory, type PythonEngine, type SandboxKind } from '../src/python/index.ts';
import { contained, EngineDriver, localServer, tempDir } from './harness.ts';

const LIMITS: ScriptLimits = { timeoutMs: 400, memoryMb: 96, maxOutputBytes: 64 * 1024 };
const PROJECT_FILE = fileURLToPath(new URL('../package.json', import.meta.url));
const support = await pythonEngineFactory.sandboxSupport();
const rootOnly = support.dropsPrivileges ? false : 'hosts keep the server\'s uid here (not root): per-uid limits and permissions do not apply';
const engines: PythonEngine[] = [];
after(() => Promise.all(engines.map((engine) => engine.dispose())));

/** A node whose script runs `attack` (an indented block) when inputs.attack is set, else answers { ok: True }. */
function node(kind: SandboxKind, attack: string, options: { maxProcesses?: number; limits?: Partial<ScriptLimits> } = {}): EngineDriver {
  const code = `import os, sys\ndef process(inputs, state, config):\n    if inputs.get("attack"):\n${attack.replace(/^/gm, '        ')}\n    return {"ok": True}\n`;
  const engine = createPythonEngineFactory({ sandbox: kind, maxProcesses: options.maxProcesses ?? 1 }).create({
    nodeId: `victim-${kind}`, source: { code }, isolation: 'sandbox', config: {}, limits: { ...LIMITS, ...options.limits },
  });
  engines.push(engine);
  return new EngineDriver(engine);
}

/** Processes (pids) running as `uid`, from /proc. */
function processesOf(uid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid) pids.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return pids;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

for (const kind of ['bwrap', 'unshare', 'prlimit'] as const) {
  const skip = support.available[kind] ? false : `the ${kind} sandbox is not available here: ${support.notes.join('; ')}`;

  describe(`Python security corpus (${kind}): runaway code`, { skip }, () => {
    it('interrupts an infinite loop at the time limit, naming its line; the host survives', async () => {
      const started = performance.now();
      const error = await contained(node(kind, 'n = 0\nwhile True:\n    n += 1'), 'SCRIPT_TIMEOUT', /did not finish within 400 ms/) as ScriptError;
      assert.ok(error.line === 5 || error.line === 6, `line ${error.line}`);
      assert.ok(performance.now() - started < 3000);
    });

    it('hard-kills a loop stuck in native code or one that swallows the interrupt, then restarts the host', async () => {
      await contained(node(kind, 'sum(range(10**12))'), 'SCRIPT_TIMEOUT', /Python host was killed/);
      const swallow = 'while True:\n    try:\n        n = 0\n        while True:\n            n += 1\n    except BaseException:\n        pass';
      await contained(node(kind, swallow), 'SCRIPT_TIMEOUT', /Python host was killed/);
    });

    it('turns a memory bomb into SCRIPT_MEMORY (MemoryError under the address-space limit)', async () => {
      const error = await contained(node(kind, 'hog = bytearray(1024 * 1024 * 1024)'), 'SCRIPT_MEMORY', /MemoryError/) as ScriptError;
      assert.equal(error.line, 4);
      // growing step by step touches every page: slow on this VM, hence the longer time limit
      await contained(node(kind, 'hog = []\nwhile True:\n    hog.append(bytearray(10**7))', { limits: { timeoutMs: 10_000 } }), 'SCRIPT_MEMORY');
    });

    it('forbids fork and threads by default (RLIMIT_NPROC 1 under the node\'s own uid)', { skip: rootOnly }, async () => {
      const outcome = await contained(node(kind, [
        'out = {}',
        'try:',
        '    os.fork()',
        '    out["fork"] = "forked"',
        'except OSError as e:',
        '    out["fork"] = e.strerror',
        'import threading',
        'try:',
        '    threading.Thread(target=len, args=("",)).start()',
        '    out["thread"] = "started"',
        'except RuntimeError as e:',
        '    out["thread"] = str(e)',
        'return out',
      ].join('\n')), null);
      assert.deepEqual(outcome, { fork: 'Resource temporarily unavailable', thread: "can't start new thread" });
    });

    it('with maxProcesses 8, caps a fork bomb at the limit and kills whatever the script left running when the call ends', { skip: rootOnly }, async () => {
      const driver = node(kind, [
        'children = 0',
        'try:',
        '    while True:',
        '        if os.fork() == 0:',
        '            import time; time.sleep(30); os._exit(0)',
        '        children += 1',
        'except OSError as e:',
        '    return {"children": children, "error": e.strerror, "uid": os.getuid()}',
      ].join('\n'), { maxProcesses: 8 });
      const outcome = (await driver.call({ attack: true })).outputs as { children: number; error: string; uid: number };
      assert.ok(outcome.children < 8, `forked ${outcome.children} children`);
      assert.match(outcome.error, /Resource temporarily unavailable/);
      assert.ok(await until(() => processesOf(outcome.uid).length <= 1, 3000), `the sleeping children of uid ${outcome.uid} survived the call: ${processesOf(outcome.uid).join(', ')}`);
      // an unbounded fork loop: stopped at the time limit, its processes with it
      await contained(node(kind, 'while True:\n    try: os.fork()\n    except OSError: pass', { maxProcesses: 8 }), 'SCRIPT_TIMEOUT');
    });
  });

  describe(`Python security corpus (${kind}): escaping the sandbox`, { skip }, () => {
    it(kind === 'bwrap' ? 'cannot see /etc/passwd or the project\'s files' : 'can read world-readable host files (no filesystem isolation at this level)', async () => {
      const driver = node(kind, `found = {}\nfor path in ["/etc/passwd", ${JSON.stringify(PROJECT_FILE)}]:\n    try:\n        found[path] = len(open(path).read())\n    except OSError as e:\n        found[path] = type(e).__name__\nreturn found`);
      const found = (await driver.call({ attack: true })).outputs;
      if (kind === 'bwrap') assert.deepEqual(found, { '/etc/passwd': 'FileNotFoundError', [PROJECT_FILE]: 'FileNotFoundError' });
      else for (const value of Object.values(found)) assert.equal(typeof value, 'number');
    });

    it('cannot read a file only its owner may read, nor write into the project', { skip: rootOnly }, async () => {
      const tmp = tempDir();
      try {
        const secret = tmp.write('secret.txt', 'top secret');
        chmodSync(secret, 0o600);
        chmodSync(tmp.dir, 0o755);
        const driver = node(kind, `out = {}\ntry:\n    out["read"] = open(${JSON.stringify(secret)}).read()\nexcept OSError as e:\n    out["read"] = type(e).__name__\ntry:\n    open(${JSON.stringify(`${tmp.dir}/planted.py`)}, "w").write("x")\n    out["write"] = "written"\nexcept OSError as e:\n    out["write"] = type(e).__name__\nreturn out`);
        const outcome = (await driver.call({ attack: true })).outputs;
        const expected = kind === 'bwrap' ? 'FileNotFoundError' : 'PermissionError';
        assert.deepEqual(outcome, { read: expected, write: expected });
      } finally {
        tmp.remove();
      }
    });

    it(kind === 'prlimit' ? 'can open network connections (no network isolation at this level)' : 'cannot open network connections, not even to 127.0.0.1', async () => {
      const server = await localServer(() => ({ body: 'reached' }));
      try {
        const [host, port] = server.host.split(':');
        const driver = node(kind, `import socket\ntry:\n    socket.create_connection((${JSON.stringify(host)}, ${port}), timeout=1).close()\n    return {"net": "connected"}\nexcept OSError as e:\n    return {"net": type(e).__name__, "errno": e.errno}`);
        const outcome = (await driver.call({ attack: true })).outputs;
        if (kind === 'prlimit') assert.equal(outcome.net, 'connected');
        else assert.ok(outcome.net !== 'connected' && [101, 111].includes(outcome.errno as number), `expected ENETUNREACH or ECONNREFUSED (an empty network namespace), got ${JSON.stringify(outcome)}`);
      } finally {
        await server.close();
      }
    });

    it(kind === 'bwrap' ? 'says nothing about its sandbox in the node log (the strongest level)' : 'warns once in the node log that the sandbox is weaker than bwrap', async () => {
      const driver = node(kind, 'pass');
      await driver.call({});
      await driver.call({});
      const warnings = driver.recorded.logs.filter(([level, message]) => level === 'warn' && message.startsWith('Python sandbox'));
      assert.equal(warnings.length, kind === 'bwrap' ? 0 : 1, JSON.stringify(warnings));
    });

    it('inherits none of the server\'s environment variables', async () => {
      process.env.ACTORFLOW_TEST_SECRET = 'hunter2';
      try {
        const outcome = (await node(kind, 'return {"env": sorted(os.environ)}').call({ attack: true })).outputs;
        for (const name of outcome.env as string[]) assert.ok(['LANG', 'PATH', 'PWD'].includes(name), `${name} leaked into the sandbox`);
      } finally {
        delete process.env.ACTORFLOW_TEST_SECRET;
      }
    });

    it('contains a script that writes garbage into the protocol channel (SCRIPT_CRASHED, then a fresh host)', async () => {
      await contained(node(kind, 'for fd in range(3, 12):\n    try: os.write(fd, b"\\xff\\xff\\xff\\xffgarbage")\n    except OSError: pass\nimport time; time.sleep(1)'),
        'SCRIPT_OUTPUT_TOO_LARGE');
    });
  });

  describe(`Python security corpus (${kind}): outputs and crashes`, { skip }, () => {
    it('refuses an enormous output with SCRIPT_OUTPUT_TOO_LARGE (returned or streamed)', async () => {
      await contained(node(kind, 'return {"out": "x" * 1_000_000}'), 'SCRIPT_OUTPUT_TOO_LARGE', /more than 65536 bytes/);
      const streamed = await contained(node(kind, 'while True:\n    Context.send_output("out", "y" * 1000)'), 'SCRIPT_OUTPUT_TOO_LARGE') as ScriptError;
      assert.equal(streamed.line, 5);
    });

    it('reports os._exit() as a crash and restarts the host', async () => {
      await contained(node(kind, 'os._exit(0)'), 'SCRIPT_CRASHED', /exited with code 0/);
    });

    it('reports a segfault (ctypes) as a crash with the script line from the interpreter\'s fault handler', async () => {
      const error = await contained(node(kind, 'import ctypes\nctypes.string_at(0)'), 'SCRIPT_CRASHED', /SIGSEGV|Segmentation fault/) as ScriptError;
      assert.equal(error.line, 5);
    });

    it('reports a deep recursion as an ordinary script error', async () => {
      await contained(node(kind, 'def f(n): return f(n + 1)\nf(0)'), 'SCRIPT_ERROR', /RecursionError/);
    });
  });
}
