// WebAssembly script engine: an Extism plugin per node, speaking Reflow's actor plugin ABI
// (abi.ts), instantiated once and reused across messages.
//
// Calls run synchronously on the calling thread (Extism's in-thread mode: no worker hop, tens of
// µs per call). The plugin is rewritten before instantiation (rewrite.ts) so that the process
// watchdog (watchdog.ts) stops it at limits.timeoutMs and its memory cannot grow past
// limits.memoryMb. A plugin gets no WASI, no HTTP and no host functions beyond the ABI's
// (`__send_output`, `__get_state`, `__set_state` in `extism:host/user`); its log_* lines go to
// the node log. After a trap (including a timeout) the instance is discarded and re-created on
// the next call: the node state, which lives on the host, survives.
//
// Source: `file` (a .wasm path) or `code` (the module as base64). `entryPoint` names the export
// to call (default `process`).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CallContext, Plugin } from '@extism/extism';
import type { ActorLogger } from '@actorflow/network';
import {
  CallQueue, OutputBudget, ScriptError, normalizeMetadata, resolveLimits,
  type EngineOptions, type ScriptCall, type ScriptEngine, type ScriptLimits, type ScriptMetadata, type ScriptResult,
} from '../engine.ts';
import { decodeActorResult, decodeSendOutput, encodeActorContext } from './abi.ts';
import { INIT_EXPORTS, INTERRUPT_EXPORT, MEMORY_EXHAUSTED_WORD, ModuleRewriteError, prepareModule } from './rewrite.ts';
import { watchdog, type InterruptWords } from './watchdog.ts';
import { wasmApi, type WasmMemory, type WasmModule } from './webassembly.ts';

const PAGE = 64 * 1024;
const USER = 'extism:host/user';
const ENV = 'extism:host/env';
const HOST_FUNCTIONS = ['__send_output', '__get_state', '__set_state'];
/** Extism kernel imports a plugin may use (all but HTTP). */
const ENV_FUNCTIONS = new Set(['alloc', 'free', 'length', 'length_unsafe', 'load_u8', 'load_u64', 'store_u8', 'store_u64', 'input_length',
  'input_load_u8', 'input_load_u64', 'input_offset', 'output_set', 'error_set', 'error_get', 'config_get', 'var_get', 'var_set',
  'log_info', 'log_warn', 'log_error', 'log_debug', 'log_trace', 'get_log_level']);

/**
 * Prepared and compiled modules by content and memory cap: the nodes of one plugin compile it
 * once. A failed compilation is not kept.
 */
const compiled = new Map<string, Promise<WasmModule>>();

/** A live plugin instance. */
interface Instance {
  plugin: Plugin;
  words: InterruptWords;
}

/** The call in progress: what host functions and the log report to. */
interface ActiveCall {
  call: ScriptCall;
  state: Record<string, unknown>;
  budget: OutputBudget;
  flushes: Promise<void>[];
  failure?: unknown;
  /** The last error line the plugin logged (AssemblyScript's abort logs its message and line). */
  lastError?: string;
}

export class WasmEngine implements ScriptEngine {
  readonly options: EngineOptions;
  readonly limits: ScriptLimits;
  readonly entryPoint: string;
  #label: string;
  #module: WasmModule | undefined;
  #instance: Instance | undefined;
  /** A start in progress, so concurrent starts (metadata and a first call) share one instance. */
  #starting: Promise<void> | undefined;
  #active: ActiveCall | undefined;
  readonly #queue = new CallQueue();
  #disposed = false;

  constructor(options: EngineOptions) {
    this.options = options;
    this.limits = resolveLimits(options.limits);
    this.entryPoint = options.source.entryPoint ?? 'process';
    this.#label = options.source.file ?? '<inline wasm>';
    if (options.isolation !== 'sandbox') {
      throw new ScriptError('SCRIPT_CONFIG', `node '${options.nodeId}': WebAssembly runs in its own sandbox only, not '${options.isolation}'`,
        "use isolation: 'sandbox' (a wasm instance with a capped memory and no host access but the plugin ABI)");
    }
    if (options.grants && Object.keys(options.grants).length > 0) {
      throw new ScriptError('SCRIPT_CONFIG', `node '${options.nodeId}': WebAssembly plugins take no grants (got ${Object.keys(options.grants).join(', ')})`,
        'remove grants: plugins reach the host only through __send_output, __get_state and __set_state');
    }
  }

  get #maxPages(): number {
    return Math.max(1, Math.floor((this.limits.memoryMb * 1024 * 1024) / PAGE));
  }

  start(): Promise<void> {
    if (this.#disposed) return Promise.reject(new ScriptError('SCRIPT_CONFIG', `node '${this.options.nodeId}': the engine was disposed`, 'create a new engine'));
    if (this.#instance) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#module ??= await this.#compile();
    await watchdog.ready();
    this.#instance = await this.#instantiate(this.#module);
  }

  /** What the plugin's get_metadata() declares. */
  async metadata(): Promise<ScriptMetadata | undefined> {
    await this.start();
    const instance = await this.#instance!.plugin.getInstance();
    if (typeof instance.exports.get_metadata !== 'function') return undefined;
    const output = await this.#guarded('get_metadata', '');
    const text = output ?? '';
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ScriptError('SCRIPT_INVALID_OUTPUT', `${this.#label}: get_metadata() returned text that is not JSON`, 'return {"component": ..., "inports": [...], "outports": [...]}', { file: this.#label });
    }
    return normalizeMetadata(raw, this.#label);
  }

  call(call: ScriptCall): Promise<ScriptResult> {
    return this.#queue.run(() => this.#call(call));
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.#discard();
  }

  async #compile(): Promise<WasmModule> {
    const { source, nodeId } = this.options;
    let bytes: Uint8Array;
    if (source.file !== undefined && source.code !== undefined) {
      throw new ScriptError('SCRIPT_CONFIG', `node '${nodeId}': give the plugin as a file or as inline base64, not both`, 'remove `source` or `file`');
    } else if (source.file !== undefined) {
      try {
        bytes = await readFile(source.file);
      } catch (error) {
        throw new ScriptError('SCRIPT_CONFIG', `node '${nodeId}': cannot read plugin ${source.file}: ${(error as Error).message}`, 'check the path to the .wasm file', { file: source.file, cause: error });
      }
    } else if (source.code !== undefined) {
      bytes = Buffer.from(source.code, 'base64');
    } else {
      throw new ScriptError('SCRIPT_CONFIG', `node '${nodeId}' has no plugin`, 'set `file` (a .wasm path) or `source` (the module as base64)');
    }
    const key = `${createHash('sha256').update(bytes).digest('hex')}:${this.#maxPages}`;
    let pending = compiled.get(key);
    if (!pending) {
      pending = this.#prepare(bytes);
      compiled.set(key, pending);
      pending.catch(() => compiled.delete(key));
    }
    const module = await pending;
    this.#checkInterface(module);
    return module;
  }

  /** Rewrites (memory cap, interrupt checks) and compiles the module. */
  async #prepare(bytes: Uint8Array): Promise<WasmModule> {
    let prepared: Uint8Array;
    try {
      prepared = prepareModule(bytes, { maxPages: this.#maxPages });
    } catch (error) {
      if (!(error instanceof ModuleRewriteError)) throw error;
      throw new ScriptError('SCRIPT_SYNTAX', `${this.#label}: ${error.message}`, 'build the plugin for wasm32 with the MVP feature set (plus bulk memory, SIMD...)', { file: this.#label, cause: error });
    }
    try {
      return await wasmApi.compile(prepared);
    } catch (error) {
      throw new ScriptError('SCRIPT_SYNTAX', `${this.#label} is not a valid WebAssembly module: ${(error as Error).message}`, 'rebuild the plugin', { file: this.#label, cause: error });
    }
  }

  /** Refuses imports the sandbox does not provide and a missing entry export, before instantiating. */
  #checkInterface(module: WasmModule): void {
    for (const imported of wasmApi.Module.imports(module)) {
      const allowed = imported.kind === 'function'
        && ((imported.module === USER && HOST_FUNCTIONS.includes(imported.name)) || (imported.module === ENV && ENV_FUNCTIONS.has(imported.name)));
      if (!allowed) {
        const hint = imported.module === ENV && imported.name.startsWith('http_')
          ? 'WebAssembly nodes have no network access: remove the HTTP calls'
          : imported.module.startsWith('wasi') ? 'WASI is not available: build the plugin without WASI (e.g. wasm32-unknown-unknown)'
            : `plugins may import only ${USER} ${HOST_FUNCTIONS.join(', ')} and the Extism kernel (${ENV})`;
        throw new ScriptError('SCRIPT_CONFIG', `${this.#label} imports ${imported.module} ${imported.name} (${imported.kind}), which the sandbox does not provide`, hint, { file: this.#label });
      }
    }
    const exports = wasmApi.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
    if (!exports.includes(this.entryPoint)) {
      throw new ScriptError('SCRIPT_CONFIG', `${this.#label} exports no function '${this.entryPoint}' (exports: ${exports.filter((e) => !e.startsWith('__actorflow')).join(', ') || 'none'})`,
        this.options.source.entryPoint ? 'fix entryPoint' : "export Reflow's process() (or set entryPoint)", { file: this.#label });
    }
  }

  async #instantiate(module: WasmModule): Promise<Instance> {
    const logger = this.#logger();
    // Loaded on first use: the SDK pulls in node:wasi, which prints an experimental warning.
    const { default: createPlugin } = await import('@extism/extism');
    const plugin = await createPlugin({ wasm: [{ module: module as never }] }, {
      useWasi: false, runInWorker: false, logger, logLevel: 'debug',
      functions: { [USER]: this.#hostFunctions() },
      config: stringConfig(this.options.config),
      memory: { maxPages: this.#maxPages, maxVarBytes: this.limits.maxOutputBytes },
    });
    const exports = (await plugin.getInstance()).exports;
    const words = watchdog.register((exports[INTERRUPT_EXPORT] as unknown as WasmMemory).buffer as SharedArrayBuffer);
    const instance: Instance = { plugin, words };
    for (const name of INIT_EXPORTS) {
      const init = exports[name];
      if (typeof init !== 'function') continue;
      const token = this.#arm(instance);
      try {
        (init as () => void)();
      } catch (error) {
        await this.#release(instance);
        throw this.#trap(error, instance, token, 'while initializing the plugin');
      } finally {
        watchdog.disarm();
      }
    }
    return instance;
  }

  #hostFunctions(): Record<string, (cc: CallContext, ...args: bigint[]) => unknown> {
    const text = (cc: CallContext, offset: bigint, what: string): string => {
      const block = cc.read(offset);
      if (block === null) throw this.#fail(new ScriptError('SCRIPT_INVALID_OUTPUT', `${what}: the plugin passed an invalid memory offset`, 'pass the offset returned by alloc'));
      return block.text();
    };
    return {
      __send_output: (cc, offset) => {
        const active = this.#requireActive('__send_output');
        const json = text(cc, offset, '__send_output');
        try {
          active.budget.charge(Buffer.byteLength(json), '__send_output');
          for (const [port, value] of Object.entries(decodeSendOutput(json))) {
            const flush = active.call.emit(port, value);
            if (flush) active.flushes.push(flush);
          }
        } catch (error) {
          throw this.#fail(error);
        }
      },
      __get_state: (cc, offset) => {
        const active = this.#requireActive('__get_state');
        const key = text(cc, offset, '__get_state');
        return cc.store(JSON.stringify(active.state[key] ?? null));
      },
      __set_state: (cc, keyOffset, valueOffset) => {
        const active = this.#requireActive('__set_state');
        const key = text(cc, keyOffset, '__set_state key');
        const json = text(cc, valueOffset, '__set_state value');
        try {
          active.state[key] = JSON.parse(json);
        } catch {
          throw this.#fail(new ScriptError('SCRIPT_INVALID_OUTPUT', `__set_state('${key}'): the value is not JSON`, 'pass the value as JSON text'));
        }
      },
    };
  }

  /** Routes the plugin's log_* calls to the node log (console-shaped, as Extism expects). */
  #logger(): Console {
    const line = (level: keyof ActorLogger) => (message: unknown) => {
      const active = this.#active;
      if (!active) return;
      const text = String(message);
      if (level === 'error') active.lastError = text;
      try {
        active.budget.charge(Buffer.byteLength(text), 'a log line');
      } catch (error) {
        throw this.#fail(error);
      }
      active.call.log[level](text);
    };
    return { trace: line('debug'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), log: line('info') } as unknown as Console;
  }

  #requireActive(fn: string): ActiveCall {
    if (!this.#active) throw new Error(`${fn} was called outside a call`);
    return this.#active;
  }

  /** Records a host-side failure: it fails the call even if the plugin carries on. */
  #fail(error: unknown): unknown {
    if (this.#active) this.#active.failure ??= error;
    return error;
  }

  /** Runs an export with the watchdog armed (no active call: for get_metadata). */
  async #guarded(name: string, input: string): Promise<string | undefined> {
    const instance = this.#instance!;
    const token = this.#arm(instance);
    let pending: Promise<{ text(): string } | null>;
    try {
      pending = instance.plugin.call(name, input);
    } finally {
      watchdog.disarm();
    }
    try {
      return (await pending)?.text();
    } catch (error) {
      await this.#discard();
      throw this.#trap(error, instance, token, `in ${name}()`);
    }
  }

  async #call(call: ScriptCall): Promise<ScriptResult> {
    if (call.signal.aborted) throw new ScriptError('SCRIPT_ABORTED', `the call to node '${this.options.nodeId}' was aborted`, 'the network is stopping or the firing was cancelled');
    if (!this.#instance) await this.start();
    const instance = this.#instance!;
    const state = isRecord(call.state) ? { ...call.state } : {};
    const active: ActiveCall = { call, state, budget: new OutputBudget(this.limits.maxOutputBytes), flushes: [] };
    const input = encodeActorContext(call.inputs, { nodeId: this.options.nodeId, component: 'script/Script', config: this.options.config }, state);
    this.#active = active;
    let pending: Promise<{ bytes(): Uint8Array; text(): string } | null>;
    const token = this.#arm(instance);
    try {
      pending = instance.plugin.call(this.entryPoint, input); // the plugin runs here, synchronously
    } finally {
      watchdog.disarm();
      this.#active = undefined;
    }
    let output: { bytes(): Uint8Array; text(): string } | null;
    try {
      output = await pending;
    } catch (error) {
      if (active.failure !== undefined) {
        if (!isPluginError(error)) await this.#discard();
        throw active.failure;
      }
      if (isPluginError(error)) throw this.#pluginError(error);
      await this.#discard();
      throw this.#trap(error, instance, token, 'in this call', active.lastError);
    }
    if (active.failure !== undefined) throw active.failure;
    const bytes = output?.bytes() ?? new Uint8Array();
    active.budget.charge(bytes.byteLength, 'the plugin output');
    const result = bytes.byteLength === 0 ? { outputs: {} } : decodeActorResult(output!.text());
    const newState = result.state ?? state;
    const stateSize = Buffer.byteLength(JSON.stringify(newState));
    if (stateSize > this.limits.maxOutputBytes) {
      throw new ScriptError('SCRIPT_OUTPUT_TOO_LARGE', `the state of node '${this.options.nodeId}' is ${stateSize} bytes, over the limit of ${this.limits.maxOutputBytes}`,
        'keep less in state, or raise limits.maxOutputBytes');
    }
    if (active.flushes.length) await Promise.all(active.flushes);
    return { outputs: result.outputs, state: newState };
  }

  /** Arms the watchdog for a run of `instance` and clears its memory-exhausted mark; returns the run's token. */
  #arm(instance: Instance): number {
    Atomics.store(instance.words.words, MEMORY_EXHAUSTED_WORD, 0);
    return watchdog.arm(instance.words, this.limits.timeoutMs);
  }

  /** An error the plugin reported itself (error_set + non-zero return): the instance is fine. */
  #pluginError(error: Error): ScriptError {
    const message = error.message.replace(/^Plugin-originated error: /, '');
    return new ScriptError('SCRIPT_ERROR', message, 'the plugin reported this error; the node takes the next message', { file: this.#label, ...lineOf(message) });
  }

  /** A trap (timeout, memory, abort, crash) as a ScriptError. */
  #trap(error: unknown, instance: Instance, token: number, during: string, lastError?: string): ScriptError {
    if (error instanceof ScriptError) return error;
    const err = error instanceof Error ? error : new Error(String(error));
    if (watchdog.tripped(instance.words, token)) {
      return new ScriptError('SCRIPT_TIMEOUT', `${this.#label} ran longer than ${this.limits.timeoutMs} ms ${during}`, 'look for an endless loop, or raise limits.timeoutMs', { file: this.#label, cause: err });
    }
    if (Atomics.load(instance.words.words, MEMORY_EXHAUSTED_WORD) === 1) {
      return new ScriptError('SCRIPT_MEMORY', `${this.#label} used all of its ${this.limits.memoryMb} MB memory ${during}${lastError ? `: ${lastError}` : ''}`,
        'use less memory per message, or raise limits.memoryMb', { file: this.#label, cause: err });
    }
    const message = lastError ? `${lastError} (${err.message})` : err.message;
    return new ScriptError('SCRIPT_CRASHED', `${this.#label} trapped ${during}: ${message}`, 'the plugin crashed; its instance is re-created for the next message',
      { file: this.#label, ...lineOf(lastError ?? ''), cause: err });
  }

  async #discard(): Promise<void> {
    const instance = this.#instance;
    this.#instance = undefined;
    if (instance) await this.#release(instance);
  }

  async #release(instance: Instance): Promise<void> {
    watchdog.unregister(instance.words);
    await instance.plugin.close();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPluginError(error: unknown): error is Error {
  return error instanceof Error && error.message.startsWith('Plugin-originated error: ');
}

/** `file:line:col` that AssemblyScript's abort (and other PDKs) put in messages. */
function lineOf(message: string): { line?: number; column?: number } {
  const m = /:(\d+):(\d+)\)?\s*$/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : {};
}

/** Extism config is a string map: strings stay, everything else is JSON. */
function stringConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(config ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}
