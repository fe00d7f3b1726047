// The code that runs INSIDE each node's isolate, before the user's script. It owns the calling
// convention: it decodes a call's JSON, calls the user's function with the chosen contract, and
// encodes what comes back, checking that it is JSON-compatible. It is serialized with
// Function.prototype.toString, so it must not refer to anything outside its own body; the host
// hands it only plain callbacks (strings in, strings out), never a host object.

/** Host callbacks the runtime receives (ivm Callbacks / a Reference, seen from inside as functions). */
export interface SandboxHostBridge {
  emit(port: string, json: string): void;
  log(level: string, message: string, dataJson: string | undefined): void;
  /** Present only with the fetch grant: an ivm Reference to the host's allow-listed fetch. */
  fetch: { apply(receiver: undefined, args: unknown[], options: unknown): Promise<unknown> } | undefined;
}

/** What the runtime returns to the host: functions called with applySync. */
export interface SandboxRuntimeApi {
  /** Binds the user's entry function and its contract ('simple' | 'reflow'). */
  bind(fn: unknown, contract: string, configJson: string, nodeId: string): void;
  /** Runs one call; returns 'D' + outputs JSON + newline + state JSON, 'E' + error JSON, or 'P' (pending: call settle()). */
  run(requestJson: string): string;
  /** After run() returned 'P': the outcome once microtasks ran, or 'P' if still waiting on the host. */
  settle(): string;
  /** A promise of the outcome (for calls that wait on host I/O). */
  wait(): Promise<string>;
}

export function sandboxRuntime(host: SandboxHostBridge, options: { console: boolean }): SandboxRuntimeApi {
  'use strict';
  // Captured before user code runs: a script that replaces globals only breaks itself.
  const { parse, stringify } = JSON;
  const isArray = Array.isArray;
  const toStr = String;
  const finite = Number.isFinite;
  const freeze = Object.freeze;
  const PromiseCtor = Promise;

  // Capabilities that would bypass the isolate's memory limit or block its thread, and that a
  // message handler has no use for.
  const g = globalThis as any;
  delete g.WebAssembly;
  delete g.SharedArrayBuffer;
  delete g.Atomics;

  let entry: ((...args: unknown[]) => unknown) | null = null;
  let contract = 'simple';
  let config: unknown = freeze({});
  let nodeId = '';
  let state: Record<string, unknown> = {};
  let plainInputs: Record<string, unknown> = {};
  let outcome = 'P';
  let pending: Promise<string> | null = null;

  class InvalidOutput extends Error {
    code = 'SCRIPT_INVALID_OUTPUT';
  }

  function kind(v: unknown): string {
    if (v === null) return 'null';
    if (isArray(v)) return 'an array';
    if (typeof v === 'number' && !finite(v)) return toStr(v);
    return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
  }

  /** JSON text of a value, or InvalidOutput naming what is not JSON-compatible and where. */
  function encode(value: unknown, what: string): string {
    let bad = '';
    let text: string | undefined;
    try {
      text = stringify(value, function (this: any, key: string, v: unknown) {
        const t = typeof v;
        if (!bad && (t === 'function' || t === 'symbol' || t === 'bigint' || (t === 'number' && !finite(v as number)))) {
          bad = `${key === '' ? 'the value' : `'${key}'`} is ${kind(v)}`;
        }
        return t === 'bigint' ? null : v;
      });
    } catch (error) {
      throw new InvalidOutput(`${what} is not JSON-compatible: ${(error as Error).message}`);
    }
    if (bad) throw new InvalidOutput(`${what} is not JSON-compatible: ${bad}`);
    if (text === undefined) throw new InvalidOutput(`${what} is ${kind(value)}, which has no JSON form`);
    return text;
  }

  function errorJson(error: unknown): string {
    if (error instanceof Error) {
      return stringify({ name: toStr(error.name), message: toStr(error.message), stack: toStr(error.stack ?? ''), code: (error as any).code === 'SCRIPT_INVALID_OUTPUT' ? 'SCRIPT_INVALID_OUTPUT' : undefined });
    }
    let message: string;
    try {
      message = typeof error === 'string' ? error : stringify(error) ?? toStr(error);
    } catch {
      message = toStr(error);
    }
    return stringify({ name: 'Error', message: `the script threw a non-Error value: ${message}` });
  }

  function emit(port: unknown, value: unknown): void {
    if (typeof port !== 'string' || port === '') throw new InvalidOutput(`emit(port, value): port must be a non-empty string, got ${kind(port)}`);
    if (value === undefined) throw new InvalidOutput(`emit('${port}', undefined): there is nothing to send; send null for "no value"`);
    host.emit(port, encode(value, `the value emitted on '${port}'`));
  }

  function logAt(level: string) {
    return (message: unknown, data?: unknown) => {
      host.log(level, typeof message === 'string' ? message : toStr(message), data === undefined ? undefined : encode(data, 'log data'));
    };
  }
  const log = freeze({ debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') });

  if (options.console) {
    const line = (level: string) => (...args: unknown[]) => {
      host.log(level, args.map((a) => {
        if (typeof a === 'string') return a;
        try {
          return stringify(a) ?? toStr(a);
        } catch {
          return toStr(a);
        }
      }).join(' '), undefined);
    };
    g.console = freeze({ log: line('info'), info: line('info'), debug: line('debug'), warn: line('warn'), error: line('error') });
  } else {
    delete g.console;
  }

  if (host.fetch) {
    const hostFetch = host.fetch;
    g.fetch = async function fetch(url: unknown, init?: { method?: string; headers?: Record<string, string>; body?: string }) {
      const request = stringify({ url: toStr(url), method: init?.method, headers: init?.headers, body: init?.body });
      const r = parse(await hostFetch.apply(undefined, [request], { arguments: { copy: true }, result: { promise: true, copy: true } }) as string);
      if (r.error) throw r.error.name === 'TypeError' ? new TypeError(r.error.message) : new Error(r.error.message);
      const headers = r.headers as Record<string, string>;
      return freeze({
        ok: r.status >= 200 && r.status < 300, status: r.status, statusText: r.statusText, url: r.url, redirected: false,
        headers: freeze({ get: (name: string) => headers[toStr(name).toLowerCase()] ?? null, has: (name: string) => toStr(name).toLowerCase() in headers }),
        text: async () => r.body as string,
        json: async () => parse(r.body),
      });
    };
  }

  const reflowContext = freeze({
    send_output: emit,
    get_input: (port: string, fallback?: unknown) => (port in plainInputs ? plainInputs[port] : fallback),
    get_state: (key: string) => state[key],
    set_state: (key: string, value: unknown) => {
      state[key] = value;
    },
    get state() {
      return state;
    },
    get config() {
      return config;
    },
    get node_id() {
      return nodeId;
    },
    log,
  });

  function finish(result: unknown): string {
    if (result !== undefined && result !== null && (typeof result !== 'object' || isArray(result))) {
      return 'E' + errorJson(new InvalidOutput(`the script returned ${kind(result)}; return an object of port -> value, or nothing`));
    }
    try {
      const outputs = result === undefined || result === null ? 'null' : encode(result, 'the returned outputs');
      // JSON text holds no raw newline, so it separates the two parts.
      return `D${outputs}\n${encode(state, 'the state')}`;
    } catch (error) {
      return 'E' + errorJson(error);
    }
  }

  return {
    bind(fn, contractName, configJson, id) {
      entry = fn as (...args: unknown[]) => unknown;
      contract = contractName;
      config = freeze(parse(configJson));
      nodeId = id;
    },
    run(requestJson) {
      const request = parse(requestJson) as { i: Record<string, unknown>; t?: Record<string, unknown>; p?: string; s?: unknown };
      if ('s' in request) state = request.s !== null && typeof request.s === 'object' && !isArray(request.s) ? request.s as Record<string, unknown> : {};
      plainInputs = request.i;
      pending = null;
      outcome = 'P';
      let result: unknown;
      try {
        if (contract === 'reflow') {
          result = entry!(request.t, reflowContext);
        } else {
          result = entry!({ inputs: plainInputs, port: request.p, state, config, emit, log, nodeId });
        }
      } catch (error) {
        return 'E' + errorJson(error);
      }
      if (result === null || typeof result !== 'object' || typeof (result as any).then !== 'function') return finish(result);
      pending = PromiseCtor.resolve(result).then(finish, (error: unknown) => 'E' + errorJson(error));
      pending.then((o) => {
        outcome = o;
      }, () => undefined);
      return 'P';
    },
    settle() {
      return outcome;
    },
    wait() {
      return pending ?? PromiseCtor.resolve(outcome);
    },
  };
}
