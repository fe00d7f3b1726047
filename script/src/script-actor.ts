// The script actor: ONE component, `script/Script`, whose nodes each run a user script in a
// sandboxed engine (JavaScript / Python / WebAssembly), configured per node:
//
//   { runtime: 'javascript' | 'python' | 'wasm',
//     source: '<inline code>' (base64 for wasm) | file: 'path/to/script',
//     entryPoint?, isolation?: 'sandbox' | 'docker', limits?: { timeoutMs, memoryMb, maxOutputBytes },
//     inports?: ['in'] | [{ name, type, ... }] | { in: { type } },   (default ['in'])
//     outports?: ['out'] | ...,                                      (default ['out']; `error` always exists)
//     onError?: 'continue' | 'fail', grants?: {...}, config?: {...} (what the script sees as its config) }
//
// One engine per node: started in setup (cold start; a bad script fails the node's setup), called
// once per firing, disposed in teardown. The node's state (ctx.state) is the script's state,
// carried from call to call. A script error becomes ActorFailed with the script's own message,
// code and line (the error's stack is the script's, never the host's). With onError 'continue'
// (default) the node takes the next message; with 'fail' it refuses every later message.
//
// Discovered script files (`*.actor.*`, see discovery/) become components of their own through
// defineScriptComponent: same runtime, ports and name from the script's metadata.
import { isAbsolute, resolve } from 'node:path';
import { defineActor, RESERVED_METADATA_KEYS, type ActorContext, type ActorDefinition, type InPorts, type JsonSchema, type OutPorts } from '@actorflow/network';
import {
  ScriptError, isScriptError, normalizePorts, resolveLimits,
  type EngineOptions, type Isolation, type ScriptEngine, type ScriptEngineFactory, type ScriptLimits, type ScriptMetadata, type ScriptRuntime,
} from './engine.ts';
import { javascriptEngineFactory } from './javascript/index.ts';
import { pythonEngineFactory } from './python/index.ts';
import { wasmEngineFactory } from './wasm/index.ts';

export type ScriptFactories = Record<ScriptRuntime, ScriptEngineFactory>;

/** The engines used unless the host application passes its own. */
export const defaultScriptFactories: Readonly<ScriptFactories> = Object.freeze({
  javascript: javascriptEngineFactory, python: pythonEngineFactory, wasm: wasmEngineFactory,
});

export interface ScriptComponentOptions {
  /** Engine factories by runtime (e.g. a Python factory with another interpreter). */
  factories?: Partial<ScriptFactories>;
  /** Directory relative `file` paths resolve against (default: the working directory). */
  baseDir?: string;
}

/** What a script node is configured with (see the header). */
export interface ScriptNodeConfig {
  runtime: ScriptRuntime;
  source?: string;
  file?: string;
  entryPoint?: string;
  isolation?: Isolation;
  limits?: Partial<ScriptLimits>;
  inports?: unknown;
  outports?: unknown;
  onError?: 'continue' | 'fail';
  grants?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

const RUNTIMES: ScriptRuntime[] = ['javascript', 'python', 'wasm'];

const LIMITS_SCHEMA = {
  type: 'object', additionalProperties: false, description: 'Resource limits per node',
  properties: {
    timeoutMs: { type: 'number', exclusiveMinimum: 0, description: 'Time one message may take (ms)' },
    memoryMb: { type: 'number', exclusiveMinimum: 0, description: 'Memory the script may use (MB)' },
    maxOutputBytes: { type: 'number', exclusiveMinimum: 0, description: 'Bytes one message may send out (outputs, emits, logs) and the state may hold' },
  },
};
const PORTS_SCHEMA = {
  description: "Port names (['in']), specs ([{ name: 'in', type: 'number' }]) or an object of specs ({ in: { type: 'number' } })",
  anyOf: [{ type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'object', required: ['name'] }] } }, { type: 'object' }],
};
/** Keys every script node accepts besides its script's own configuration. */
const EXECUTION_PROPERTIES = {
  isolation: { enum: ['sandbox', 'docker'], default: 'sandbox', description: "'sandbox': the runtime's own sandbox; 'docker': a container (Python)" },
  limits: LIMITS_SCHEMA,
  onError: { enum: ['continue', 'fail'], default: 'continue', description: "'continue': the node takes the next message after an error; 'fail': it refuses every later message" },
  grants: { type: 'object', description: 'Host capabilities granted to the script (JavaScript: console, fetch)' },
};

/** The config JSON Schema of script/Script. */
export const SCRIPT_CONFIG_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['runtime'],
  anyOf: [{ required: ['source'] }, { required: ['file'] }],
  properties: {
    runtime: { enum: RUNTIMES, description: 'The language of the script' },
    source: { type: 'string', description: 'The script inline (for wasm: the module as base64)' },
    file: { type: 'string', description: 'A path to the script file (.js, .ts, .py, .wasm)' },
    entryPoint: { type: 'string', description: 'The function to call (default: the runtime\'s: default export / process / entry_point)' },
    inports: PORTS_SCHEMA,
    outports: PORTS_SCHEMA,
    config: { type: 'object', default: {}, description: 'Configuration handed to the script' },
    ...EXECUTION_PROPERTIES,
  },
};

const ERROR_PORT = { error: { type: 'object' as const, description: 'Script errors, when connected: { message, name, code, ... }' } };

/** How a node's engine is made: runtime, engine options and error policy from the node's config. */
interface NodePlan {
  runtime: ScriptRuntime;
  engine: EngineOptions;
  onError: 'continue' | 'fail';
}

/** Live state of one script node (its engine), by actor context (one per node). */
interface NodeRuntime {
  engine: ScriptEngine;
  outports: ReadonlySet<string>;
  onError: 'continue' | 'fail';
  failed?: ScriptError;
}

/**
 * The shared behaviour of script components: an engine per node, one call per firing, state
 * carried in ctx.state, ScriptErrors turned into the node's failures.
 */
function scriptBehaviour(factories: ScriptFactories, plan: (ctx: ActorContext) => NodePlan, outports: (ctx: ActorContext) => Iterable<string>) {
  const nodes = new WeakMap<ActorContext, NodeRuntime>();
  return {
    state: () => ({}),
    async setup(ctx: ActorContext): Promise<void> {
      const { runtime, engine: options, onError } = plan(ctx);
      const engine = factories[runtime].create(options);
      try {
        await engine.start();
      } catch (error) {
        await engine.dispose();
        throw asNodeError(error);
      }
      nodes.set(ctx, { engine, outports: new Set(outports(ctx)), onError });
    },
    async process(input: Record<string, unknown>, ctx: ActorContext): Promise<void> {
      const node = nodes.get(ctx);
      if (!node) throw new ScriptError('SCRIPT_CRASHED', `script node '${ctx.nodeId}' has no engine (its setup failed)`, 'fix the error reported at setup and restart the network');
      if (node.failed) {
        throw new ScriptError('SCRIPT_CRASHED', `script node '${ctx.nodeId}' stopped after an error (onError: 'fail'): ${node.failed.message}`, "fix the script, or set onError: 'continue'");
      }
      const checkPort = (port: string) => {
        if (!node.outports.has(port)) {
          throw new ScriptError('SCRIPT_INVALID_OUTPUT', `the script sent to outport '${port}', which node '${ctx.nodeId}' does not declare`,
            `declare it in outports (declared: ${[...node.outports].join(', ')})`);
        }
      };
      try {
        const result = await node.engine.call({
          inputs: input, port: ctx.port, state: ctx.state, log: ctx.log, signal: ctx.signal,
          emit: (port, value) => {
            checkPort(port);
            return ctx.emit(port, value) ? undefined : ctx.drained();
          },
        });
        ctx.state = result.state;
        for (const [port, value] of Object.entries(result.outputs)) {
          checkPort(port);
          ctx.emit(port, value);
        }
      } catch (error) {
        const failure = asNodeError(error);
        if (node.onError === 'fail') node.failed = failure;
        throw failure;
      }
    },
    async teardown(ctx: ActorContext): Promise<void> {
      const node = nodes.get(ctx);
      nodes.delete(ctx);
      await node?.engine.dispose();
    },
  };
}

/** A ScriptError whose stack is the script's own (what ActorFailed events show), never the host's. */
function asNodeError(error: unknown): ScriptError {
  const err = isScriptError(error) ? error : new ScriptError('SCRIPT_CRASHED', `the script engine failed: ${(error as Error)?.message ?? String(error)}`, 'report this; the node takes the next message', { cause: error });
  Object.defineProperty(err, 'stack', { value: err.scriptStack ?? `${err.name} [${err.code}]: ${err.message}`, configurable: true, writable: true });
  return err;
}

function factoriesWith(options: ScriptComponentOptions): ScriptFactories {
  return { ...defaultScriptFactories, ...options.factories };
}

function resolveFile(file: string | undefined, baseDir: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  return isAbsolute(file) || !baseDir ? resolve(file) : resolve(baseDir, file);
}

/** Creates the `script/Script` component (export `ScriptActor` is the one with the default engines). */
export function createScriptActor(options: ScriptComponentOptions = {}): ActorDefinition {
  const factories = factoriesWith(options);
  const config = (ctx: ActorContext) => ctx.config as unknown as ScriptNodeConfig;
  const behaviour = scriptBehaviour(factories, (ctx) => {
    const c = config(ctx);
    const file = resolveFile(c.file, options.baseDir);
    return {
      runtime: c.runtime,
      onError: c.onError ?? 'continue',
      engine: {
        nodeId: ctx.nodeId, isolation: c.isolation ?? 'sandbox', limits: resolveLimits(c.limits), config: c.config ?? {},
        source: { ...(c.source !== undefined ? { code: c.source } : {}), ...(file !== undefined ? { file } : {}), ...(c.entryPoint ? { entryPoint: c.entryPoint } : {}) },
        ...(c.grants ? { grants: c.grants } : {}),
      },
    };
  }, (ctx) => [...Object.keys(declaredPorts(config(ctx).outports, ['out'], ctx.nodeId, 'outports')), 'error']);
  return defineActor({
    name: 'script/Script',
    description: 'Runs a sandboxed script (JavaScript, Python or WebAssembly) for every message',
    category: 'script',
    icon: 'code',
    config: SCRIPT_CONFIG_SCHEMA,
    outports: ERROR_PORT,
    ports(nodeConfig: Record<string, unknown>) {
      const c = nodeConfig as unknown as ScriptNodeConfig;
      return {
        inports: toInPorts(declaredPorts(c.inports, ['in'], 'script/Script', 'inports')),
        outports: toOutPorts(declaredPorts(c.outports, ['out'], 'script/Script', 'outports')),
      };
    },
    ...behaviour,
  });
}

function declaredPorts(raw: unknown, fallback: string[], where: string, kind: 'inports' | 'outports'): ScriptMetadata['inports'] {
  return normalizePorts(raw ?? fallback, `${where}: ${kind}`);
}

function toInPorts(ports: ScriptMetadata['inports']): InPorts {
  return ports as InPorts;
}

function toOutPorts(ports: ScriptMetadata['outports']): OutPorts {
  return ports as OutPorts;
}

/** A component made from one script file (used by *.actor.* discovery). */
export interface ScriptComponentSpec {
  runtime: ScriptRuntime;
  /** Absolute path of the script. */
  file: string;
  /** The script's metadata (name, ports, config schema...). */
  metadata: ScriptMetadata;
}

/**
 * Defines a component that runs one script file: its name, description and ports come from the
 * script's metadata; a node's config is handed to the script (keys isolation, limits, onError and
 * grants configure the execution itself; the runtime's own keys, like thread and retry, are not passed).
 */
export function defineScriptComponent(spec: ScriptComponentSpec, options: ScriptComponentOptions = {}): ActorDefinition {
  const { metadata } = spec;
  const factories = factoriesWith(options);
  const declared = metadata.config;
  const schema: JsonSchema = declared && typeof declared.type === 'string'
    ? { ...declared, properties: { ...(declared.properties as Record<string, unknown> | undefined), ...EXECUTION_PROPERTIES } }
    : { type: 'object', properties: EXECUTION_PROPERTIES };
  const behaviour = scriptBehaviour(factories, (ctx) => {
    const { isolation, limits, onError, grants, ...rest } = ctx.config as Record<string, unknown> & Partial<ScriptNodeConfig>;
    const scriptConfig = Object.fromEntries(Object.entries(rest).filter(([key]) => !RESERVED_METADATA_KEYS.includes(key)));
    return {
      runtime: spec.runtime,
      onError: onError ?? 'continue',
      engine: {
        nodeId: ctx.nodeId, isolation: isolation ?? 'sandbox', limits: resolveLimits(limits), config: scriptConfig,
        source: { file: spec.file }, ...(grants ? { grants } : {}),
      },
    };
  }, () => [...Object.keys(metadata.outports), 'error']);
  return defineActor({
    name: metadata.name,
    ...(metadata.description ? { description: metadata.description } : {}),
    category: metadata.category ?? 'script',
    icon: metadata.icon ?? 'code',
    ...(metadata.version ? { version: metadata.version } : {}),
    inports: toInPorts(metadata.inports),
    outports: { ...toOutPorts(metadata.outports), ...ERROR_PORT },
    config: schema,
    ...behaviour,
  });
}

/** script/Script with the default engines; registries load it from this module (worker threads too). */
export const ScriptActor = createScriptActor();
