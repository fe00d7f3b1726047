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
  | 'SCRIPT_ABORTED' // the call's signal was aborted (network stopping)
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
  declare readonly line?: number;
  declare readonly column?: number;
  declare readonly file?: string;
  declare readonly scriptStack?: string;
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

/** Limits applied when a node sets none. */
export const DEFAULT_LIMITS: Readonly<ScriptLimits> = Object.freeze({ timeoutMs: 1000, memoryMb: 64, maxOutputBytes: 1024 * 1024 });

/** Fills missing limits with the defaults and rejects nonsense (ScriptError SCRIPT_CONFIG). */
export function resolveLimits(limits: Partial<ScriptLimits> | undefined): ScriptLimits {
  const out = { ...DEFAULT_LIMITS, ...limits };
  for (const key of ['timeoutMs', 'memoryMb', 'maxOutputBytes'] as const) {
    const v = out[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new ScriptError('SCRIPT_CONFIG', `limits.${key} must be a positive number, got ${JSON.stringify(v)}`,
        `e.g. limits: { ${key}: ${DEFAULT_LIMITS[key]} }`);
    }
  }
  return out;
}

/**
 * Counts the bytes a call sends out of its sandbox (returned outputs, emits, log lines) against
 * `limits.maxOutputBytes`, so a script cannot flood the host within one call.
 */
export class OutputBudget {
  #used = 0;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  get used(): number {
    return this.#used;
  }
  /** Adds `bytes`; throws ScriptError SCRIPT_OUTPUT_TOO_LARGE once the total passes the limit. */
  charge(bytes: number, what: string): void {
    this.#used += bytes;
    if (this.#used > this.limit) {
      throw new ScriptError('SCRIPT_OUTPUT_TOO_LARGE',
        `${what} brings this call's output to ${this.#used} bytes, over the limit of ${this.limit}`,
        'send less per message (split it over several calls), or raise limits.maxOutputBytes');
    }
  }
}

type PortSpecs = ScriptMetadata['inports'];
const PORT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Port type names (the network's), and Reflow's that map to them. */
const PORT_TYPES = new Set(['any', 'flow', 'event', 'boolean', 'integer', 'float', 'number', 'string', 'object', 'array', 'binary', 'stream', 'encoded', 'date', 'bigint', 'error']);
const REFLOW_PORT_TYPES: Record<string, string> = { optional: 'any', generic: 'any' };

/**
 * Port declarations as scripts and node configs write them, normalized to `{name: spec}`:
 * a list of names (`['in', 'factor']`), a list of specs (Reflow's `[{name, port_type, ...}]`),
 * or an object of specs (`{ in: { type: 'number' } }`). Throws SCRIPT_CONFIG naming `where`.
 */
export function normalizePorts(raw: unknown, where: string): PortSpecs {
  if (raw === undefined || raw === null) return {};
  const bad = (what: string) => new ScriptError('SCRIPT_CONFIG', `${where}: ${what}`,
    "declare ports as ['in', 'out'], as [{ name: 'in', type: 'number' }], or as { in: { type: 'number' } }");
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((p, i) => {
      if (typeof p === 'string') return [p, {}];
      if (typeof p === 'object' && p !== null && typeof (p as { name?: unknown }).name === 'string') return [(p as { name: string }).name, p];
      throw bad(`port #${i} must be a name or an object with a name`);
    })
    : typeof raw === 'object' ? Object.entries(raw) : (() => { throw bad(`expected a list or an object, got ${typeof raw}`); })();
  const ports: PortSpecs = {};
  for (const [name, spec] of entries) {
    if (!PORT_NAME.test(name)) throw bad(`'${name}' is not a valid port name (letters, digits, _ and -, starting with a letter or _)`);
    if (name in ports) throw bad(`port '${name}' is declared twice`);
    if (typeof spec !== 'object' || spec === null) throw bad(`port '${name}' must be described by an object`);
    const s = spec as Record<string, unknown>;
    const type = s.type ?? s.port_type;
    const out: PortSpecs[string] = {};
    if (typeof type === 'string') {
      const typeName = REFLOW_PORT_TYPES[type.toLowerCase()] ?? type.toLowerCase();
      if (!PORT_TYPES.has(typeName)) throw bad(`port '${name}' has unknown type '${type}' (known: ${[...PORT_TYPES].join(', ')})`);
      out.type = typeName;
    } else if (type !== undefined) {
      throw bad(`the type of port '${name}' must be a type name such as 'number'`);
    }
    if (typeof s.description === 'string') out.description = s.description;
    if (s.required === true) out.required = true;
    if (s.default !== undefined) out.default = s.default;
    ports[name] = out;
  }
  return ports;
}

/**
 * A script's declared metadata (its `metadata` export, `__actor_metadata__`, `get_metadata()`)
 * checked and normalized. Accepts Reflow's names too (`component`, `config_schema`).
 */
export function normalizeMetadata(raw: unknown, where: string): ScriptMetadata {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ScriptError('SCRIPT_CONFIG', `${where}: metadata must be an object`, "e.g. { name: 'text/Upper', inports: ['in'], outports: ['out'] }");
  }
  const m = raw as Record<string, unknown>;
  const name = m.name ?? m.component;
  if (name !== undefined && typeof name !== 'string') throw new ScriptError('SCRIPT_CONFIG', `${where}: metadata.name must be a string`, "e.g. name: 'text/Upper'");
  const meta: ScriptMetadata = {
    name: typeof name === 'string' ? name : '',
    inports: normalizePorts(m.inports, `${where}: metadata.inports`),
    outports: normalizePorts(m.outports, `${where}: metadata.outports`),
  };
  for (const key of ['description', 'category', 'icon', 'version'] as const) {
    if (typeof m[key] === 'string') meta[key] = m[key];
  }
  const config = m.config ?? m.config_schema;
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) meta.config = config as Record<string, unknown>;
  return meta;
}

/** Runs an engine's calls one at a time, in order (the runtime awaits each firing; this guards direct users). */
export class CallQueue {
  #tail: Promise<unknown> | undefined;

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail ? this.#tail.then(fn) : fn();
    const tail = next.then(() => undefined, () => undefined).finally(() => {
      if (this.#tail === tail) this.#tail = undefined;
    });
    this.#tail = tail;
    return next;
  }
}
