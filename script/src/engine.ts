// The contract every script runtime implements (JavaScript, Python, WebAssembly), whatever its
// isolation. The script-actor component drives an engine: start once per node, call once per
// firing, dispose at teardown. Engines never see the network; they see plain values.
import { ActorflowError } from '@actorflow/network';
import type { ActorLogger } from '@actorflow/network';

export type ScriptRuntime = 'javascript' | 'python' | 'wasm';

/** 'sandbox' = the runtime's own sandbox (isolate / process limits + bwrap / wasm); 'docker' = a container. */
export type Isolation = 'sandbox' | 'docker';

/** Per-node resource limits. */
export interface ScriptLimits {
  /** Wall-clock time allowed for one call (one firing). */
  timeoutMs: number;
  /** Memory the script may use (isolate heap, process address space, wasm linear memory). */
  memoryMb: number;
  /** Largest serialized size (JSON bytes) of one call's outputs, emits and state. */
  maxOutputBytes: number;
}

/** The script: inline `code`, or a `file` path; `entryPoint` names the function to call (runtime default otherwise). */
export interface ScriptSource {
  code?: string;
  file?: string;
  entryPoint?: string;
}

export interface EngineOptions {
  nodeId: string;
  source: ScriptSource;
  isolation: Isolation;
  limits: ScriptLimits;
  config: Record<string, unknown>;
  /** Host capabilities granted to the script (runtime-specific, documented per engine); none by default. */
  grants?: Record<string, unknown>;
}

/** One firing. */
export interface ScriptCall {
  /** This firing's packets, plain values, by port name. */
  inputs: Record<string, unknown>;
  /** The firing port. */
  port?: string;
  /** Node state (JSON-compatible), persisted by the caller across calls. */
  state: unknown;
  /** Streams an output during the call; await the promise it may return (backpressure). */
  emit(port: string, value: unknown): void | Promise<void>;
  log: ActorLogger;
  signal: AbortSignal;
}

export interface ScriptResult {
  /** Values returned by the script, by port name (emitted values are not repeated here). */
  outputs: Record<string, unknown>;
  /** The node state after the call. */
  state: unknown;
}

export interface ScriptEngine {
  /** Cold start: spawn / instantiate / compile. Throws ScriptError on bad source. */
  start(): Promise<void>;
  /** One firing; rejects with ScriptError (the script's message and line). */
  call(call: ScriptCall): Promise<ScriptResult>;
  dispose(): Promise<void>;
}

export interface ScriptEngineFactory {
  runtime: ScriptRuntime;
  create(options: EngineOptions): ScriptEngine;
  /** Component metadata declared inside a script file (for *.actor.* discovery). */
  describe?(source: ScriptSource): Promise<ScriptMetadata>;
}

/** A component's description, declared by the script itself. */
export interface ScriptMetadata {
  name: string;
  description?: string;
  category?: string;
  icon?: string;
  version?: string;
  inports: Record<string, { type?: string; description?: string; required?: boolean; default?: unknown }>;
  outports: Record<string, { type?: string; description?: string }>;
  config?: Record<string, unknown>;
}

export type ScriptErrorCode =
  | 'SCRIPT_ERROR' // the script threw
  | 'SCRIPT_TIMEOUT' // a call exceeded limits.timeoutMs
  | 'SCRIPT_MEMORY' // the script exceeded limits.memoryMb
  | 'SCRIPT_SYNTAX' // the source does not compile
  | 'SCRIPT_OUTPUT_TOO_LARGE' // outputs/state over limits.maxOutputBytes
  | 'SCRIPT_INVALID_OUTPUT' // outputs not JSON-compatible or not a port map, unknown port
  | 'SCRIPT_CRASHED' // the engine itself died (process exit, isolate disposed, wasm trap)
  | 'SCRIPT_CONFIG'; // the engine was configured wrongly (missing source, bad entry point, bad grant)

export interface ScriptErrorDetails {
  /** Line in the user's script (1-based) where the error happened, when known. */
  line?: number;
  /** Column (1-based), when known. */
  column?: number;
  /** File (or `<inline>`) the line refers to. */
  file?: string;
  /** The script's own stack trace (never the host's). */
  scriptStack?: string;
  cause?: unknown;
}

/** A script failed: `code` says how, `message` is the script's own message, `line` where. */
export class ScriptError extends ActorflowError {
  override name = 'ScriptError';
  declare readonly code: ScriptErrorCode;
  readonly line?: number;
  readonly column?: number;
  readonly file?: string;
  readonly scriptStack?: string;
  constructor(code: ScriptErrorCode, message: string, hint: string, details: ScriptErrorDetails = {}) {
    super(code, message, hint, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
    if (details.file !== undefined) this.file = details.file;
    if (details.scriptStack !== undefined) this.scriptStack = details.scriptStack;
  }
}

/** True for ScriptError values, also across realms/copies (duck-typed on name and code). */
export function isScriptError(value: unknown): value is ScriptError {
  return value instanceof ScriptError
    || (value instanceof Error && value.name === 'ScriptError' && typeof (value as { code?: unknown }).code === 'string');
}
