// Plan: turns a Graph into what the runtime instantiates — subgraphs flattened (inner nodes get
// ids `parent/inner`), every node's component, config, env, ports and settings resolved, every
// edge and IIP aimed at a real actor port.
import type { ComponentRegistry, ComponentSource } from '../actor/registry.ts';
import { resolvePorts } from '../actor/define.ts';
import type { ActorDefinition, InPortSpec, OutPortSpec } from '../actor/types.ts';
import type { Problem } from '../errors.ts';
import type { Graph } from '../graph/graph.ts';
import type { GraphEdge, Metadata, PortRef } from '../graph/types.ts';
import { resolveNodeConfig } from '../actor/config.ts';
import type { NodeSettings } from './node-runner.ts';
import type { OverflowPolicy, RetryPolicy } from './types.ts';

/** The thread name of nodes that run on the network's own thread. */
export const MAIN_THREAD = 'main';

/** What resolving connections needs to know about a node. */
export interface NodeView {
  readonly def: ActorDefinition;
  readonly ports: { inports: Record<string, InPortSpec>; outports: Record<string, OutPortSpec> };
}

export interface PlannedNode extends NodeView {
  id: string;
  def: ActorDefinition;
  source?: ComponentSource;
  /** The node's metadata as written in the graph (config before defaults). */
  metadata: Metadata;
  config: Record<string, unknown>;
  env: Record<string, string | undefined>;
  ports: { inports: Record<string, InPortSpec>; outports: Record<string, OutPortSpec> };
  settings: NodeSettings;
}

export interface PlannedEdge {
  src: PortRef;
  tgt: PortRef;
  capacity: number;
  policy: OverflowPolicy;
  /** The graph edge this came from (for live removal); inner edges of subgraphs have none. */
  origin?: GraphEdge;
}

export interface PlannedInitial {
  tgt: PortRef;
  data: unknown;
}

export interface Plan {
  nodes: Map<string, PlannedNode>;
  edges: PlannedEdge[];
  initials: PlannedInitial[];
  /** Exported inports/outports → the actor port they reach. */
  inports: Map<string, PortRef>;
  outports: Map<string, PortRef>;
}

export interface PlanOptions {
  registry: ComponentRegistry;
  env: Readonly<Record<string, string | undefined>>;
  capacity: number;
  policy: OverflowPolicy;
}

type Boundary = { inports: Map<string, PortRef>; outports: Map<string, PortRef> };

const POLICIES: readonly OverflowPolicy[] = ['block', 'drop-oldest', 'error'];

/** Shared by every node without configuration / env vars (networks can have 100,000s of nodes). */
const NO_CONFIG: Record<string, unknown> = Object.freeze({});
const NO_ENV: Record<string, string | undefined> = Object.freeze({});

/** Settings of nodes with no retry or timeout: shared per thread (networks can have 100,000s of nodes). */
const sharedSettings = new Map<string, NodeSettings>();
function plainSettings(thread: string): NodeSettings {
  let settings = sharedSettings.get(thread);
  if (!settings) sharedSettings.set(thread, (settings = Object.freeze({ thread })));
  return settings;
}

/**
 * Builds the plan for a whole graph. Problems are collected, never thrown. The builder is returned
 * too: it knows the subgraph boundaries, so live edits are planned with it.
 */
export function buildPlan(graph: Graph, options: PlanOptions): { plan: Plan; problems: Problem[]; builder: PlanBuilder } {
  const builder = new PlanBuilder(options);
  builder.addGraph(graph, '', MAIN_THREAD, []);
  const plan: Plan = { nodes: new Map(), edges: [], initials: [], inports: new Map(), outports: new Map() };
  for (const edge of graph.edges) {
    const planned = builder.edge(edge.src, edge.tgt, edge.metadata, '', `$.connections`);
    if (planned) plan.edges.push({ ...planned, origin: edge });
  }
  plan.edges.push(...builder.innerEdges.splice(0));
  for (const iip of graph.initials) {
    const tgt = builder.target(iip.tgt, '', '$.connections');
    if (tgt) plan.initials.push({ tgt: builder.slotOf(tgt), data: iip.data });
  }
  plan.initials.unshift(...builder.innerInitials.splice(0));
  for (const [name, p] of graph.inports) {
    const ref = builder.target(p, '', `$.inports.${name}`);
    if (ref) plan.inports.set(name, ref);
  }
  for (const [name, p] of graph.outports) {
    const ref = builder.source(p, '', `$.outports.${name}`);
    if (ref) plan.outports.set(name, ref);
  }
  for (const [id, node] of builder.nodes) plan.nodes.set(id, node);
  return { plan, problems: builder.problems.splice(0), builder };
}

/** Plans nodes one by one (used at build time and for live edits). */
export class PlanBuilder {
  /** Nodes planned and not yet instantiated. */
  readonly nodes = new Map<string, PlannedNode>();
  /** Nodes already running (the network's runners), once settled. */
  #known: ReadonlyMap<string, NodeView> = new Map();
  readonly boundaries = new Map<string, Boundary>();
  readonly innerEdges: PlannedEdge[] = [];
  readonly innerInitials: PlannedInitial[] = [];
  readonly problems: Problem[] = [];
  readonly #options: PlanOptions;

  constructor(options: PlanOptions) {
    this.#options = options;
  }

  /** The planned nodes are instantiated: resolve against `known` from now on and forget the plans. */
  settle(known: ReadonlyMap<string, NodeView>): void {
    this.#known = known;
    this.nodes.clear();
  }

  #node(id: string): NodeView | undefined {
    return this.nodes.get(id) ?? this.#known.get(id);
  }

  #problem(code: string, path: string, message: string, hint: string): void {
    this.problems.push({ code, path, message, hint, severity: 'error' });
  }

  /** Adds every node of `graph` (recursively expanding subgraphs) under an id prefix. */
  addGraph(graph: Graph, prefix: string, thread: string, stack: string[]): void {
    const groupThread = new Map<string, string>();
    for (const g of graph.groups) {
      if (typeof g.metadata.thread === 'string' && g.metadata.thread) for (const n of g.nodes) groupThread.set(n, g.metadata.thread);
    }
    for (const node of graph.nodes.values()) {
      const nodeThread = typeof node.metadata.thread === 'string' && node.metadata.thread ? node.metadata.thread : groupThread.get(node.id) ?? thread;
      this.addNode(prefix + node.id, node.component, node.metadata, nodeThread, stack);
    }
    if (prefix === '') return;
    for (const edge of graph.edges) {
      const planned = this.edge(edge.src, edge.tgt, edge.metadata, prefix, `subgraph ${prefix.slice(0, -1)}`);
      if (planned) this.innerEdges.push(planned);
    }
    for (const iip of graph.initials) {
      const tgt = this.target(iip.tgt, prefix, `subgraph ${prefix.slice(0, -1)}`);
      if (tgt) this.innerInitials.push({ tgt: this.slotOf(tgt), data: iip.data });
    }
  }

  /** Plans one node; a subgraph component expands into its inner nodes. */
  addNode(id: string, component: string, metadata: Metadata, thread: string, stack: string[] = []): void {
    const path = `$.processes.${id}`;
    const registry = this.#options.registry;
    const def = registry.get(component);
    if (!def) {
      this.#problem('UNKNOWN_COMPONENT', `${path}.component`, `node '${id}' uses unknown component '${component}'`, registry.unknown(component).hint);
      return;
    }
    if (def.kind === 'subgraph') {
      if (stack.includes(component)) {
        this.#problem('RECURSIVE_SUBGRAPH', `${path}.component`, `subgraph '${component}' contains itself (${[...stack, component].join(' > ')})`, 'a subgraph cannot include itself, directly or indirectly');
        return;
      }
      const prefix = `${id}/`;
      const boundary: Boundary = { inports: new Map(), outports: new Map() };
      for (const [name, p] of def.graph.inports) boundary.inports.set(name, { node: prefix + p.node, port: p.port, ...(p.index !== undefined ? { index: p.index } : {}) });
      for (const [name, p] of def.graph.outports) boundary.outports.set(name, { node: prefix + p.node, port: p.port, ...(p.index !== undefined ? { index: p.index } : {}) });
      this.boundaries.set(id, boundary);
      this.addGraph(def.graph, prefix, thread, [...stack, component]);
      return;
    }
    const resolved = resolveNodeConfig(def, metadata, this.#options.env, id);
    for (const p of resolved.problems) this.problems.push(p);
    let ports: PlannedNode['ports'];
    try {
      ports = resolvePorts(def, resolved.config);
    } catch (err) {
      this.#problem('INVALID_PORTS', `${path}.metadata`, `node '${id}': ${(err as Error).message}`, 'fix the port configuration of this node');
      return;
    }
    const settings = this.#settings(id, metadata, thread);
    const source = registry.source(component);
    const config = Object.keys(resolved.config).length === 0 ? NO_CONFIG : resolved.config;
    const env = Object.keys(resolved.env).length === 0 ? NO_ENV : resolved.env;
    this.nodes.set(id, { id, def, metadata, config, env, ports, settings, ...(source ? { source } : {}) });
  }

  #settings(id: string, metadata: Metadata, thread: string): NodeSettings {
    const { retry, timeoutMs } = metadata;
    if (retry === undefined && timeoutMs === undefined) return plainSettings(thread);
    const path = `$.processes.${id}.metadata`;
    const settings: NodeSettings = { thread };
    if (retry !== undefined) {
      const r = retry as Partial<RetryPolicy>;
      if (typeof r !== 'object' || r === null || !Number.isInteger(r.attempts) || (r.attempts as number) < 1) {
        this.#problem('INVALID_RETRY', `${path}.retry`, `node '${id}': retry must be { attempts: integer >= 1, backoffMs?, maxBackoffMs?, jitter? }`, 'e.g. "retry": { "attempts": 3, "backoffMs": 200 }');
      } else settings.retry = r as RetryPolicy;
    }
    if (timeoutMs !== undefined) {
      if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) this.#problem('INVALID_TIMEOUT', `${path}.timeoutMs`, `node '${id}': timeoutMs must be a positive number of milliseconds`, 'e.g. "timeoutMs": 5000');
      else settings.timeoutMs = timeoutMs;
    }
    return settings;
  }

  /** Resolves an edge (both ends through subgraph boundaries) with its capacity and policy. */
  edge(src: PortRef, tgt: PortRef, metadata: Metadata, prefix: string, where: string): Omit<PlannedEdge, 'origin'> | null {
    const s = this.source(src, prefix, where);
    const t = this.target(tgt, prefix, where);
    if (!s || !t) return null;
    let capacity = this.#options.capacity;
    let policy = this.#options.policy;
    const targetSpec = this.#node(t.node)?.ports.inports[t.port];
    if (targetSpec?.capacity !== undefined) capacity = targetSpec.capacity;
    if (metadata.capacity !== undefined) {
      if (Number.isInteger(metadata.capacity) && (metadata.capacity as number) > 0) capacity = metadata.capacity as number;
      else this.#problem('INVALID_CAPACITY', `${where}`, `connection ${s.node}.${s.port} -> ${t.node}.${t.port}: capacity must be a positive integer`, 'e.g. "capacity": 256');
    }
    if (metadata.policy !== undefined) {
      if (POLICIES.includes(metadata.policy as OverflowPolicy)) policy = metadata.policy as OverflowPolicy;
      else this.#problem('INVALID_POLICY', `${where}`, `connection ${s.node}.${s.port} -> ${t.node}.${t.port}: policy '${String(metadata.policy)}' is not one of ${POLICIES.join(', ')}`, "use 'block' (default), 'drop-oldest' or 'error'");
    }
    return { src: s, tgt: t, capacity, policy };
  }

  /**
   * An IIP's target: Reflow writes the IIP's ordinal as `index`, which only addresses a slot on
   * an addressable port — elsewhere it is dropped.
   */
  slotOf(tgt: PortRef): PortRef {
    if (tgt.index === undefined || this.#node(tgt.node)?.ports.inports[tgt.port]?.addressable) return tgt;
    return { node: tgt.node, port: tgt.port };
  }

  /** The actor inport a reference reaches (through subgraph boundaries), or null with a problem. */
  target(ref: PortRef, prefix: string, where: string): PortRef | null {
    return this.#resolve(ref, prefix, where, 'inports');
  }

  /** The actor outport a reference comes from (through subgraph boundaries), or null with a problem. */
  source(ref: PortRef, prefix: string, where: string): PortRef | null {
    return this.#resolve(ref, prefix, where, 'outports');
  }

  #resolve(ref: PortRef, prefix: string, where: string, dir: 'inports' | 'outports'): PortRef | null {
    // Top-level references are the graph's own objects (no copy per connection; a live rename
    // updates them in place, as it does the runner's id).
    let cur: PortRef = prefix === '' ? ref : { ...ref, node: prefix + ref.node };
    for (;;) {
      const boundary = this.boundaries.get(cur.node);
      if (!boundary) break;
      const inner = boundary[dir].get(cur.port);
      if (!inner) {
        this.#problem('UNKNOWN_PORT', where, `subgraph node '${cur.node}' has no exported ${dir.slice(0, -1)} '${cur.port}'`, `its ${dir}: ${[...boundary[dir].keys()].join(', ') || '(none)'}`);
        return null;
      }
      cur = inner;
    }
    const node = this.#node(cur.node);
    if (!node) return null; // unknown node/component: already reported
    const ports = node.ports[dir];
    if (cur.port in ports) return cur;
    // Graphs that are not case sensitive lower-case port names; the actor's own spelling wins.
    const matches = Object.keys(ports).filter((p) => p.toLowerCase() === cur.port.toLowerCase());
    if (matches.length === 1) return { ...cur, port: matches[0] };
    this.#problem('UNKNOWN_PORT', where, `node '${cur.node}' (${node.def.name}) has no ${dir.slice(0, -1)} '${cur.port}'`, `its ${dir}: ${Object.keys(ports).join(', ') || '(none)'}`);
    return null;
  }
}
