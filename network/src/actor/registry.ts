// ComponentRegistry: components by name. Actors registered from a module remember its URL so
// worker threads can load the same code; graphs registered as components become subgraphs.
import { pathToFileURL } from 'node:url';
import { RegistryError } from '../errors.ts';
import type { Graph } from '../graph/graph.ts';
import { didYouMean, suggest } from '../suggest.ts';
import { toPortType, type PortType } from '../port-types.ts';
import { isActorDefinition } from './define.ts';
import type { ActorDefinition, InPortSpec, JsonSchema, OutPortSpec } from './types.ts';

/** A graph with exported ports, usable as a component inside another graph. */
export interface SubgraphDefinition {
  readonly kind: 'subgraph';
  readonly name: string;
  readonly description?: string;
  readonly category?: string;
  readonly icon?: string;
  readonly graph: Graph;
}

export type ComponentDefinition = ActorDefinition | SubgraphDefinition;

/** Where a component's code lives, so another thread can load it. */
export interface ComponentSource {
  /** URL of the ES module that exports the definition. */
  module: string;
  /** Name of the export holding it. */
  exportName: string;
}

/** A port as a palette or API client sees it. */
export interface PortInfo {
  name: string;
  type: PortType;
  schema?: JsonSchema;
  description?: string;
  required?: boolean;
  default?: unknown;
  addressable?: boolean;
}

/** Everything an IDE palette or the REST API needs to show a component. */
export interface ComponentInfo {
  name: string;
  kind: 'actor' | 'subgraph';
  description: string;
  category: string;
  icon: string;
  version?: string;
  tags: string[];
  inports: PortInfo[];
  outports: PortInfo[];
  config?: JsonSchema;
}

export type RegistryChange = { type: 'added' | 'replaced' | 'removed'; name: string };

interface Entry {
  definition: ComponentDefinition;
  source?: ComponentSource;
}

function portInfo(name: string, spec: InPortSpec | OutPortSpec): PortInfo {
  const info: PortInfo = { name, type: toPortType(spec.type) };
  if (spec.schema !== undefined) info.schema = spec.schema;
  if (spec.description !== undefined) info.description = spec.description;
  if ('required' in spec && spec.required) info.required = true;
  if ('default' in spec && spec.default !== undefined) info.default = spec.default;
  if (spec.addressable) info.addressable = true;
  return info;
}

export class ComponentRegistry {
  #entries = new Map<string, Entry>();
  #listeners: ((change: RegistryChange) => void)[] = [];

  /** Adds a component; a name already taken is an error (use `replace` to swap one in). */
  register(definition: ComponentDefinition, source?: ComponentSource): void {
    if (!isActorDefinition(definition) && (definition as SubgraphDefinition)?.kind !== 'subgraph') {
      throw new RegistryError('INVALID_COMPONENT', 'register: not a component definition', 'create actors with defineActor(), subgraphs with registerGraph()');
    }
    if (this.#entries.has(definition.name)) {
      throw new RegistryError('DUPLICATE_COMPONENT', `component '${definition.name}' is already registered`, 'pick another name, or call replace() to update it');
    }
    this.#entries.set(definition.name, source ? { definition, source } : { definition });
    this.#notify({ type: 'added', name: definition.name });
  }

  /** Adds or replaces a component (hot reload). */
  replace(definition: ComponentDefinition, source?: ComponentSource): void {
    const existed = this.#entries.has(definition.name);
    this.#entries.delete(definition.name);
    this.register(definition, source);
    if (existed) this.#notify({ type: 'replaced', name: definition.name });
  }

  unregister(name: string): void {
    if (!this.#entries.delete(name)) throw this.unknown(name);
    this.#notify({ type: 'removed', name });
  }

  /**
   * Imports an ES module and registers every actor it exports. The module URL is kept so worker
   * threads can import it too. Returns the registered names.
   */
  async registerModule(module: string | URL): Promise<string[]> {
    const url = module instanceof URL ? module.href : /^[a-z]+:/i.test(module) ? module : pathToFileURL(module).href;
    const exports = (await import(url)) as Record<string, unknown>;
    const names: string[] = [];
    for (const [exportName, value] of Object.entries(exports)) {
      if (!isActorDefinition(value)) continue;
      if (this.#entries.get(value.name)?.definition === value) continue; // same definition exported twice
      this.register(value, { module: url, exportName });
      names.push(value.name);
    }
    if (names.length === 0) {
      throw new RegistryError('NO_COMPONENTS', `module ${url} exports no actor definitions`, 'export the values returned by defineActor()');
    }
    return names;
  }

  /** Registers a graph with exported ports as a component. */
  registerGraph(name: string, graph: Graph, meta: { description?: string; category?: string; icon?: string } = {}): void {
    this.register({ kind: 'subgraph', name, graph, ...meta });
  }

  get(name: string): ComponentDefinition | undefined {
    return this.#entries.get(name)?.definition;
  }

  /** The definition, or a RegistryError naming near misses. */
  require(name: string): ComponentDefinition {
    const def = this.get(name);
    if (!def) throw this.unknown(name);
    return def;
  }

  source(name: string): ComponentSource | undefined {
    return this.#entries.get(name)?.source;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  /** Registered names closest to `name`. */
  suggest(name: string, limit = 3): string[] {
    return suggest(name, this.#entries.keys(), limit);
  }

  unknown(name: string): RegistryError {
    const hint = didYouMean(name, this.#entries.keys()) || `list them with the registry's names() (${this.#entries.size} registered)`;
    return new RegistryError('UNKNOWN_COMPONENT', `unknown component '${name}'`, hint);
  }

  /** Palette/API description of one component. */
  info(name: string): ComponentInfo {
    const def = this.require(name);
    if (def.kind === 'actor') {
      return {
        name: def.name, kind: 'actor', description: def.description ?? '', category: def.category ?? 'other',
        icon: def.icon ?? 'cog', tags: def.tags ?? [], ...(def.version ? { version: def.version } : {}),
        inports: Object.entries(def.inports).map(([n, s]) => portInfo(n, s)),
        outports: Object.entries(def.outports).map(([n, s]) => portInfo(n, s)),
        ...(def.config !== undefined ? { config: def.config } : {}),
      };
    }
    const boundary = (ports: Map<string, { node: string; port: string; metadata: Record<string, unknown> }>, dir: 'in' | 'out'): PortInfo[] =>
      [...ports].map(([publicName, p]) => {
        const inner = def.graph.nodes.get(p.node);
        const innerDef = inner ? this.get(inner.component) : undefined;
        const spec = innerDef?.kind === 'actor' ? (dir === 'in' ? innerDef.inports : innerDef.outports)[p.port] : undefined;
        const info = spec ? portInfo(publicName, spec) : { name: publicName, type: { type: 'any' } as PortType };
        if (typeof p.metadata.description === 'string') info.description = p.metadata.description;
        return info;
      });
    const inports = boundary(def.graph.inports, 'in');
    const outports = boundary(def.graph.outports, 'out');
    return {
      name: def.name, kind: 'subgraph', description: def.description ?? String(def.graph.properties.description ?? ''),
      category: def.category ?? 'subgraph', icon: def.icon ?? 'sitemap', tags: [], inports, outports,
    };
  }

  /** Palette/API description of every component, sorted by name. */
  list(): ComponentInfo[] {
    return this.names().map((n) => this.info(n));
  }

  /** Subscribes to registrations; returns the unsubscribe function. */
  on(listener: (change: RegistryChange) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  #notify(change: RegistryChange): void {
    for (const l of this.#listeners) l(change);
  }
}
