// Test helpers for script engines: drive engine.call like the script actor does (state carried
// across calls) and record what the script emitted and logged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActorLogger } from '@actorflow/network';
import { ScriptError, type ScriptEngine, type ScriptLimits, type ScriptResult } from '../src/engine.ts';

export interface Recorded {
  emits: [port: string, value: unknown][];
  logs: [level: string, message: string, data: unknown][];
}

/** A node's view of an engine: calls it with the state the previous call returned, like the script actor. */
export class EngineDriver {
  readonly engine: ScriptEngine;
  state: unknown = undefined;
  readonly recorded: Recorded = { emits: [], logs: [] };
  constructor(engine: ScriptEngine) {
    this.engine = engine;
  }

  /** One call; emits and logs are recorded, the returned state kept for the next call. */
  async call(inputs: Record<string, unknown>, options: { port?: string; signal?: AbortSignal; emit?: (port: string, value: unknown) => void | Promise<void> } = {}): Promise<ScriptResult> {
    const log = {} as ActorLogger;
    for (const level of ['debug', 'info', 'warn', 'error'] as const) log[level] = (message, data) => void this.recorded.logs.push([level, message, data]);
    const result = await this.engine.call({
      inputs, state: this.state, log, signal: options.signal ?? new AbortController().signal,
      ...(options.port ? { port: options.port } : {}),
      emit: (port, value) => {
        this.recorded.emits.push([port, value]);
        return options.emit?.(port, value);
      },
    });
    this.state = result.state;
    return result;
  }
}

export const SMALL_LIMITS: ScriptLimits = { timeoutMs: 300, memoryMb: 16, maxOutputBytes: 64 * 1024 };

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = 'actorflow-script-'): { dir: string; write(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A real HTTP server on 127.0.0.1 that answers with `respond` and records every request it gets. */
export async function localServer(respond: (req: IncomingMessage) => { status?: number; body: string }): Promise<{ host: string; requests: string[]; close(): Promise<void>; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const { status = 200, body } = respond(req);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`, requests, server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Awaits a rejection with a ScriptError; returns it. */
export async function rejection(promise: Promise<unknown>): Promise<ScriptError> {
  const error = await promise.then(() => assert.fail('expected a ScriptError'), (e: unknown) => e);
  assert.ok(error instanceof ScriptError, `expected a ScriptError, got ${String(error)}`);
  return error;
}

/** Awaits a rejection with a ScriptError of `code` (and a message matching `message`); returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<ScriptError> {
  const error = await rejection(promise);
  assert.equal(error.code, code, error.message);
  if (message) assert.match(error.message, message);
  return error;
}

/** Runs the attack and expects `code` (null: the call succeeds); then the same node must serve a normal message. */
export async function contained(driver: EngineDriver, code: string | null, message?: RegExp): Promise<ScriptError | Record<string, unknown>> {
  let outcome: ScriptError | Record<string, unknown>;
  try {
    outcome = (await driver.call({ attack: true })).outputs;
    assert.equal(code, null, `expected ${code}, but the attack succeeded with ${JSON.stringify(outcome)}`);
  } catch (error) {
    assert.ok(error instanceof ScriptError, `expected a ScriptError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    outcome = error;
  }
  assert.deepEqual((await driver.call({})).outputs, { ok: true }, 'the node must serve the next message');
  return outcome;
}
