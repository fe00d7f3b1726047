// Zeal workflow → Actorflow graph. Template ids resolve to components (TemplateResolver), property
// values become node config, subgraphs are flattened (subgraph nodes, `graph_input` /
// `graph_output` boundary nodes and `proxy_input` / `proxy_output` nodes are junctions, not
// actors), and Zeal port ids map to actor ports — with a precise problem where they don't.
// Every edge remembers the Zeal connection ids it stands for (edge metadata `zeal.connections`),
// and the graph's `zeal` property maps actors back to Zeal nodes, so live events and traces of a
// converted graph carry Zeal's own ids whatever started the run.
import { ActorflowError, Graph, resolvePorts, validateGraph, type ComponentRegistry, type Metadata, type Problem } from '@actorflow/network';
import type { ZealEdgeInfo, ZealGraphInfo, ZealNodeRef } from './mapping.ts';
import type { TemplateResolver } from './template-resolver.ts';
import type { ZealConnection, ZealGraph, ZealNode, ZealWorkflow } from './wire.ts';
import { readZealWorkflow } from './workflow-reader.ts';

/** A Zeal workflow that cannot become a graph: `problems` lists every reason, each with its JSON path. */
export class ZealConversionError extends ActorflowError {
  override name = 'ZealConversionError';
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    const lines = errors.slice(0, 20).map((p) => `  ${p.path}: ${p.message} (${p.hint})`);
    const more = errors.length > 20 ? `\n  … and ${errors.length - 20} more` : '';
    super('INVALID_ZEAL_WORKFLOW', `the Zeal workflow cannot be converted: ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}${more}`, '');
    this.problems = problems;
  }
}

export interface ConversionResult {
  graph: Graph;
  /** Component names the graph uses. */
  components: string[];
  /** Warnings (things that convert but look wrong). */
  problems: Problem[];
  workflowId: string | undefined;
  workflowName: string | undefined;
  nodeCount: number;
  connectionCount: number;
}

export interface ConvertOptions {
  registry: ComponentRegistry;
  resolver: TemplateResolver;
  namespace: string;
  /** Workflow id to record when the document has none (e.g. the workflow a socket is bound to). */
  workflowId?: string;
}

type Kind = 'actor' | 'subgraph' | 'graph_input' | 'graph_output' | 'proxy_input' | 'proxy_output';

interface Placed {
  scope: string;
  graph: ZealGraph;
  node: ZealNode;
  kind: Kind;
  path: string;
  /** Actors: id in the flattened graph, component, and its ports. */
  actorId?: string;
  component?: string;
  inports?: string[];
  outports?: string[];
  /** Subgraph nodes: the scope of their instance. */
  innerScope?: string;
  innerGraph?: ZealGraph;
}

interface Link {
  conn: ZealConnection;
  scope: string;
  graphId: string;
}

interface Endpoint {
  actor: Placed;
  port: string;
  zealPort: string;
}

const JUNCTIONS: Record<string, Kind> = {
  subgraph: 'subgraph',
  graph_input: 'graph_input', tpl_graph_input: 'graph_input',
  graph_output: 'graph_output', tpl_graph_output: 'graph_output',
  proxy_input: 'proxy_input', tpl_proxy_input: 'proxy_input',
  proxy_output: 'proxy_output', tpl_proxy_output: 'proxy_output',
};

function templateIdOf(node: ZealNode): string | undefined {
  const m = node.metadata;
  for (const v of [m.templateId, m.type, node.type]) if (typeof v === 'string' && v !== '') return v;
  return undefined;
}

function kindOf(node: ZealNode): Kind {
  if (node.metadata.type === 'subgraph') return 'subgraph';
  return JUNCTIONS[templateIdOf(node) ?? ''] ?? 'actor';
}

function values(node: ZealNode): Record<string, unknown> {
  return node.metadata.propertyValues ?? {};
}

/** Zeal port id → actor port: exact, then case-insensitive, then `-` ↔ `_`, then the port's label. */
export function matchPort(zealPort: string, ports: readonly string[], label?: string): string | undefined {
  if (ports.includes(zealPort)) return zealPort;
  const norm = (s: string) => s.toLowerCase().replace(/-/g, '_');
  for (const candidate of [zealPort, label]) {
    if (candidate === undefined) continue;
    const hit = ports.find((p) => norm(p) === norm(candidate));
    if (hit) return hit;
  }
  return undefined;
}

class Converter {
  readonly problems: Problem[] = [];
  readonly #options: ConvertOptions;
  readonly #paths: WeakMap<object, string>;
  readonly #graphs = new Map<string, ZealGraph>();
  /** scope → node id → placed node. */
  readonly #placed = new Map<string, Map<string, Placed>>();
  /** `scope\0nodeId` → links leaving that node. */
  readonly #out = new Map<string, Link[]>();
  readonly #actors: Placed[] = [];

  constructor(options: ConvertOptions, paths: WeakMap<object, string>) {
    this.#options = options;
    this.#paths = paths;
  }

  /** Maps a path into the converted graph (`$.processes.<actor>.metadata.x`) to the Zeal node it came from. */
  zealPath(path: string): string {
    const m = /^\$\.processes\.([^.[]+|\["[^"]+"\])(.*)$/.exec(path);
    if (!m) return path;
    const id = m[1].startsWith('["') ? JSON.parse(m[1].slice(1, -1)) as string : m[1];
    const actor = this.#actors.find((a) => a.actorId === id);
    if (!actor) return path;
    const rest = m[2].startsWith('.metadata') ? `.metadata.propertyValues${m[2].slice('.metadata'.length)}` : m[2];
    return actor.path + rest;
  }

  #problem(code: string, path: string, message: string, hint: string, severity: Problem['severity'] = 'error'): void {
    this.problems.push({ code, path, message, hint, severity });
  }

  #pathOf(item: object, suffix = ''): string {
    return (this.#paths.get(item) ?? '$') + suffix;
  }

  convert(workflow: ZealWorkflow): ConversionResult | undefined {
    for (const g of workflow.graphs) this.#graphs.set(g.id, g);
    const main = workflow.graphs.find((g) => g.isMain === true) ?? this.#graphs.get('main')
      ?? (workflow.activeGraphId ? this.#graphs.get(workflow.activeGraphId) : undefined) ?? workflow.graphs[0];
    if (!main) return undefined;
    this.#place(main, '', [main.id]);
    for (const [scope, nodes] of this.#placed) {
      const graph = nodes.values().next().value?.graph;
      if (!graph) continue;
      for (const conn of graph.connections) {
        const key = `${scope}\0${conn.source.nodeId}`;
        let list = this.#out.get(key);
        if (!list) this.#out.set(key, (list = []));
        list.push({ conn, scope, graphId: graph.id });
      }
    }
    const workflowId = workflow.id ?? this.#options.workflowId;
    const graph = new Graph({ name: workflow.name ?? main.name ?? workflowId ?? 'zeal-workflow', ...(workflow.description ? { description: workflow.description } : {}) }, { caseSensitive: true });
    const refs: Record<string, ZealNodeRef> = {};
    for (const a of this.#actors) {
      graph.addNode(a.actorId!, a.component!, this.#config(a));
      if (a.scope !== '' || a.graph.id !== 'main') refs[a.actorId!] = { nodeId: a.node.id, graphId: a.graph.id };
    }
    this.#wire(graph, refs);
    const info: ZealGraphInfo = { workflowId: workflowId ?? graph.name, namespace: this.#options.namespace };
    if (workflow.name) info.workflowName = workflow.name;
    if (workflow.version !== undefined) info.version = workflow.version;
    if (Object.keys(refs).length > 0) info.nodes = refs;
    graph.setProperties({ zeal: info });
    return {
      graph,
      components: [...new Set(this.#actors.map((a) => a.component!))].sort(),
      problems: this.problems,
      workflowId,
      workflowName: workflow.name,
      nodeCount: graph.nodes.size,
      connectionCount: graph.edges.length,
    };
  }

  /** Places a graph's nodes in `scope`, instantiating subgraphs recursively. */
  #place(graph: ZealGraph, scope: string, stack: string[]): void {
    const nodes = new Map<string, Placed>();
    this.#placed.set(scope, nodes);
    for (const node of graph.nodes) {
      const path = this.#pathOf(node);
      const placed: Placed = { scope, graph, node, kind: kindOf(node), path };
      nodes.set(node.id, placed);
      if (placed.kind === 'actor') this.#resolveActor(placed);
      else if (placed.kind === 'subgraph') this.#instantiate(placed, stack);
    }
  }

  #resolveActor(p: Placed): void {
    const templateId = templateIdOf(p.node);
    if (templateId === undefined) {
      this.#problem('ZEAL_NO_TEMPLATE', `${p.path}.metadata.templateId`, `node '${p.node.id}' names no template`, 'Zeal nodes carry metadata.templateId (for ZIP templates `<namespace>/<id>`)');
      return;
    }
    const resolved = this.#options.resolver.resolve(templateId);
    if (!resolved) {
      this.#problem('ZEAL_UNKNOWN_TEMPLATE', `${p.path}.metadata.templateId`, `node '${p.node.id}' uses template '${templateId}', which no Actorflow component provides`, this.#options.resolver.hint(templateId));
      return;
    }
    const registry = this.#options.registry;
    const def = registry.get(resolved.component)!;
    let inports: string[];
    let outports: string[];
    if (def.kind === 'actor') {
      try {
        const ports = resolvePorts(def, values(p.node));
        inports = Object.keys(ports.inports);
        outports = Object.keys(ports.outports);
      } catch (err) {
        this.#problem('ZEAL_PORTS_FAILED', `${p.path}.metadata.propertyValues`, `node '${p.node.id}': component '${def.name}' could not derive its ports from the node's properties: ${(err as Error).message}`, 'fix the property values the component reads its ports from');
        return;
      }
    } else {
      const info = registry.info(def.name);
      inports = info.inports.map((x) => x.name);
      outports = info.outports.map((x) => x.name);
    }
    p.actorId = p.scope + p.node.id;
    p.component = resolved.component;
    p.inports = inports;
    p.outports = outports;
    this.#actors.push(p);
  }

  #instantiate(p: Placed, stack: string[]): void {
    const graphId = p.node.metadata.graphId;
    const inner = typeof graphId === 'string' ? this.#graphs.get(graphId) : undefined;
    if (!inner) {
      const known = [...this.#graphs.keys()].join(', ');
      this.#problem('ZEAL_UNKNOWN_SUBGRAPH', `${p.path}.metadata.graphId`, `subgraph node '${p.node.id}' refers to graph '${String(graphId)}', which the workflow does not contain`, `graphs in this workflow: ${known}`);
      return;
    }
    if (stack.includes(inner.id)) {
      this.#problem('ZEAL_SUBGRAPH_CYCLE', `${p.path}.metadata.graphId`, `subgraph node '${p.node.id}' includes graph '${inner.id}' inside itself (${[...stack, inner.id].join(' → ')})`, 'a subgraph cannot contain itself');
      return;
    }
    p.innerScope = `${p.scope}${p.node.id}/`;
    p.innerGraph = inner;
    this.#place(inner, p.innerScope, [...stack, inner.id]);
  }

  #config(a: Placed): Metadata {
    const config: Metadata = { ...values(a.node) };
    const env = a.node.metadata.requiredEnvVars;
    if (Array.isArray(env) && env.length > 0 && config.env_vars === undefined) {
      config.env_vars = Object.fromEntries(env.filter((v): v is string => typeof v === 'string').map((v) => [v, 'required']));
    }
    return config;
  }

  /** Boundary nodes of a subgraph instance named `port` (by inputName/outputName, id, or the single one). */
  #boundary(scope: string, kind: 'graph_input' | 'graph_output', port: string): Placed[] {
    const nodes = [...(this.#placed.get(scope)?.values() ?? [])].filter((p) => p.kind === kind);
    const nameOf = (p: Placed) => String(values(p.node)[kind === 'graph_input' ? 'inputName' : 'outputName'] ?? p.node.metadata.title ?? p.node.id);
    const named = nodes.filter((p) => nameOf(p) === port || p.node.id === port);
    if (named.length > 0) return named;
    const fallback = kind === 'graph_input' ? 'input' : 'output';
    return port === fallback && nodes.length === 1 ? nodes : [];
  }

  /** The subgraph instance in `scope` whose graph is `graphId` (what proxy nodes point at). */
  #instanceOf(scope: string, graphId: unknown, proxy: Placed): Placed | undefined {
    const candidates = [...(this.#placed.get(scope)?.values() ?? [])].filter((p) => p.kind === 'subgraph' && p.innerGraph?.id === graphId);
    if (candidates.length === 1) return candidates[0];
    this.#problem('ZEAL_BAD_PROXY', `${proxy.path}.metadata.propertyValues.subgraphId`,
      candidates.length === 0 ? `proxy node '${proxy.node.id}' points at subgraph '${String(graphId)}', which no subgraph node of this graph instantiates` : `proxy node '${proxy.node.id}' points at subgraph '${String(graphId)}', which ${candidates.length} subgraph nodes instantiate`,
      'point subgraphId at a graph used by exactly one subgraph node of the same graph');
    return undefined;
  }

  /**
   * Follows a connection to the actor inports it reaches, through subgraph boundaries and proxy
   * nodes, accumulating the Zeal connection ids on the way.
   */
  #targets(scope: string, nodeId: string, portId: string, conns: string[], connPath: string, seen: Set<string>, out: { ep: Endpoint; conns: string[] }[], exports: { name: string; conns: string[] }[]): void {
    const key = `${scope}\0${nodeId}\0${portId}`;
    if (seen.has(key)) return;
    seen.add(key);
    const t = this.#placed.get(scope)?.get(nodeId);
    if (!t) return;
    const follow = (s: string, n: string, c: string[]) => {
      for (const link of this.#out.get(`${s}\0${n}`) ?? []) {
        this.#targets(s, link.conn.target.nodeId, link.conn.target.portId, [...c, link.conn.id], this.#pathOf(link.conn), seen, out, exports);
      }
    };
    switch (t.kind) {
      case 'actor': {
        if (!t.actorId) return; // unresolved template: already reported
        const port = this.#port(t, portId, 'input', `${connPath}.target.portId`);
        if (port) out.push({ ep: { actor: t, port, zealPort: portId }, conns });
        return;
      }
      case 'subgraph': {
        if (!t.innerScope) return;
        const inputs = this.#boundary(t.innerScope, 'graph_input', portId);
        if (inputs.length === 0) {
          const names = [...(this.#placed.get(t.innerScope)?.values() ?? [])].filter((p) => p.kind === 'graph_input').map((p) => String(values(p.node).inputName ?? p.node.id));
          this.#problem('ZEAL_UNKNOWN_PORT', `${connPath}.target.portId`, `subgraph node '${t.node.id}' has no input '${portId}'`, `its graph_input nodes: ${names.join(', ') || '(none)'}`);
          return;
        }
        for (const g of inputs) follow(t.innerScope, g.node.id, conns);
        return;
      }
      case 'graph_output': {
        const name = String(values(t.node).outputName ?? t.node.metadata.title ?? t.node.id);
        if (scope === '') {
          exports.push({ name, conns });
          return;
        }
        const parentScope = scope.slice(0, scope.slice(0, -1).lastIndexOf('/') + 1);
        const ownerId = scope.slice(parentScope.length, -1);
        const outputs = [...(this.#placed.get(scope)?.values() ?? [])].filter((p) => p.kind === 'graph_output');
        for (const link of this.#out.get(`${parentScope}\0${ownerId}`) ?? []) {
          const p = link.conn.source.portId;
          if (p === name || p === t.node.id || (p === 'output' && outputs.length === 1)) {
            this.#targets(parentScope, link.conn.target.nodeId, link.conn.target.portId, [...conns, link.conn.id], this.#pathOf(link.conn), seen, out, exports);
          }
        }
        return;
      }
      case 'proxy_input': {
        const pv = values(t.node);
        const instance = this.#instanceOf(scope, pv.subgraphId, t);
        if (!instance?.innerScope) return;
        this.#targets(instance.innerScope, String(pv.targetNodeId), String(pv.targetPortId), conns, `${t.path}.metadata.propertyValues`, seen, out, exports);
        return;
      }
      default:
        this.#problem('ZEAL_UNEXPECTED_CONNECTION', `${connPath}.target`, `connection ends at ${t.kind} node '${t.node.id}', which only sends data`, 'connect it from this node instead', 'warning');
    }
  }

  /** Resolves a Zeal port id on an actor, or reports it. */
  #port(a: Placed, zealPort: string, direction: 'input' | 'output', path: string): string | undefined {
    const ports = direction === 'input' ? a.inports! : a.outports!;
    const declared = Array.isArray(a.node.metadata.ports) ? a.node.metadata.ports.find((p) => p?.id === zealPort) : undefined;
    const port = matchPort(zealPort, ports, typeof declared?.label === 'string' ? declared.label : undefined);
    if (port === undefined) {
      this.#problem('ZEAL_UNKNOWN_PORT', path,
        `node '${a.node.id}' (component ${a.component}) has no ${direction} port '${zealPort}'`,
        `its ${direction} ports: ${ports.join(', ') || '(none)'}; connect to one of them or update the node's template`);
    }
    return port;
  }

  /** Builds every flattened edge and exported port. */
  #wire(graph: Graph, refs: Record<string, ZealNodeRef>): void {
    const edges = new Map<string, { src: Endpoint; tgt: Endpoint; conns: string[] }>();
    const portRefs = (a: Placed, port: string, zealPort: string) => {
      if (port === zealPort) return;
      const ref = (refs[a.actorId!] ??= { nodeId: a.node.id, graphId: a.graph.id });
      (ref.ports ??= {})[port] = zealPort;
    };
    const addEdges = (src: Endpoint, links: Link[], conns: string[], exportsSeen: { name: string; conns: string[]; src: Endpoint }[]) => {
      for (const link of links) {
        const found: { ep: Endpoint; conns: string[] }[] = [];
        const exports: { name: string; conns: string[] }[] = [];
        this.#targets(link.scope, link.conn.target.nodeId, link.conn.target.portId, [...conns, link.conn.id], this.#pathOf(link.conn), new Set(), found, exports);
        for (const { ep, conns: ids } of found) {
          const key = `${src.actor.actorId}\0${src.port}\0${ep.actor.actorId}\0${ep.port}`;
          const existing = edges.get(key);
          if (existing) {
            for (const id of ids) if (!existing.conns.includes(id)) existing.conns.push(id);
          } else edges.set(key, { src, tgt: ep, conns: [...ids] });
        }
        for (const e of exports) exportsSeen.push({ ...e, src });
      }
    };
    const outports: { name: string; conns: string[]; src: Endpoint }[] = [];
    for (const a of this.#actors) {
      const bySourcePort = new Map<string, Link[]>();
      for (const link of this.#out.get(`${a.scope}\0${a.node.id}`) ?? []) {
        const list = bySourcePort.get(link.conn.source.portId) ?? [];
        list.push(link);
        bySourcePort.set(link.conn.source.portId, list);
      }
      for (const [zealPort, links] of bySourcePort) {
        const port = this.#port(a, zealPort, 'output', `${this.#pathOf(links[0].conn)}.source.portId`);
        if (port) addEdges({ actor: a, port, zealPort }, links, [], outports);
      }
    }
    // proxy_output nodes: data leaves an inner port through them.
    for (const [scope, nodes] of this.#placed) {
      for (const q of nodes.values()) {
        if (q.kind !== 'proxy_output') continue;
        const pv = values(q.node);
        const instance = this.#instanceOf(scope, pv.subgraphId, q);
        const inner = instance?.innerScope ? this.#placed.get(instance.innerScope)?.get(String(pv.sourceNodeId)) : undefined;
        if (!inner?.actorId) {
          if (instance) this.#problem('ZEAL_BAD_PROXY', `${q.path}.metadata.propertyValues.sourceNodeId`, `proxy node '${q.node.id}' reads node '${String(pv.sourceNodeId)}', which is not an actor of subgraph '${String(pv.subgraphId)}'`, 'point sourceNodeId at a node inside that subgraph');
          continue;
        }
        const port = this.#port(inner, String(pv.sourcePortId), 'output', `${q.path}.metadata.propertyValues.sourcePortId`);
        if (port) addEdges({ actor: inner, port, zealPort: String(pv.sourcePortId) }, this.#out.get(`${scope}\0${q.node.id}`) ?? [], [], outports);
      }
    }
    for (const { src, tgt, conns } of edges.values()) {
      portRefs(src.actor, src.port, src.zealPort);
      portRefs(tgt.actor, tgt.port, tgt.zealPort);
      const zeal: ZealEdgeInfo = { connections: conns };
      graph.addEdge({ node: src.actor.actorId!, port: src.port }, { node: tgt.actor.actorId!, port: tgt.port }, { zeal });
    }
    // Top-level graph_input nodes become exported inports; graph_output nodes exported outports.
    for (const g of this.#placed.get('')?.values() ?? []) {
      if (g.kind !== 'graph_input') continue;
      const name = String(values(g.node).inputName ?? g.node.metadata.title ?? g.node.id);
      const found: { ep: Endpoint; conns: string[] }[] = [];
      for (const link of this.#out.get(`\0${g.node.id}`) ?? []) {
        this.#targets('', link.conn.target.nodeId, link.conn.target.portId, [link.conn.id], this.#pathOf(link.conn), new Set(), found, []);
      }
      if (found.length === 0) continue;
      if (found.length > 1) {
        this.#problem('ZEAL_FANOUT_INPUT', g.path, `graph input '${name}' feeds ${found.length} ports; an exported inport reaches one`, `only ${found[0].ep.actor.actorId}.${found[0].ep.port} receives it: fan out with a node inside the graph`, 'warning');
      }
      this.#export(graph, 'inport', name, found[0].ep, g.path);
    }
    for (const o of outports) this.#export(graph, 'outport', o.name, o.src, '$');
  }

  #export(graph: Graph, kind: 'inport' | 'outport', name: string, ep: Endpoint, path: string): void {
    const map = kind === 'inport' ? graph.inports : graph.outports;
    if (map.has(name)) {
      const existing = map.get(name)!;
      if (existing.node !== ep.actor.actorId || existing.port !== ep.port) {
        this.#problem('ZEAL_DUPLICATE_EXPORT', path, `graph ${kind === 'inport' ? 'input' : 'output'} '${name}' is connected to more than one port`, `only ${existing.node}.${existing.port} is exported; give each graph_${kind === 'inport' ? 'input' : 'output'} its own name`, 'warning');
      }
      return;
    }
    if (kind === 'inport') graph.addInport(name, ep.actor.actorId!, ep.port);
    else graph.addOutport(name, ep.actor.actorId!, ep.port);
  }
}

/**
 * Converts a Zeal workflow document (any shape readZealWorkflow accepts) into an Actorflow graph.
 * Throws ZealConversionError listing every problem (with JSON paths) when it cannot.
 */
export function convertZealWorkflow(doc: unknown, options: ConvertOptions): ConversionResult {
  const read = readZealWorkflow(doc);
  // Convert what could be read even when parts could not, so one answer lists every problem.
  const converter = new Converter(options, read.paths);
  const result = converter.convert(read.workflow);
  const problems = [...read.problems, ...converter.problems];
  if (!result || problems.some((p) => p.severity === 'error')) throw new ZealConversionError(problems);
  // What the runtime would refuse (config values against schemas, required inputs, types), said
  // in terms of the Zeal document where a node is concerned.
  for (const p of validateGraph(result.graph, options.registry)) problems.push({ ...p, path: converter.zealPath(p.path) });
  if (problems.some((p) => p.severity === 'error')) throw new ZealConversionError(problems);
  result.problems = problems;
  return result;
}
