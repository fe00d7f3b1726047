// Validation of a graph against a component registry: every problem at once, each with the JSON
// path of what causes it (where it was read from, else where the canonical export puts it), a
// message and a hint. Errors stop a network from being built; warnings flag what runs but looks wrong.
import type { Env } from '../actor/config.ts';
import type { ComponentRegistry } from '../actor/registry.ts';
import type { Problem } from '../errors.ts';
import { formatPortType, inferType } from '../port-types.ts';
import { didYouMean } from '../suggest.ts';
import { formatRef, type Graph } from './graph.ts';
import { pathIndex, pathKey } from './json-path.ts';
import { PortResolver, typeMismatch, type NodeResolution, type PortDirection, type ResolvedPort } from './ports.ts';
import { describeValue, isRecord, previewValue, problem } from './problems.ts';
import { connectionSourcePath, droppedFeedsOf, endFieldPath, exportFieldPath, groupSourcePath, nodeSourcePath } from './source-map.ts';
import type { GraphEdge, GraphInitial, Metadata, PortRef } from './types.ts';

export interface ValidateOptions {
  /** When given, env vars declared by nodes (`env_vars`) are resolved and missing required ones reported. */
  env?: Env;
}

const POLICIES = ['block', 'drop-oldest', 'error'];
const RETRY_FIELDS = new Set(['attempts', 'backoffMs', 'maxBackoffMs', 'jitter']);

/**
 * Checks a graph against the registry and returns every problem: unknown components (with
 * near-miss suggestions) and ports (with the component's ports suggested), connections into an
 * outport or out of an inport, bad IIP targets, required inports left unconnected, indexes on
 * plain ports, incompatible port types, exported ports and groups naming what does not exist,
 * invalid node config and env vars, malformed runtime metadata (`capacity`, `policy`, `retry`,
 * `timeoutMs`, `thread`), and nodes that can never fire (a warning).
 */
export function validateGraph(graph: Graph, registry: ComponentRegistry, options: ValidateOptions = {}): Problem[] {
  return new GraphValidator(graph, new PortResolver(registry, options.env)).run();
}

class GraphValidator {
  readonly #graph: Graph;
  readonly #resolver: PortResolver;
  readonly #problems: Problem[] = [];
  readonly #nodes = new Map<string, NodeResolution>();
  /** `node\0port` of every inport something feeds (connection, IIP, exported inport). */
  readonly #fed = new Set<string>();
  /** Nodes that receive anything at all. */
  readonly #receiving = new Set<string>();

  constructor(graph: Graph, resolver: PortResolver) {
    this.#graph = graph;
    this.#resolver = resolver;
    const feed = (ref: PortRef) => {
      this.#fed.add(`${ref.node}\0${ref.port}`);
      this.#receiving.add(ref.node);
    };
    for (const e of graph.edges) feed(e.tgt);
    for (const i of graph.initials) feed(i.tgt);
    for (const p of graph.inports.values()) feed(p);
    for (const key of droppedFeedsOf(graph)) {
      this.#fed.add(key);
      this.#receiving.add(key.slice(0, key.indexOf('\0')));
    }
  }

  #add(code: string, path: string, message: string, hint: string, severity: Problem['severity'] = 'error'): void {
    this.#problems.push(problem(code, path, message, hint, severity));
  }

  run(): Problem[] {
    for (const node of this.#graph.nodes.values()) this.#node(node.id);
    this.#graph.edges.forEach((edge, i) => this.#edge(edge, connectionSourcePath(edge, i)));
    const offset = this.#graph.edges.length;
    this.#graph.initials.forEach((iip, i) => this.#initial(iip, connectionSourcePath(iip, offset + i)));
    this.#exported('inports');
    this.#exported('outports');
    this.#groups();
    return this.#problems;
  }

  // ---------------------------------------------------------------- nodes

  #node(id: string): void {
    const node = this.#graph.nodes.get(id)!;
    const resolution = this.#resolver.node(this.#graph, node);
    this.#nodes.set(id, resolution);
    this.#problems.push(...resolution.problems);
    const path = nodeSourcePath(node);
    this.#runtimeMetadata(id, node.metadata, pathKey(path, 'metadata'));
    if (!resolution.ports || !resolution.def) return;
    for (const [key, port] of resolution.ports.inports) {
      if (port.required && !this.#fed.has(`${id}\0${key}`)) {
        this.#add('REQUIRED_PORT', path, `node '${id}' (${resolution.def.name}): required inport '${port.name}' has no connection, IIP or exported inport`,
          `connect something to ${id}.${key}, give it an IIP, or export it as a graph inport`);
      }
    }
    if (resolution.def.kind === 'actor' && !resolution.def.run && !this.#receiving.has(id)) {
      this.#add('NEVER_FIRES', path, `node '${id}' (${resolution.def.name}) receives nothing (no connection, IIP or exported inport) and has no run(): it never fires`,
        'connect one of its inports, give it an IIP, or remove the node', 'warning');
    }
  }

  /** Node metadata the runtime reads: `thread`, `retry`, `timeoutMs`. */
  #runtimeMetadata(id: string, metadata: Metadata, path: string): void {
    const { thread, retry, timeoutMs } = metadata;
    if (thread !== undefined) this.#thread(thread, pathKey(path, 'thread'), `node '${id}'`);
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      this.#add('INVALID_TIMEOUT', pathKey(path, 'timeoutMs'), `node '${id}': timeoutMs must be a positive number of milliseconds, not ${describeValue(timeoutMs)}`, 'e.g. "timeoutMs": 5000, or leave it out for no limit');
    }
    if (retry !== undefined) this.#retry(id, retry, pathKey(path, 'retry'));
  }

  #thread(thread: unknown, path: string, what: string): void {
    if (typeof thread !== 'string' || thread.trim() === '') {
      this.#add('INVALID_THREAD', path, `${what}: thread must be a non-empty string naming a worker thread, not ${describeValue(thread)}`, 'e.g. "thread": "io", or leave it out to run on the main thread');
    }
  }

  #retry(id: string, retry: unknown, path: string): void {
    const example = 'e.g. "retry": { "attempts": 3, "backoffMs": 200 }';
    if (!isRecord(retry)) {
      this.#add('INVALID_RETRY', path, `node '${id}': retry must be an object, not ${describeValue(retry)}`, example);
      return;
    }
    const { attempts, backoffMs, maxBackoffMs, jitter } = retry;
    if (!(Number.isInteger(attempts) && (attempts as number) >= 1)) {
      this.#add('INVALID_RETRY', pathKey(path, 'attempts'), `node '${id}': retry.attempts must be an integer >= 1 (total attempts), not ${describeValue(attempts)}`, example);
    }
    for (const [key, value] of [['backoffMs', backoffMs], ['maxBackoffMs', maxBackoffMs]] as const) {
      if (value !== undefined && !(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
        this.#add('INVALID_RETRY', pathKey(path, key), `node '${id}': retry.${key} must be a number of milliseconds >= 0, not ${describeValue(value)}`, example);
      }
    }
    if (jitter !== undefined && !(typeof jitter === 'number' && jitter >= 0 && jitter <= 1)) {
      this.#add('INVALID_RETRY', pathKey(path, 'jitter'), `node '${id}': retry.jitter must be a fraction between 0 and 1, not ${describeValue(jitter)}`, 'e.g. "jitter": 0.2 (±20%)');
    }
    for (const key of Object.keys(retry)) {
      if (!RETRY_FIELDS.has(key)) this.#add('UNKNOWN_FIELD', pathKey(path, key), `node '${id}': retry has an unknown field '${key}'; it is ignored`, `known fields: ${[...RETRY_FIELDS].join(', ')}`, 'warning');
    }
  }

  // ---------------------------------------------------------------- ports

  /**
   * The port a reference names, checked: the node exists, the port exists in the expected
   * direction (not the other one), an index only on an addressable port. Undefined when unusable
   * (reported, or unknown because the component is).
   */
  #port(ref: PortRef, dir: PortDirection, item: GraphEdge | GraphInitial, path: string, what: string): ResolvedPort | undefined {
    const end = dir === 'outports' ? 'src' : 'tgt';
    const resolution = this.#nodes.get(ref.node);
    if (!resolution) {
      this.#add('DANGLING_EDGE', endFieldPath(item, path, end, 'node'), `${what} names node '${ref.node}', which is not in the graph`, didYouMean(ref.node, this.#graph.nodes.keys()) || 'add the node or remove the connection');
      return undefined;
    }
    const ports = resolution.ports;
    if (!ports || !resolution.def) return undefined;
    const port = ports[dir].get(ref.port);
    const component = `node '${ref.node}' (${resolution.def.name})`;
    if (!port) {
      const names = [...ports[dir].values()].map((p) => p.name);
      const at = endFieldPath(item, path, end, 'port');
      if (ports[dir === 'inports' ? 'outports' : 'inports'].has(ref.port)) {
        const iip = 'data' in item;
        const [code, message] = dir === 'inports'
          ? [iip ? 'IIP_INTO_OUTPORT' : 'EDGE_INTO_OUTPORT', `${what} ends at '${ref.port}', an outport of ${component}`]
          : ['EDGE_FROM_INPORT', `${what} starts at '${ref.port}', an inport of ${component}`];
        this.#add(code, at, message, `${dir === 'inports' ? 'connections and IIPs go into inports' : 'connections leave from outports'}; its ${dir}: ${names.join(', ') || '(none)'}`);
      } else {
        const hint = didYouMean(ref.port, names);
        this.#add('UNKNOWN_PORT', at, `${what}: ${component} has no ${dir.slice(0, -1)} '${ref.port}'`, `${hint ? `${hint} ` : ''}its ${dir}: ${names.join(', ') || '(none)'}`);
      }
      return undefined;
    }
    if (ref.index !== undefined && !port.addressable) {
      const iip = 'data' in item;
      this.#add('INDEX_ON_PLAIN_PORT', endFieldPath(item, path, end, 'index'),
        `${what}: ${ref.node}.${port.name} is not an addressable port, but the ${iip ? 'IIP' : 'connection'} addresses slot [${ref.index}]`,
        iip ? 'the index is ignored; remove it (Reflow writes an IIP ordinal there)' : 'remove the index, or use an addressable port', iip ? 'warning' : 'error');
    }
    return port;
  }

  #edge(edge: GraphEdge, path: string): void {
    const what = `connection ${formatRef(edge.src)} -> ${formatRef(edge.tgt)}`;
    const from = this.#port(edge.src, 'outports', edge, path, what);
    const to = this.#port(edge.tgt, 'inports', edge, path, what);
    if (from && to) {
      const mismatch = typeMismatch(from.type, to.type, what);
      if (mismatch) this.#add('TYPE_MISMATCH', path, mismatch, `connect ports of compatible types (${formatPortType(from.type)} -> ${formatPortType(to.type)} is not), or convert in between`);
    }
    const { capacity, policy } = edge.metadata;
    if (capacity !== undefined && !(Number.isInteger(capacity) && (capacity as number) > 0)) {
      this.#add('INVALID_CAPACITY', `${path}.metadata.capacity`, `${what}: capacity must be a positive integer (messages), not ${describeValue(capacity)}`, 'e.g. "capacity": 256, or leave it out for the default');
    }
    if (policy !== undefined && !POLICIES.includes(policy as string)) {
      this.#add('INVALID_POLICY', `${path}.metadata.policy`, `${what}: policy must be one of ${POLICIES.join(', ')}, not ${describeValue(policy)}`, "use 'block' (default: wait), 'drop-oldest' or 'error'");
    }
  }

  #initial(iip: GraphInitial, path: string): void {
    const what = `IIP ${previewValue(iip.data, 30)} -> ${formatRef(iip.tgt)}`;
    const to = this.#port(iip.tgt, 'inports', iip, path, what);
    if (!to) return;
    const mismatch = typeMismatch(inferType(iip.data), to.type, what);
    if (mismatch) this.#add('TYPE_MISMATCH', `${path}.data`, mismatch, `give a ${formatPortType(to.type)} value`);
  }

  #exported(kind: 'inports' | 'outports'): void {
    for (const exported of this.#graph[kind].values()) {
      const what = `exported ${kind.slice(0, -1)} '${exported.name}'`;
      const resolution = this.#nodes.get(exported.node);
      if (!resolution) {
        this.#add('UNKNOWN_NODE', exportFieldPath(exported, kind, 'node'), `${what} names node '${exported.node}', which is not in the graph`, didYouMean(exported.node, this.#graph.nodes.keys()) || 'point it at an existing node');
        continue;
      }
      if (!resolution.ports || !resolution.def) continue;
      if (resolution.ports[kind].has(exported.port)) continue;
      const other = kind === 'inports' ? 'outports' : 'inports';
      const names = [...resolution.ports[kind].values()].map((p) => p.name);
      const hint = didYouMean(exported.port, names);
      const message = resolution.ports[other].has(exported.port)
        ? `${what} points at '${exported.port}', which is an ${other.slice(0, -1)} of node '${exported.node}' (${resolution.def.name})`
        : `${what}: node '${exported.node}' (${resolution.def.name}) has no ${kind.slice(0, -1)} '${exported.port}'`;
      this.#add('UNKNOWN_PORT', exportFieldPath(exported, kind, 'port'), message, `${hint ? `${hint} ` : ''}its ${kind}: ${names.join(', ') || '(none)'}`);
    }
  }

  #groups(): void {
    this.#graph.groups.forEach((group, i) => {
      const path = groupSourcePath(group, i);
      group.nodes.forEach((id, j) => {
        if (!this.#graph.nodes.has(id)) {
          this.#add('UNKNOWN_NODE', pathIndex(`${path}.nodes`, j), `group '${group.name}' names node '${id}', which is not in the graph`, didYouMean(id, this.#graph.nodes.keys()) || 'remove it from the group');
        }
      });
      if (group.metadata.thread !== undefined) this.#thread(group.metadata.thread, `${path}.metadata.thread`, `group '${group.name}'`);
    });
  }
}
