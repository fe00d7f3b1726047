// Script files as components: every `*.actor.{js,mjs,ts,py,wasm}` in a folder becomes a component
// named and described by the script's own metadata (JavaScript: an exported `metadata` object;
// Python: `@actor(...)` or `__actor_metadata__`, read without running the script; WebAssembly:
// `get_metadata()`). A script without a name is called `<namespace><file name>` (default
// namespace 'actors/', so `double.actor.js` is `actors/double`); one without ports gets `in` and `out`.
//
//   const { actors, problems } = await discoverActors('actors', registry);
//   const watcher = await watchActors('actors', registry, { onChange: (e) => log(e) });  // dev loop
//   await watcher.close();
//
// A broken file never throws and never takes anything down: it is reported as a problem with its
// file and line (and, when watching, the last good version of its component stays registered).
// Discovery registers only names it owns: a script cannot replace a built-in component.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import type { ComponentRegistry } from '@actorflow/network';
import { isScriptError, normalizePorts, ScriptError, type ScriptMetadata, type ScriptRuntime } from '../engine.ts';
import { defaultScriptFactories, defineScriptComponent, type ScriptComponentOptions } from '../script-actor.ts';

const ACTOR_FILE = /\.actor\.(js|mjs|ts|py|wasm)$/;
const RUNTIME_OF: Record<string, ScriptRuntime> = { js: 'javascript', mjs: 'javascript', ts: 'javascript', py: 'python', wasm: 'wasm' };

export interface DiscoverOptions extends ScriptComponentOptions {
  /** Look in subfolders too (default true). */
  recursive?: boolean;
  /** Prefix of the names of scripts that declare none (default 'actors/'). */
  namespace?: string;
  /** Called for each broken file (they are also returned). */
  onProblem?: (problem: DiscoveryProblem) => void;
}

/** A script registered as a component. */
export interface DiscoveredActor {
  name: string;
  file: string;
  runtime: ScriptRuntime;
  metadata: ScriptMetadata;
}

/** A script that could not be registered: which file, where in it, and why. */
export interface DiscoveryProblem {
  file: string;
  line?: number;
  code: string;
  message: string;
  error: Error;
}

export interface DiscoveryResult {
  actors: DiscoveredActor[];
  problems: DiscoveryProblem[];
}

/** What a watcher reports. */
export type ActorWatchEvent =
  | { type: 'added' | 'replaced'; name: string; file: string }
  | { type: 'removed'; name: string; file: string }
  | { type: 'problem'; file: string; problem: DiscoveryProblem };

export interface WatchOptions extends DiscoverOptions {
  /** Quiet time after the last change to a file before it is reloaded (default 50 ms). */
  debounceMs?: number;
  onChange?: (event: ActorWatchEvent) => void;
}

export interface ActorWatcher {
  /** What the initial discovery found. */
  readonly initial: DiscoveryResult;
  /** Stops watching (registered components stay). */
  close(): Promise<void>;
}

/** Registers every `*.actor.*` script under `dir` as a component. */
export async function discoverActors(dir: string, registry: ComponentRegistry, options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const catalog = new ScriptCatalog(resolve(dir), registry, options);
  return catalog.scan();
}

/** discoverActors, then keeps the registry in step with the folder: reloads changed scripts, removes deleted ones. */
export async function watchActors(dir: string, registry: ComponentRegistry, options: WatchOptions = {}): Promise<ActorWatcher> {
  const root = resolve(dir);
  const catalog = new ScriptCatalog(root, registry, options);
  const initial = await catalog.scan();
  const debounceMs = options.debounceMs ?? 50;
  const timers = new Map<string, NodeJS.Timeout>();
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const watcher: FSWatcher = watch(root, { recursive: options.recursive ?? true }, (_event, name) => {
    if (closed || !name || !ACTOR_FILE.test(name)) return;
    const file = join(root, name.toString());
    clearTimeout(timers.get(file));
    timers.set(file, setTimeout(() => {
      timers.delete(file);
      chain = chain.then(() => catalog.refresh(file)).catch((error: unknown) => console.error('actorflow: actor reload failed:', error));
    }, debounceMs));
  });
  watcher.on('error', (error) => console.error(`actorflow: watching ${root} failed:`, error));
  return {
    initial,
    async close() {
      closed = true;
      watcher.close();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await chain;
    },
  };
}

/** The scripts of one folder and the components registered for them. */
class ScriptCatalog {
  readonly #root: string;
  readonly #registry: ComponentRegistry;
  readonly #options: WatchOptions;
  /** Component name by file, for the files that registered one. */
  readonly #names = new Map<string, string>();

  constructor(root: string, registry: ComponentRegistry, options: WatchOptions) {
    this.#root = root;
    this.#registry = registry;
    this.#options = options;
  }

  async scan(): Promise<DiscoveryResult> {
    const info = await stat(this.#root).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new ScriptError('SCRIPT_CONFIG', `actors folder ${this.#root} does not exist or is not a folder`, 'create it, or point --actors at the folder holding your *.actor.* files');
    }
    const result: DiscoveryResult = { actors: [], problems: [] };
    const entries = await readdir(this.#root, { recursive: this.#options.recursive ?? true });
    for (const entry of entries.filter((e) => ACTOR_FILE.test(e)).sort()) {
      const outcome = await this.#load(join(this.#root, entry));
      if ('problem' in outcome) result.problems.push(outcome.problem);
      else result.actors.push(outcome.actor);
    }
    return result;
  }

  /** Reloads one file after a change (or forgets it after a removal) and reports what happened. */
  async refresh(file: string): Promise<void> {
    const exists = await stat(file).then((s) => s.isFile(), () => false);
    const name = this.#names.get(file);
    if (!exists) {
      if (name !== undefined) {
        this.#names.delete(file);
        if (this.#registry.has(name)) this.#registry.unregister(name);
        this.#options.onChange?.({ type: 'removed', name, file });
      }
      return;
    }
    const outcome = await this.#load(file);
    if ('problem' in outcome) this.#options.onChange?.({ type: 'problem', file, problem: outcome.problem });
    else this.#options.onChange?.({ type: outcome.replaced ? 'replaced' : 'added', name: outcome.actor.name, file });
  }

  async #load(file: string): Promise<{ actor: DiscoveredActor; replaced: boolean } | { problem: DiscoveryProblem }> {
    try {
      const runtime = RUNTIME_OF[ACTOR_FILE.exec(file)![1]];
      const factory = { ...defaultScriptFactories, ...this.#options.factories }[runtime];
      const declared = factory.describe ? await factory.describe({ file }) : { name: '', inports: {}, outports: {} };
      const metadata = this.#complete(declared, file);
      const name = metadata.name;
      const owner = [...this.#names].find(([f, n]) => n === name && f !== file)?.[0];
      if (owner !== undefined) {
        throw new ScriptError('SCRIPT_CONFIG', `component name '${name}' is already used by ${relative(this.#root, owner)}`, 'give one of the scripts another name in its metadata');
      }
      const previous = this.#names.get(file);
      if (previous === undefined && this.#registry.has(name)) {
        throw new ScriptError('SCRIPT_CONFIG', `component name '${name}' is already registered (a built-in or another library)`, 'pick another name in the script metadata');
      }
      const definition = defineScriptComponent({ runtime, file, metadata }, this.#options);
      if (previous !== undefined && previous !== name && this.#registry.has(previous)) this.#registry.unregister(previous);
      const replaced = this.#registry.has(name);
      this.#registry.replace(definition);
      this.#names.set(file, name);
      return { actor: { name, file, runtime, metadata }, replaced };
    } catch (error) {
      const problem = toProblem(file, error);
      this.#options.onProblem?.(problem);
      return { problem };
    }
  }

  /** Fills in a default name and default ports. */
  #complete(metadata: ScriptMetadata, file: string): ScriptMetadata {
    const base = basename(file).replace(ACTOR_FILE, '');
    const noPorts = Object.keys(metadata.inports).length === 0 && Object.keys(metadata.outports).length === 0;
    return {
      ...metadata,
      name: metadata.name || `${this.#options.namespace ?? 'actors/'}${base}`,
      ...(noPorts ? { inports: normalizePorts(['in'], file), outports: normalizePorts(['out'], file) } : {}),
    };
  }
}

function toProblem(file: string, error: unknown): DiscoveryProblem {
  const err = error instanceof Error ? error : new Error(String(error));
  const line = isScriptError(err) ? err.line : undefined;
  const code = (err as { code?: unknown }).code;
  return {
    file, ...(line !== undefined ? { line } : {}), code: typeof code === 'string' ? code : 'SCRIPT_ERROR',
    message: err.message.includes(file) ? err.message : `${file}${line !== undefined ? `:${line}` : ''}: ${err.message}`, error: err,
  };
}
