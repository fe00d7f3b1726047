// Helpers of the server benchmarks: start `actorflow serve` in a child process (so the load
// generator does not share its event loop), a 3-node graph, a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../server/bin/actorflow.mjs', import.meta.url));

/** The Node flags in the executable's shebang: the benchmarks start the server with them, as users do. */
export const SERVER_NODE_FLAGS = readFileSync(CLI, 'utf8').split('\n', 1)[0].split(/\s+/).filter((arg) => arg.startsWith('--'));

export interface BenchServer {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** `actorflow serve` with its history in a temp dir; resolves once it answers /health. */
export async function startServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'af-bench-'));
  const port = await freePort();
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, CLI, 'serve'], {
    env: { ...process.env, ACTORFLOW_PORT: String(port), ACTORFLOW_DB: join(dir, 'history.db'), ACTORFLOW_LOG_LEVEL: 'warn', ACTORFLOW_RATE_LIMIT: '0', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, proc);
  return {
    url, proc,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One HTTP/1.1 request on a fresh TCP connection, written by hand: the status code and body, or
 * undefined if nothing answered (not listening yet). The start-up benchmarks probe with it, not
 * fetch(): undici's work per attempt (every 2 ms) competes with the starting server for the two
 * cores and adds ~90 ms to what is measured.
 */
export function rawRequest(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('connect', () => {
      const head = `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n`;
      socket.write(body === undefined ? `${head}\r\n` : `${head}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve(status ? { status: Number(status[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) } : undefined);
    });
  });
}

/** Resolves once `url` answers GET /health with 200 (probing every 2 ms). */
export async function waitForHealth(url: string, proc: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const port = Number(new URL(url).port);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    if ((await rawRequest(port, 'GET', '/health'))?.status === 200) return;
    if (Date.now() > deadline) throw new Error('server did not answer /health');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const end = (nodeId: string, portId: string) => ({ portName: portId, portId, nodeId, expose: false, portType: { type: 'any' } });

/** in → a → b → c → out: three core/Repeat nodes with an exported inport and outport. */
export function threeNodeGraph(): Record<string, unknown> {
  return {
    caseSensitive: false,
    properties: { name: 'three' },
    processes: { a: { id: 'a', component: 'core/Repeat', metadata: {} }, b: { id: 'b', component: 'core/Repeat', metadata: {} }, c: { id: 'c', component: 'core/Repeat', metadata: {} } },
    connections: [{ from: end('a', 'out'), to: end('b', 'in') }, { from: end('b', 'out'), to: end('c', 'in') }],
    inports: { in: { portName: 'in', portId: 'in', nodeId: 'a', expose: true, portType: { type: 'any' } } },
    outports: { out: { portName: 'out', portId: 'out', nodeId: 'c', expose: true, portType: { type: 'any' } } },
    groups: [],
  };
}

/** A graph that runs for `ms` (core/Delay). */
export function delayGraph(ms: number): Record<string, unknown> {
  return {
    caseSensitive: false,
    properties: { name: 'delay' },
    processes: { d: { id: 'd', component: 'core/Delay', metadata: { delay: ms } } },
    connections: [{ from: end('', ''), to: end('d', 'in'), data: 'tick' }],
    inports: {},
    outports: { out: { portName: 'out', portId: 'out', nodeId: 'd', expose: true, portType: { type: 'any' } } },
    groups: [],
  };
}

export async function post(url: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}
