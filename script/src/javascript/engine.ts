// JavaScript script engine: one isolated-vm isolate per node, reused across messages.
//
// Contracts (chosen by the entry function's name):
//   simple — `export default async function ({ inputs, port, state, config, emit, log, nodeId })`
//            returning `{ port: value }` or nothing; `state` is an object, mutate it to keep data.
//   reflow — Reflow's `entry_point(inputs, context)` (a global function, or an export named so):
//            `inputs.x` is the typed `{ type, data }` form (network toTyped); `context.send_output(port,
//            value)`, `context.get_input(port)` (plain), `context.state`, `get_state(key)`,
//            `set_state(key, value)`, `context.config`, `context.log`. Outputs are plain values.
// `source.entryPoint` names another export (module) or global function (classic script); the
// name `entry_point` selects Reflow's contract, any other name the simple one.
//
// Calls run synchronously on the calling thread (a few µs each) and continue asynchronously only
// while the script awaits host I/O (a granted fetch). A long synchronous script therefore holds
// its thread for up to limits.timeoutMs: give untrusted or heavy script nodes their own worker
// thread (node metadata `thread`). After a timeout, a memory overflow or a crash the isolate is
// thrown away and rebuilt on the next call: module-level variables do not survive that, `state` does.
// The state object a call returns stays the engine's: pass it back as it is, or pass a new object
// to change it (it is copied into the isolate only when it is not the one returned last).
import ivm from 'isolated-vm';
import { toPlainJson, toTyped, type ActorLogger, type LogLevel } from '@actorflow/network';
import {
  CallQueue, OutputBudget, ScriptError, normalizeMetadata, resolveLimits,
  type EngineOptions, type ScriptCall, type ScriptEngine, type ScriptLimits, type ScriptMetadata, type ScriptResult,
} from '../engine.ts';
import { createGrantedFetch, parseGrants, type JavaScriptGrants } from './grants.ts';
import { sandboxRuntime } from './sandbox-runtime.ts';
import { ScriptLocator, loadScript, type LoadedScript, type SandboxErrorInfo } from './source.ts';

/** The smallest heap isolated-vm accepts. */
const MIN_MEMORY_MB = 8;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RUNTIME_SOURCE = `return (${sandboxRuntime.toString()})($0, $1)`;
const LOG_LEVELS = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);

/** isolated-vm on Node ≥ 20 needs the startup snapshot off; every project entry point sets the flag. */
export function nodeSnapshotDisabled(): boolean {
  return process.execArgv.includes('--no-node-snapshot') || /(^|\s)--no-node-snapshot(\s|$)/.test(process.env.NODE_OPTIONS ?? '');
}

/** One live isolate with the user's code loaded and bound. */
interface Sandbox {
  isolate: ivm.Isolate;
  run: ivm.Reference<(request: string) => string>;
  settle: ivm.Reference<() => string>;
  wait: ivm.Reference<() => Promise<string>>;
  metadata: unknown;
  /** 'reflow' scripts also get their inputs in the typed {type, data} form. */
  contract: 'simple' | 'reflow';
}

/** The call in progress: what the host callbacks report to. */
interface ActiveCall {
  call: ScriptCall;
  budget: OutputBudget;
  /** Backpressure promises returned by call.emit, awaited before the call resolves. */
  flushes: Promise<void>[];
  /** A host-side failure (budget, emit) that fails the call even if the script caught it. */
  failure?: unknown;
  /** Aborted when the call ends: stops granted fetches the script left running (only with the fetch grant). */
  done: AbortController | undefined;
}

export class JavaScriptEngine implements ScriptEngine {
  readonly options: EngineOptions;
  readonly limits: ScriptLimits;
  readonly grants: JavaScriptGrants;
  #script: LoadedScript | undefined;
  #locator: ScriptLocator | undefined;
  #sandbox: Sandbox | undefined;
  #active: ActiveCall | undefined;
  /** The state object last returned, so an unchanged state is not copied back in. */
  #lastState: unknown = undefined;
  readonly #queue = new CallQueue();
  #disposed = false;

  constructor(options: EngineOptions) {
    this.options = options;
    this.limits = resolveLimits(options.limits);
    this.grants = parseGrants(options.grants, options.nodeId);
    if (options.isolation !== 'sandbox') {
      throw new ScriptError('SCRIPT_CONFIG', `node '${options.nodeId}': JavaScript runs in its isolate sandbox only, not '${options.isolation}'`,
        "use isolation: 'sandbox' (an isolated-vm isolate: no Node APIs, own heap limit), or runtime 'python' for docker isolation");
    }
    const entry = options.source.entryPoint;
    if (entry !== undefined && !IDENTIFIER.test(entry)) {
      throw new ScriptError('SCRIPT_CONFIG', `node '${options.nodeId}': entryPoint '${entry}' is not a JavaScript identifier`, "e.g. entryPoint: 'main', or leave it out to use the default export");
    }
  }

  async start(): Promise<void> {
    if (this.#disposed) throw new ScriptError('SCRIPT_CONFIG', `node '${this.options.nodeId}': the engine was disposed`, 'create a new engine');
    if (!nodeSnapshotDisabled()) {
      throw new ScriptError('SCRIPT_CONFIG', 'JavaScript script nodes need Node.js started with --no-node-snapshot (isolated-vm on Node ≥ 20)',
        "start through the project's entry points (./run, the actorflow CLI, npm test), which set it, or export NODE_OPTIONS=--no-node-snapshot");
    }
    this.#script ??= await loadScript(this.options.source, this.options.nodeId);
    this.#locator ??= new ScriptLocator(this.#script);
    this.#sandbox ??= this.#build(this.#script, this.#locator);
  }

  /** The `metadata` the script declares (export or top-level binding), if any. */
  async metadata(): Promise<ScriptMetadata | undefined> {
    await this.start();
    const raw = this.#sandbox!.metadata;
    return raw === undefined ? undefined : normalizeMetadata(raw, this.#script!.label);
  }

  call(call: ScriptCall): Promise<ScriptResult> {
    return this.#queue.run(() => this.#call(call));
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#discard();
  }

  #build(script: LoadedScript, locator: ScriptLocator): Sandbox {
    const { nodeId, config } = this.options;
    const isolate = new ivm.Isolate({
      memoryLimit: Math.max(MIN_MEMORY_MB, this.limits.memoryMb),
      onCatastrophicError: (message) => console.error(`actorflow: the isolate of script node '${nodeId}' failed: ${message}`),
    });
    try {
      const context = isolate.createContextSync();
      const bridge = {
        emit: new ivm.Callback((port: string, json: string) => this.#onEmit(port, json)),
        log: new ivm.Callback((level: string, message: string, data: string | undefined) => this.#onLog(level, message, data)),
        fetch: this.grants.fetch
          ? new ivm.Reference(createGrantedFetch(this.grants.fetch, () => this.#active?.done?.signal ?? AbortSignal.abort()))
          : undefined,
      };
      const runtime = context.evalClosureSync(RUNTIME_SOURCE, [bridge, { console: this.grants.console === true }],
        { arguments: { copy: true }, result: { reference: true } }) as ivm.Reference<Record<string, unknown>>;
      const user = this.#loadUserCode(isolate, context, script, locator);
      const method = <T>(name: string) => runtime.getSync(name, { reference: true }) as ivm.Reference<T>;
      method('bind').applySync(undefined, [user.entry.derefInto(), user.contract, JSON.stringify(toPlainJson(config ?? {})), nodeId]);
      return { isolate, run: method('run'), settle: method('settle'), wait: method('wait'), metadata: user.metadata, contract: user.contract };
    } catch (error) {
      const failure = this.#failure(error, isolate, 'while loading the script');
      if (!isolate.isDisposed) isolate.dispose();
      throw failure;
    }
  }

  /** Compiles and runs the user's code (a module if it uses import/export, else a classic script) and finds its entry. */
  #loadUserCode(isolate: ivm.Isolate, context: ivm.Context, script: LoadedScript, locator: ScriptLocator) {
    const origin = { filename: script.url };
    const run = { timeout: this.limits.timeoutMs };
    let compiled: ivm.Script | undefined;
    let module: ivm.Module | undefined;
    try {
      compiled = isolate.compileScriptSync(script.code, origin);
    } catch (error) {
      if (!MODULE_SYNTAX.test((error as Error).message)) throw locator.syntaxError(error as Error);
      try {
        module = isolate.compileModuleSync(script.code, origin);
      } catch (moduleError) {
        throw locator.syntaxError(moduleError as Error);
      }
    }
    let entry: ivm.Reference<unknown>;
    let metadata: unknown;
    const requested = this.options.source.entryPoint;
    let name: string;
    if (module) {
      const imported = module.dependencySpecifiers[0];
      if (imported !== undefined) {
        const line = script.code.split('\n').findIndex((l) => l.includes(`'${imported}'`) || l.includes(`"${imported}"`)) + 1;
        throw new ScriptError('SCRIPT_SYNTAX', `${script.label}${line ? `:${line}` : ''}: imports '${imported}', but sandboxed scripts cannot import modules`,
          'bundle what the script needs into the file itself', { file: script.label, ...(line ? { line } : {}) });
      }
      module.instantiateSync(context, () => {
        throw new Error('imports are not available in the sandbox');
      });
      module.evaluateSync(run);
      const exports = context.evalClosureSync('return Object.keys($0)', [module.namespace.derefInto()], { result: { copy: true } }) as string[];
      name = requested ?? (exports.includes('default') ? 'default' : 'entry_point');
      entry = module.namespace.getSync(name, { reference: true }) as ivm.Reference<unknown>;
      if (entry.typeof !== 'function') {
        throw new ScriptError('SCRIPT_CONFIG', `${script.label} exports no function '${name}' (exports: ${exports.join(', ') || 'none'})`,
          requested ? 'export a function with that name, or fix entryPoint' : 'add `export default async function ({ inputs, state, emit }) { ... }`',
          { file: script.label });
      }
      metadata = exports.includes('metadata') ? copyMetadata(() => module.namespace.getSync('metadata', { copy: true }), script) : undefined;
    } else {
      compiled!.runSync(context, run);
      name = requested ?? 'entry_point';
      entry = context.evalSync(`typeof ${name} === 'function' ? ${name} : undefined`, { reference: true }) as ivm.Reference<unknown>;
      if (entry.typeof !== 'function') {
        throw new ScriptError('SCRIPT_CONFIG', `${script.label} defines no function '${name}'`,
          requested ? 'define a top-level function with that name, or fix entryPoint'
            : "define Reflow's `function entry_point(inputs, context) { ... }`, or use `export default async function ({ inputs, state, emit }) { ... }`",
          { file: script.label });
      }
      metadata = copyMetadata(() => context.evalSync("typeof metadata === 'undefined' ? undefined : metadata", { copy: true }), script);
    }
    return { entry, metadata, contract: name === 'entry_point' ? 'reflow' as const : 'simple' as const };
  }

  #discard(): void {
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    this.#lastState = undefined;
    if (sandbox && !sandbox.isolate.isDisposed) sandbox.isolate.dispose();
  }

  /**
   * Maps what escaped the isolate (a ScriptError, a compile or top-level error, a timeout, the
   * memory limit, a dead isolate) to a ScriptError.
   */
  #failure(error: unknown, isolate: ivm.Isolate, during: string): ScriptError {
    if (error instanceof ScriptError) return error;
    const err = error instanceof Error ? error : new Error(String(error));
    const label = this.#script?.label ?? '<script>';
    if (/memory limit/i.test(err.message)) {
      return new ScriptError('SCRIPT_MEMORY', `${label} used more than ${Math.max(MIN_MEMORY_MB, this.limits.memoryMb)} MB ${during}`,
        'use less memory per message, or raise limits.memoryMb', { file: label, cause: err });
    }
    if (/execution timed out/i.test(err.message)) {
      return new ScriptError('SCRIPT_TIMEOUT', `${label} ran longer than ${this.limits.timeoutMs} ms ${during}`,
        'look for an endless loop, or raise limits.timeoutMs', { file: label, cause: err });
    }
    if (isolate.isDisposed) {
      return new ScriptError('SCRIPT_CRASHED', `the isolate running ${label} died ${during}: ${err.message}`, 'the node restarts its isolate for the next message', { file: label, cause: err });
    }
    return this.#locator!.fromSandbox({ name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
  }

  #onEmit(port: string, json: string): void {
    const active = this.#active;
    if (!active) throw new Error(`emit('${port}') was called after the call ended; await your work before returning`);
    try {
      active.budget.charge(Buffer.byteLength(json), `emit('${port}')`);
      const flush = active.call.emit(port, JSON.parse(json));
      if (flush) active.flushes.push(flush);
    } catch (error) {
      active.failure ??= error;
      throw error;
    }
  }

  #onLog(level: string, message: string, data: string | undefined): void {
    const active = this.#active;
    if (!active) return;
    try {
      active.budget.charge(Buffer.byteLength(message) + (data ? Buffer.byteLength(data) : 0), 'a log line');
    } catch (error) {
      active.failure ??= error;
      throw error;
    }
    const log: ActorLogger = active.call.log;
    log[LOG_LEVELS.has(level as LogLevel) ? level as LogLevel : 'info'](message, data === undefined ? undefined : JSON.parse(data));
  }

  async #call(call: ScriptCall): Promise<ScriptResult> {
    if (call.signal.aborted) throw this.#aborted();
    if (!this.#sandbox) await this.start();
    const sandbox = this.#sandbox!;
    const active: ActiveCall = {
      call, budget: new OutputBudget(this.limits.maxOutputBytes), flushes: [],
      done: this.grants.fetch ? new AbortController() : undefined,
    };
    this.#active = active;
    const deadline = performance.now() + this.limits.timeoutMs;
    try {
      let outcome: string;
      try {
        outcome = sandbox.run.applySync(undefined, [this.#request(call, sandbox.contract)], { timeout: this.limits.timeoutMs });
        if (outcome === 'P') outcome = sandbox.settle.applySync(undefined, [], { timeout: Math.max(1, Math.ceil(deadline - performance.now())) });
        if (outcome === 'P') outcome = await this.#wait(sandbox, call.signal, deadline);
      } catch (error) {
        const failure = this.#failure(error, sandbox.isolate, 'in this call');
        this.#discard();
        throw failure;
      }
      const result = this.#result(outcome, active);
      if (active.flushes.length) await Promise.all(active.flushes);
      return result;
    } finally {
      active.done?.abort();
      this.#active = undefined;
    }
  }

  /**
   * The call as JSON for the sandbox: inputs in plain form (and typed for Reflow's contract); the
   * state only when it is not the one the sandbox returned last.
   */
  #request(call: ScriptCall, contract: Sandbox['contract']): string {
    const state = call.state === this.#lastState && call.state !== undefined ? '' : `,"s":${JSON.stringify(toPlainJson(call.state ?? {}))}`;
    let typed = '';
    if (contract === 'reflow') {
      const messages: Record<string, unknown> = {};
      for (const [port, value] of Object.entries(call.inputs)) messages[port] = toTyped(value);
      typed = `,"t":${JSON.stringify(messages)}`;
    }
    return `{"i":${JSON.stringify(toPlainJson(call.inputs))},"p":${JSON.stringify(call.port ?? null)}${typed}${state}}`;
  }

  /** Waits for a call that awaits host I/O, within the call's deadline and signal. */
  #wait(sandbox: Sandbox, signal: AbortSignal, deadline: number): Promise<string> {
    const remaining = Math.ceil(deadline - performance.now());
    if (remaining <= 0) return Promise.reject(new Error('Script execution timed out.'));
    return new Promise<string>((resolve, reject) => {
      const stop = (error: Error) => {
        this.#discard();
        reject(error);
      };
      const timer = setTimeout(() => stop(new Error('Script execution timed out.')), remaining);
      const onAbort = () => stop(this.#aborted());
      signal.addEventListener('abort', onAbort, { once: true });
      sandbox.wait.apply(undefined, [], { result: { promise: true, copy: true } }).then(resolve, reject).finally(() => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      });
    });
  }

  /** Decodes the sandbox's outcome: `D<outputs>\n<state>` or `E<error>`. */
  #result(outcome: string, active: ActiveCall): ScriptResult {
    const failed = outcome[0] === 'E' ? JSON.parse(outcome.slice(1)) as SandboxErrorInfo : undefined;
    if (active.failure !== undefined) throw this.#hostFailure(active.failure, failed);
    if (failed) throw this.#locator!.fromSandbox(failed);
    const split = outcome.indexOf('\n');
    const outputsJson = outcome.slice(1, split);
    const stateJson = outcome.slice(split + 1);
    active.budget.charge(Buffer.byteLength(outputsJson), 'the returned outputs');
    if (stateJson.length > this.limits.maxOutputBytes && Buffer.byteLength(stateJson) > this.limits.maxOutputBytes) {
      throw new ScriptError('SCRIPT_OUTPUT_TOO_LARGE', `the state of node '${this.options.nodeId}' is ${Buffer.byteLength(stateJson)} bytes, over the limit of ${this.limits.maxOutputBytes}`,
        'keep less in state, or raise limits.maxOutputBytes', { file: this.#script!.label });
    }
    const state = JSON.parse(stateJson) as unknown;
    this.#lastState = state;
    const outputs = JSON.parse(outputsJson) as Record<string, unknown> | null;
    return { outputs: outputs ?? {}, state };
  }

  /** A host-side failure during the call (budget, emit), located at the script line that caused it when known. */
  #hostFailure(failure: unknown, thrown: SandboxErrorInfo | undefined): ScriptError {
    const err = failure instanceof ScriptError ? failure
      : new ScriptError('SCRIPT_ERROR', `emit failed: ${(failure as Error)?.message ?? String(failure)}`, 'check the port names the script emits to');
    const at = thrown ? this.#locator!.locate(thrown.stack) : undefined;
    if (!at || err.line !== undefined) return err;
    const label = this.#script!.label;
    return new ScriptError(err.code, `${err.message.replace(` (${err.hint})`, '')} (${label}:${at.line}:${at.column})`, err.hint, { file: label, ...at, cause: err });
  }

  #aborted(): ScriptError {
    return new ScriptError('SCRIPT_ABORTED', `the call to node '${this.options.nodeId}' was aborted`, 'the network is stopping or the firing was cancelled');
  }
}

const MODULE_SYNTAX = /Unexpected token 'export'|Cannot use import statement|import\.meta|await is only valid/;

function copyMetadata(read: () => unknown, script: LoadedScript): unknown {
  try {
    return read();
  } catch (error) {
    throw new ScriptError('SCRIPT_CONFIG', `${script.label}: metadata must be plain data (${(error as Error).message})`,
      'declare metadata with strings, numbers, arrays and objects only', { file: script.label, cause: error });
  }
}
