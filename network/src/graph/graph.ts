// Graph: nodes, edges, IIPs, exported ports and groups, with strict mutations, cascades and a
// change stream. Mutations throw a GraphError (with a code and a fix hint) on bad arguments;
// reading a whole document leniently, with every problem reported at once, is `json.ts`'s job.
import { GraphError } from '../errors.ts';
import type {
  ExportedPort, GraphChange, GraphEdge, GraphGroup, GraphInitial, GraphNode, GraphProperties, Metadata, PortRef,
} from './types.ts';

export type GraphListener = (change: GraphChange) => void;

export interface GraphOptions {
  /** When false (the FBP default), port names are lower-cased; node ids keep their case. */
  caseSensitive?: boolean;
}

/** Merges `patch` into `base`; a key whose value is `null` or `undefined` is removed. */
export function mergeMetadata(base: Metadata, patch: Metadata): Metadata {
  const out: Metadata = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Inserts at `at` (clamped to the array), or appends when `at` is undefined. */
function insertAt<T>(list: T[], item: T, at: number | undefined): void {
  if (at === undefined || at >= list.length) list.push(item);
  else list.splice(Math.max(0, at), 0, item);
}

/** `node\0port\0index`: one end of an edge as a map key. */
function refKey(ref: PortRef): string {
  return `${ref.node}\0${ref.port}\0${ref.index ?? ''}`;
}

function edgeKey(src: PortRef, tgt: PortRef): string {
  return `${refKey(src)}\u0001${refKey(tgt)}`;
}

function sameRef(a: PortRef, b: PortRef): boolean {
  return a.node === b.node && a.port === b.port && (a.index ?? null) === (b.index ?? null);
}

/** `node.port` or `node.port[index]`, as used in messages. */
export function formatRef(ref: PortRef): string {
  return ref.index === undefined ? `${ref.node}.${ref.port}` : `${ref.node}.${ref.port}[${ref.index}]`;
}

export class Graph {
  readonly caseSensitive: boolean;
  properties: GraphProperties;
  readonly nodes = new Map<string, GraphNode>();
  /** The connections, in order. Change them through the methods: an index over them makes lookups O(1). */
  readonly edges: GraphEdge[] = [];
  readonly initials: GraphInitial[] = [];
  readonly inports = new Map<string, ExportedPort>();
  readonly outports = new Map<string, ExportedPort>();
  readonly groups: GraphGroup[] = [];
  #listeners: GraphListener[] = [];
  #edgeIndex = new Map<string, GraphEdge>();
  #transactions: string[] = [];
  #txCounter = 0;

  constructor(properties: GraphProperties = {}, options: GraphOptions = {}) {
    this.properties = { ...properties };
    this.caseSensitive = options.caseSensitive ?? false;
  }

  get name(): string {
    return typeof this.properties.name === 'string' ? this.properties.name : '';
  }

  /** Subscribes to every change; returns the unsubscribe function. Listeners run synchronously. */
  on(listener: GraphListener): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  #emit(change: GraphChange): void {
    for (const l of this.#listeners) l(change);
  }

  /** Port names are normalised (lower-cased) unless the graph is case sensitive. */
  portName(port: string): string {
    return this.caseSensitive ? port : port.toLowerCase();
  }

  #ref(ref: PortRef): PortRef {
    const out: PortRef = { node: ref.node, port: this.portName(ref.port) };
    if (ref.index !== undefined && ref.index !== null) out.index = ref.index;
    return out;
  }

  #requireNode(id: string, role: string): GraphNode {
    const node = this.nodes.get(id);
    if (!node) {
      throw new GraphError('UNKNOWN_NODE', `${role}: no node '${id}' in graph '${this.name}'`,
        `add the node first, or use one of: ${[...this.nodes.keys()].slice(0, 10).join(', ') || '(graph is empty)'}`);
    }
    return node;
  }

  // ---------------------------------------------------------------- transactions

  /** Opens a transaction: history treats every change until `endTransaction` as one step. */
  startTransaction(id?: string, metadata?: Metadata): string {
    const txId = id ?? `tx${++this.#txCounter}`;
    this.#transactions.push(txId);
    this.#emit({ _type: 'StartTransaction', id: txId, ...(metadata ? { metadata } : {}) });
    return txId;
  }

  endTransaction(id?: string, metadata?: Metadata): void {
    const open = this.#transactions.pop();
    if (open === undefined) throw new GraphError('NO_TRANSACTION', 'endTransaction: no transaction is open', 'call startTransaction first');
    if (id !== undefined && id !== open) {
      this.#transactions.push(open);
      throw new GraphError('NO_TRANSACTION', `endTransaction('${id}'): the open transaction is '${open}'`, 'end transactions in reverse order of opening');
    }
    this.#emit({ _type: 'EndTransaction', id: open, ...(metadata ? { metadata } : {}) });
  }

  /** Runs `fn` inside a transaction (closed even if `fn` throws). */
  transaction<T>(id: string, fn: () => T): T {
    this.startTransaction(id);
    try {
      return fn();
    } finally {
      this.endTransaction(id);
    }
  }

  /** Runs `fn` in a transaction unless one is already open (cascading edits stay one undo step). */
  #atomic<T>(id: string, fn: () => T): T {
    return this.#transactions.length > 0 ? fn() : this.transaction(id, fn);
  }

  // ---------------------------------------------------------------- properties

  /** Merges properties (a key set to null is removed). */
  setProperties(patch: Metadata): void {
    const before = { ...this.properties };
    this.properties = mergeMetadata(this.properties, patch) as GraphProperties;
    this.#emit({ _type: 'ChangeProperties', new: { ...this.properties }, before });
  }

  // ---------------------------------------------------------------- nodes

  addNode(id: string, component: string, metadata: Metadata = {}): GraphNode {
    if (typeof id !== 'string' || id === '') throw new GraphError('INVALID_ID', 'addNode: node id must be a non-empty string', 'give the node a unique name');
    if (this.nodes.has(id)) throw new GraphError('DUPLICATE_NODE', `addNode: node '${id}' already exists`, 'choose another id or remove the existing node first');
    if (typeof component !== 'string' || component === '') throw new GraphError('INVALID_COMPONENT', `addNode('${id}'): component must be a non-empty string`, "name a registered component, e.g. 'core/Repeat'");
    const node: GraphNode = { id, component, metadata: { ...metadata } };
    this.nodes.set(id, node);
    this.#emit({ _type: 'AddNode', node });
    return node;
  }

  getNode(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  /** Removes a node and everything that refers to it (edges, IIPs, exported ports, group membership). */
  removeNode(id: string): void {
    const node = this.#requireNode(id, 'removeNode');
    this.#atomic(`removeNode:${id}`, () => {
      for (const e of this.edges.filter((e) => e.src.node === id || e.tgt.node === id)) this.removeEdge(e.src, e.tgt);
      for (const iip of this.initials.filter((i) => i.tgt.node === id)) this.#removeInitialEntry(iip);
      for (const p of [...this.inports.values()].filter((p) => p.node === id)) this.removeInport(p.name);
      for (const p of [...this.outports.values()].filter((p) => p.node === id)) this.removeOutport(p.name);
      for (const g of this.groups.filter((g) => g.nodes.includes(id))) this.removeFromGroup(g.name, id);
      this.nodes.delete(id);
      this.#emit({ _type: 'RemoveNode', node });
    });
  }

  /** Renames a node and rewrites every reference to it. */
  renameNode(oldId: string, newId: string): void {
    const node = this.#requireNode(oldId, 'renameNode');
    if (oldId === newId) return;
    if (this.nodes.has(newId)) throw new GraphError('DUPLICATE_NODE', `renameNode: node '${newId}' already exists`, 'choose an unused id');
    if (typeof newId !== 'string' || newId === '') throw new GraphError('INVALID_ID', 'renameNode: the new id must be a non-empty string', 'give the node a unique name');
    this.nodes.delete(oldId);
    node.id = newId;
    this.nodes.set(newId, node);
    for (const e of this.edges) {
      if (e.src.node !== oldId && e.tgt.node !== oldId) continue;
      this.#edgeIndex.delete(edgeKey(e.src, e.tgt));
      if (e.src.node === oldId) e.src.node = newId;
      if (e.tgt.node === oldId) e.tgt.node = newId;
      this.#edgeIndex.set(edgeKey(e.src, e.tgt), e);
    }
    for (const i of this.initials) if (i.tgt.node === oldId) i.tgt.node = newId;
    for (const p of this.inports.values()) if (p.node === oldId) p.node = newId;
    for (const p of this.outports.values()) if (p.node === oldId) p.node = newId;
    for (const g of this.groups) g.nodes = g.nodes.map((n) => (n === oldId ? newId : n));
    this.#emit({ _type: 'RenameNode', old: oldId, new: newId });
  }

  /** Merges metadata into a node (null removes a key). */
  setNodeMetadata(id: string, patch: Metadata): void {
    const node = this.#requireNode(id, 'setNodeMetadata');
    const old = node.metadata;
    node.metadata = mergeMetadata(old, patch);
    this.#emit({ _type: 'ChangeNode', node: id, old_metadata: old, new_metadata: node.metadata });
  }

  // ---------------------------------------------------------------- edges

  /** Connects two ports. `at` inserts the edge at that position of `edges` (default: last). */
  addEdge(src: PortRef, tgt: PortRef, metadata: Metadata = {}, at?: number): GraphEdge {
    this.#requireNode(src.node, 'addEdge source');
    this.#requireNode(tgt.node, 'addEdge target');
    const edge: GraphEdge = { src: this.#ref(src), tgt: this.#ref(tgt), metadata: { ...metadata } };
    if (this.getEdge(edge.src, edge.tgt)) {
      throw new GraphError('DUPLICATE_EDGE', `addEdge: ${formatRef(edge.src)} -> ${formatRef(edge.tgt)} already exists`, 'connect each pair of ports once');
    }
    insertAt(this.edges, edge, at);
    this.#edgeIndex.set(edgeKey(edge.src, edge.tgt), edge);
    this.#emit({ _type: 'AddConnection', edge });
    return edge;
  }

  getEdge(src: PortRef, tgt: PortRef): GraphEdge | undefined {
    const s = this.#ref(src);
    const t = this.#ref(tgt);
    const key = edgeKey(s, t);
    let edge = this.#edgeIndex.get(key);
    if (this.#edgeIndex.size !== this.edges.length || (edge && !(sameRef(edge.src, s) && sameRef(edge.tgt, t)))) {
      // `edges` was changed behind the methods: rebuild the index rather than answer wrongly.
      this.#edgeIndex = new Map(this.edges.map((e) => [edgeKey(e.src, e.tgt), e]));
      edge = this.#edgeIndex.get(key);
    }
    return edge;
  }

  removeEdge(src: PortRef, tgt: PortRef): void {
    const edge = this.getEdge(src, tgt);
    if (!edge) {
      throw new GraphError('UNKNOWN_EDGE', `removeEdge: no edge ${formatRef(src)} -> ${formatRef(tgt)}`, 'list the edges with graph.edges');
    }
    const index = this.edges.indexOf(edge);
    this.edges.splice(index, 1);
    this.#edgeIndex.delete(edgeKey(edge.src, edge.tgt));
    this.#emit({ _type: 'RemoveConnection', edge, index });
  }

  setEdgeMetadata(src: PortRef, tgt: PortRef, patch: Metadata): void {
    const edge = this.getEdge(src, tgt);
    if (!edge) throw new GraphError('UNKNOWN_EDGE', `setEdgeMetadata: no edge ${formatRef(src)} -> ${formatRef(tgt)}`, 'list the edges with graph.edges');
    const old = edge.metadata;
    edge.metadata = mergeMetadata(old, patch);
    this.#emit({ _type: 'ChangeConnection', edge, old_metadata: old, new_metadata: edge.metadata });
  }

  // ---------------------------------------------------------------- IIPs

  /** Adds an IIP. `at` inserts it at that position of `initials` (default: last; order is delivery order). */
  addInitial(data: unknown, tgt: PortRef, metadata: Metadata = {}, at?: number): GraphInitial {
    this.#requireNode(tgt.node, 'addInitial');
    const initial: GraphInitial = { data, tgt: this.#ref(tgt), metadata: { ...metadata } };
    insertAt(this.initials, initial, at);
    this.#emit({ _type: 'AddInitial', initial });
    return initial;
  }

  /** An IIP sent to an exported inport lands on the inner port it names. */
  addGraphInitial(data: unknown, inport: string, metadata: Metadata = {}): GraphInitial {
    const port = this.inports.get(this.portName(inport));
    if (!port) throw new GraphError('UNKNOWN_PORT', `addGraphInitial: no exported inport '${inport}'`, `exported inports: ${[...this.inports.keys()].join(', ') || '(none)'}`);
    return this.addInitial(data, { node: port.node, port: port.port, ...(port.index !== undefined ? { index: port.index } : {}) }, metadata);
  }

  /** Removes every IIP addressed to `tgt` (several in one transaction: one undo step). */
  removeInitial(tgt: PortRef): void {
    const t = this.#ref(tgt);
    const matches = this.initials.filter((i) => sameRef(i.tgt, t));
    if (matches.length === 0) throw new GraphError('UNKNOWN_INITIAL', `removeInitial: no IIP for ${formatRef(t)}`, 'list the IIPs with graph.initials');
    if (matches.length === 1) this.#removeInitialEntry(matches[0]);
    else this.#atomic(`removeInitial:${formatRef(t)}`, () => matches.forEach((iip) => this.#removeInitialEntry(iip)));
  }

  /** Removes exactly this IIP (one of `initials`), leaving other IIPs to the same port. */
  removeInitialEntry(iip: GraphInitial): void {
    if (!this.initials.includes(iip)) throw new GraphError('UNKNOWN_INITIAL', `removeInitialEntry: that IIP for ${formatRef(iip.tgt)} is not in the graph`, 'pass an object from graph.initials');
    this.#removeInitialEntry(iip);
  }

  #removeInitialEntry(iip: GraphInitial): void {
    const index = this.initials.indexOf(iip);
    this.initials.splice(index, 1);
    this.#emit({ _type: 'RemoveInitial', initial: iip, index });
  }

  // ---------------------------------------------------------------- exported ports

  #portMap(kind: 'inport' | 'outport'): Map<string, ExportedPort> {
    return kind === 'inport' ? this.inports : this.outports;
  }

  #addExported(kind: 'inport' | 'outport', name: string, node: string, port: string, metadata: Metadata, index?: number): ExportedPort {
    const map = this.#portMap(kind);
    const key = this.portName(name);
    this.#requireNode(node, `add${kind === 'inport' ? 'Inport' : 'Outport'}('${name}')`);
    if (map.has(key)) throw new GraphError('DUPLICATE_PORT', `exported ${kind} '${key}' already exists`, 'choose another public name or remove the existing one');
    const exported: ExportedPort = { name: key, node, port: this.portName(port), metadata: { ...metadata } };
    if (index !== undefined) exported.index = index;
    map.set(key, exported);
    if (kind === 'inport') this.#emit({ _type: 'AddInport', port: exported });
    else this.#emit({ _type: 'AddOutport', port: exported });
    return exported;
  }

  #getExported(kind: 'inport' | 'outport', name: string, op: string): ExportedPort {
    const map = this.#portMap(kind);
    const port = map.get(this.portName(name));
    if (!port) throw new GraphError('UNKNOWN_PORT', `${op}: no exported ${kind} '${name}'`, `exported ${kind}s: ${[...map.keys()].join(', ') || '(none)'}`);
    return port;
  }

  #removeExported(kind: 'inport' | 'outport', name: string): void {
    const port = this.#getExported(kind, name, `remove ${kind}`);
    this.#portMap(kind).delete(port.name);
    if (kind === 'inport') this.#emit({ _type: 'RemoveInport', port });
    else this.#emit({ _type: 'RemoveOutport', port });
  }

  #renameExported(kind: 'inport' | 'outport', oldName: string, newName: string): void {
    const map = this.#portMap(kind);
    const port = this.#getExported(kind, oldName, `rename ${kind}`);
    const key = this.portName(newName);
    if (key === port.name) return;
    if (map.has(key)) throw new GraphError('DUPLICATE_PORT', `exported ${kind} '${key}' already exists`, 'choose an unused public name');
    map.delete(port.name);
    const old = port.name;
    port.name = key;
    map.set(key, port);
    if (kind === 'inport') this.#emit({ _type: 'RenameInport', old, new: key });
    else this.#emit({ _type: 'RenameOutport', old, new: key });
  }

  #setExportedMetadata(kind: 'inport' | 'outport', name: string, patch: Metadata): void {
    const port = this.#getExported(kind, name, `set ${kind} metadata`);
    const old = port.metadata;
    port.metadata = mergeMetadata(old, patch);
    if (kind === 'inport') this.#emit({ _type: 'ChangeInport', name: port.name, old_metadata: old, new_metadata: port.metadata });
    else this.#emit({ _type: 'ChangeOutport', name: port.name, old_metadata: old, new_metadata: port.metadata });
  }

  addInport(name: string, node: string, port: string, metadata: Metadata = {}, index?: number): ExportedPort {
    return this.#addExported('inport', name, node, port, metadata, index);
  }
  removeInport(name: string): void {
    this.#removeExported('inport', name);
  }
  renameInport(oldName: string, newName: string): void {
    this.#renameExported('inport', oldName, newName);
  }
  setInportMetadata(name: string, patch: Metadata): void {
    this.#setExportedMetadata('inport', name, patch);
  }
  addOutport(name: string, node: string, port: string, metadata: Metadata = {}, index?: number): ExportedPort {
    return this.#addExported('outport', name, node, port, metadata, index);
  }
  removeOutport(name: string): void {
    this.#removeExported('outport', name);
  }
  renameOutport(oldName: string, newName: string): void {
    this.#renameExported('outport', oldName, newName);
  }
  setOutportMetadata(name: string, patch: Metadata): void {
    this.#setExportedMetadata('outport', name, patch);
  }

  // ---------------------------------------------------------------- groups

  getGroup(name: string): GraphGroup | undefined {
    return this.groups.find((g) => g.name === name);
  }

  #requireGroup(name: string, op: string): GraphGroup {
    const group = this.getGroup(name);
    if (!group) throw new GraphError('UNKNOWN_GROUP', `${op}: no group '${name}'`, `groups: ${this.groups.map((g) => g.name).join(', ') || '(none)'}`);
    return group;
  }

  /** Adds a group. `at` inserts it at that position of `groups` (default: last). */
  addGroup(name: string, nodes: string[], metadata: Metadata = {}, at?: number): GraphGroup {
    if (this.getGroup(name)) throw new GraphError('DUPLICATE_GROUP', `addGroup: group '${name}' already exists`, 'choose another name or use addToGroup');
    for (const n of nodes) this.#requireNode(n, `addGroup('${name}')`);
    const group: GraphGroup = { name, nodes: [...new Set(nodes)], metadata: { ...metadata } };
    insertAt(this.groups, group, at);
    this.#emit({ _type: 'AddGroup', group });
    return group;
  }

  removeGroup(name: string): void {
    const group = this.#requireGroup(name, 'removeGroup');
    const index = this.groups.indexOf(group);
    this.groups.splice(index, 1);
    this.#emit({ _type: 'RemoveGroup', group, index });
  }

  renameGroup(oldName: string, newName: string): void {
    const group = this.#requireGroup(oldName, 'renameGroup');
    if (oldName === newName) return;
    if (this.getGroup(newName)) throw new GraphError('DUPLICATE_GROUP', `renameGroup: group '${newName}' already exists`, 'choose an unused name');
    group.name = newName;
    this.#emit({ _type: 'RenameGroup', old: oldName, new: newName });
  }

  setGroupMetadata(name: string, patch: Metadata): void {
    const group = this.#requireGroup(name, 'setGroupMetadata');
    const old = group.metadata;
    group.metadata = mergeMetadata(old, patch);
    this.#emit({ _type: 'ChangeGroup', group: name, old_metadata: old, new_metadata: group.metadata });
  }

  addToGroup(name: string, node: string): void {
    const group = this.#requireGroup(name, 'addToGroup');
    this.#requireNode(node, `addToGroup('${name}')`);
    if (group.nodes.includes(node)) return;
    this.#changeMembers(group, [...group.nodes, node]);
  }

  removeFromGroup(name: string, node: string): void {
    const group = this.#requireGroup(name, 'removeFromGroup');
    if (!group.nodes.includes(node)) return;
    this.#changeMembers(group, group.nodes.filter((n) => n !== node));
  }

  /** Sets a group's members (in this order). */
  setGroupMembers(name: string, nodes: string[]): void {
    const group = this.#requireGroup(name, 'setGroupMembers');
    for (const n of nodes) this.#requireNode(n, `setGroupMembers('${name}')`);
    this.#changeMembers(group, [...new Set(nodes)]);
  }

  #changeMembers(group: GraphGroup, nodes: string[]): void {
    const old = group.nodes;
    group.nodes = nodes;
    this.#emit({ _type: 'ChangeGroupMembers', group: group.name, old, new: nodes });
  }

  // ---------------------------------------------------------------- queries

  /** Edges leaving `node` (optionally one port). */
  outgoing(node: string, port?: string): GraphEdge[] {
    const p = port === undefined ? undefined : this.portName(port);
    return this.edges.filter((e) => e.src.node === node && (p === undefined || e.src.port === p));
  }

  /** Edges entering `node` (optionally one port). */
  incoming(node: string, port?: string): GraphEdge[] {
    const p = port === undefined ? undefined : this.portName(port);
    return this.edges.filter((e) => e.tgt.node === node && (p === undefined || e.tgt.port === p));
  }
}
