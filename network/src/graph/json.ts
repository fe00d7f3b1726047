// The graph JSON document: a lenient reader that accepts Reflow's form (`from`/`to` with
// `nodeId`/`portId`), NoFlo/FBP's form (`src`/`tgt` with `process`/`port`) and snake_case aliases,
// and reports every problem at once with its JSON path; and one canonical writer.
import type { Env } from '../actor/config.ts';
import type { ComponentRegistry } from '../actor/registry.ts';
import { GraphError, ValidationError, type Problem } from '../errors.ts';
import { isPortType, type PortType } from '../port-types.ts';
import { didYouMean } from '../suggest.ts';
import { parseFbp } from './fbp-dsl.ts';
import { Graph } from './graph.ts';
import { pathIndex, pathKey } from './json-path.ts';
import { duplicateKeys } from './json-text.ts';
import { describeValue, isRecord, previewValue, problem } from './problems.ts';
import { recordDroppedFeed, recordSource, type EdgeForm } from './source-map.ts';
import type { ExportedPort, GraphProperties, Metadata, PortRef } from './types.ts';
import { validateGraph } from './validate.ts';

export { sourcePath } from './source-map.ts';

// ------------------------------------------------------------------ document types

/** A connection end or exported port in Reflow's form. At runtime Reflow names the port by `portId`. */
export interface ReflowEdge {
  portName: string;
  portId: string;
  nodeId: string;
  index?: number;
  expose: boolean;
  portType: PortType;
  metadata?: Metadata;
}

export interface ReflowConnection {
  from: ReflowEdge;
  to: ReflowEdge;
  metadata?: Metadata;
  /** Present (non-null) on an IIP, whose `from` is blank. */
  data?: unknown;
}

export interface ReflowProcess {
  id: string;
  component: string;
  metadata: Metadata;
}

export interface ReflowGroup {
  id: string;
  nodes: string[];
  metadata: Metadata;
}

/** The canonical graph document (Reflow's GraphExport, which our wire format follows). */
export interface GraphJson {
  caseSensitive: boolean;
  properties: GraphProperties;
  processes: Record<string, ReflowProcess>;
  connections: ReflowConnection[];
  /** Public name → inner port: `portId` is the public name, `portName` the node's port. */
  inports: Record<string, ReflowEdge>;
  outports: Record<string, ReflowEdge>;
  groups: ReflowGroup[];
  /** Reflow's workspace sections, kept as read (we do not interpret them). */
  graphDependencies?: unknown;
  externalConnections?: unknown;
  providedInterfaces?: unknown;
  requiredInterfaces?: unknown;
  workspaceMetadata?: unknown;
}

/** A port reference in NoFlo/FBP's form. */
export interface FbpPortRef {
  process: string;
  port: string;
  index?: number;
}

export interface FbpConnection {
  /** Absent on an IIP. */
  src?: FbpPortRef;
  tgt: FbpPortRef;
  /** The IIP's value. */
  data?: unknown;
  metadata?: Metadata;
}

/** The graph document in NoFlo/FBP's form (`fbp-graph`, the `fbp` package's schema). */
export interface FbpGraphJson {
  caseSensitive: boolean;
  properties: GraphProperties;
  processes: Record<string, { component: string; metadata: Metadata }>;
  connections: FbpConnection[];
  inports: Record<string, FbpPortRef & { metadata: Metadata }>;
  outports: Record<string, FbpPortRef & { metadata: Metadata }>;
  groups: { name: string; nodes: string[]; metadata: Metadata }[];
}

// ------------------------------------------------------------------ reading

/** Reflow's workspace-tier sections: not interpreted, kept in `properties` and written back at the top level. */
const WORKSPACE_SECTIONS = ['graphDependencies', 'externalConnections', 'providedInterfaces', 'requiredInterfaces', 'workspaceMetadata'] as const;
const TOP_LEVEL = new Set<string>(['caseSensitive', 'properties', 'processes', 'connections', 'inports', 'outports', 'groups', ...WORKSPACE_SECTIONS]);
/** snake_case spellings found in Reflow's own example files. */
const ALIASES: Record<string, string> = {
  case_sensitive: 'caseSensitive', graph_dependencies: 'graphDependencies', external_connections: 'externalConnections',
  provided_interfaces: 'providedInterfaces', required_interfaces: 'requiredInterfaces', workspace_metadata: 'workspaceMetadata',
};
const PROCESS_FIELDS = new Set(['id', 'component', 'metadata', 'scriptRuntime']);
const CONNECTION_FIELDS: Record<EdgeForm, Set<string>> = { reflow: new Set(['from', 'to', 'metadata', 'data']), fbp: new Set(['src', 'tgt', 'metadata', 'data']) };
const END_FIELDS: Record<EdgeForm, Set<string>> = {
  reflow: new Set(['portName', 'portId', 'nodeId', 'index', 'expose', 'portType', 'data', 'metadata']),
  fbp: new Set(['process', 'port', 'index']),
};
const EXPORT_FIELDS: Record<EdgeForm, Set<string>> = {
  reflow: new Set(['portName', 'portId', 'nodeId', 'index', 'expose', 'portType', 'data', 'metadata']),
  fbp: new Set(['process', 'port', 'index', 'metadata']),
};
const GROUP_FIELDS = new Set(['id', 'name', 'nodes', 'metadata']);

const FORMS_HINT = 'write { "from": {"nodeId", "portId"}, "to": {...} } (Reflow) or { "src": {"process", "port"}, "tgt": {...} } (FBP)';

/** Where a document came from: JSON, or `.fbp` text parsed into JSON (hints differ). */
export type DocumentDialect = 'json' | 'fbp';

/** One pass over a document: builds the Graph and collects every problem. */
class DocumentReader {
  readonly problems: Problem[] = [];
  graph!: Graph;
  /** Nodes declared but unusable (already reported): references to them are not reported again. */
  readonly #broken = new Set<string>();
  readonly #dialect: DocumentDialect;

  constructor(dialect: DocumentDialect) {
    this.#dialect = dialect;
  }

  #error(code: string, path: string, message: string, hint: string): void {
    this.problems.push(problem(code, path, message, hint));
  }

  #warn(code: string, path: string, message: string, hint: string): void {
    this.problems.push(problem(code, path, message, hint, 'warning'));
  }

  /** `value` as an object; undefined when absent (null counts as absent) or of a wrong type (reported). */
  #object(value: unknown, path: string, what: string, hint: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return value;
    this.#error('INVALID_TYPE', path, `${what} must be an object, not ${describeValue(value)}`, hint);
    return undefined;
  }

  #metadata(value: unknown, path: string): Metadata {
    return { ...this.#object(value, path, 'metadata', 'use an object of key/value pairs, e.g. {"label": "Reader"}') };
  }

  #unknownFields(raw: Record<string, unknown>, known: Set<string>, path: string, what: string): void {
    for (const key of Object.keys(raw)) {
      if (!known.has(key)) this.#warn('UNKNOWN_FIELD', pathKey(path, key), `${what} has an unknown field '${key}'; it is ignored`, `known fields: ${[...known].join(', ')}`);
    }
  }

  /** A required non-empty string field. */
  #name(value: unknown, path: string, what: string, hint: string): string | undefined {
    if (typeof value === 'string' && value !== '') return value;
    if (value === undefined || value === null || value === '') this.#error('MISSING_FIELD', path, `${what} is missing`, hint);
    else this.#error('INVALID_TYPE', path, `${what} must be a string, not ${describeValue(value)}`, hint);
    return undefined;
  }

  /** An optional slot index: absent/null, or a non-negative integer. `false` when invalid (reported). */
  #index(value: unknown, path: string): number | undefined | false {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    this.#error('INVALID_INDEX', path, `index must be a non-negative integer, not ${describeValue(value)}`, 'address a slot of an addressable port (0, 1, …), or leave index out');
    return false;
  }

  /** A node a reference names: known, broken (reported already: undefined, silently) or unknown (reported). */
  #node(id: string, path: string, code: string, what: string): string | undefined {
    if (this.graph.nodes.has(id)) return id;
    if (this.#broken.has(id)) return undefined;
    const declare = this.#dialect === 'fbp' ? `declare it with its component where it is first used: ${id}(lib/Component)` : 'declare it under "processes"';
    const hint = didYouMean(id, this.graph.nodes.keys()) || `${declare}; nodes: ${[...this.graph.nodes.keys()].slice(0, 8).join(', ') || '(none)'}`;
    this.#error(code, path, `${what} names node '${id}', which is not in the graph`, hint);
    return undefined;
  }

  read(doc: unknown): Graph {
    if (!isRecord(doc)) {
      this.#error('NOT_AN_OBJECT', '$', `a graph document must be a JSON object, not ${describeValue(doc)}`,
        'give { "processes": {...}, "connections": [...] }, or .fbp text');
      return (this.graph = new Graph());
    }
    const top = this.#topLevel(doc);
    let caseSensitive = false;
    const cs = top.get('caseSensitive');
    if (cs && cs.value !== undefined && cs.value !== null) {
      if (typeof cs.value === 'boolean') caseSensitive = cs.value;
      else this.#error('INVALID_TYPE', `$.${cs.key}`, `caseSensitive must be true or false, not ${describeValue(cs.value)}`, 'leave it out for the default (false: port names are lower-cased)');
    }
    const propsEntry = top.get('properties');
    const properties: GraphProperties = { ...this.#object(propsEntry?.value, `$.${propsEntry?.key}`, 'properties', 'use an object, e.g. {"name": "my-graph"}') };
    for (const section of WORKSPACE_SECTIONS) {
      const entry = top.get(section);
      if (!entry || entry.value === undefined) continue;
      if (Object.hasOwn(properties, section)) this.#warn('DUPLICATE_FIELD', `$.${entry.key}`, `'${section}' is given both at the top level and in properties; the top-level one is kept`, 'keep one of them');
      properties[section] = entry.value;
    }
    this.graph = new Graph(properties, { caseSensitive });
    this.#processes(top.get('processes'));
    this.#connections(top.get('connections'));
    this.#exported('inports', top.get('inports'));
    this.#exported('outports', top.get('outports'));
    this.#groups(top.get('groups'));
    return this.graph;
  }

  /** Canonical top-level key → the value and the key actually used (for paths). */
  #topLevel(doc: Record<string, unknown>): Map<string, { key: string; value: unknown }> {
    const top = new Map<string, { key: string; value: unknown }>();
    for (const [key, value] of Object.entries(doc)) {
      const canonical = Object.hasOwn(ALIASES, key) ? ALIASES[key] : key;
      if (!TOP_LEVEL.has(canonical)) {
        // `$schema` only tells editors which schema the document follows.
        if (key !== '$schema') this.#warn('UNKNOWN_FIELD', pathKey('$', key), `unknown top-level field '${key}' is ignored`, `known fields: ${[...TOP_LEVEL].join(', ')}`);
        continue;
      }
      if (top.has(canonical)) {
        this.#warn('DUPLICATE_FIELD', pathKey('$', key), `'${key}' and '${top.get(canonical)!.key}' are the same field; '${canonical}' is kept`, `write only '${canonical}'`);
        if (key !== canonical) continue;
      }
      top.set(canonical, { key, value });
    }
    return top;
  }

  #processes(entry: { key: string; value: unknown } | undefined): void {
    if (!entry || entry.value === undefined || entry.value === null) return;
    const path = `$.${entry.key}`;
    if (Array.isArray(entry.value)) {
      // A list of processes, each naming itself with `id`: accepted; duplicates are reported.
      entry.value.forEach((raw, i) => {
        const at = pathIndex(path, i);
        const id = isRecord(raw) ? this.#name(raw.id, `${at}.id`, `process ${i}'s id`, 'give every process a unique id') : undefined;
        if (!isRecord(raw)) this.#error('INVALID_TYPE', at, `process ${i} must be an object, not ${describeValue(raw)}`, 'give {"id", "component", "metadata"}');
        else if (id !== undefined) this.#process(id, raw, at);
      });
      return;
    }
    const processes = this.#object(entry.value, path, 'processes', 'map each node id to {"component": "lib/Name", "metadata": {...}}');
    if (!processes) return;
    for (const [key, raw] of Object.entries(processes)) {
      const at = pathKey(path, key);
      if (key === '') {
        this.#error('INVALID_ID', at, 'a process has an empty id', 'give every process a non-empty, unique id');
        continue;
      }
      if (!isRecord(raw)) {
        this.#error('INVALID_TYPE', at, `process '${key}' must be an object, not ${describeValue(raw)}`, 'give {"component": "lib/Name", "metadata": {...}}');
        this.#broken.add(key);
        continue;
      }
      if (raw.id !== undefined && raw.id !== key) {
        if (typeof raw.id !== 'string') this.#error('INVALID_TYPE', `${at}.id`, `process '${key}': id must be a string, not ${describeValue(raw.id)}`, `set "id": "${key}" (the map key)`);
        else if (Object.hasOwn(processes, raw.id)) this.#error('DUPLICATE_NODE', `${at}.id`, `process '${key}' has id '${raw.id}', which is already the id of another process`, `give it a unique id; set "id": "${key}" to match its key`);
        else this.#error('NODE_ID_MISMATCH', `${at}.id`, `process '${key}' has id '${raw.id}': the key and the inner id differ`, `make them equal; the key '${key}' is used as the node id`);
      }
      this.#process(key, raw, at);
    }
  }

  #process(id: string, raw: Record<string, unknown>, path: string): void {
    this.#unknownFields(raw, PROCESS_FIELDS, path, `process '${id}'`);
    if (this.graph.nodes.has(id) || this.#broken.has(id)) {
      this.#error('DUPLICATE_NODE', path, `node id '${id}' is used by more than one process`, 'give every process a unique id');
      return;
    }
    const component = this.#name(raw.component, `${path}.component`, `process '${id}': component`, "name a registered component, e.g. 'core/Repeat'");
    const metadata = this.#metadata(raw.metadata, `${path}.metadata`);
    if (raw.scriptRuntime !== undefined && !Object.hasOwn(metadata, 'scriptRuntime')) metadata.scriptRuntime = raw.scriptRuntime;
    if (component === undefined) {
      this.#broken.add(id);
      return;
    }
    recordSource(this.graph.addNode(id, component, metadata), path, 'reflow');
  }

  #connections(entry: { key: string; value: unknown } | undefined): void {
    if (!entry || entry.value === undefined || entry.value === null) return;
    const path = `$.${entry.key}`;
    if (!Array.isArray(entry.value)) {
      this.#error('INVALID_TYPE', path, `connections must be an array, not ${describeValue(entry.value)}`, FORMS_HINT);
      return;
    }
    entry.value.forEach((raw, i) => this.#connection(raw, pathIndex(path, i), i));
  }

  #connection(raw: unknown, path: string, i: number): void {
    if (!isRecord(raw)) {
      this.#error('INVALID_TYPE', path, `connection ${i} must be an object, not ${describeValue(raw)}`, FORMS_HINT);
      return;
    }
    const reflow = 'from' in raw || 'to' in raw;
    const fbp = 'src' in raw || 'tgt' in raw;
    if (reflow && fbp) {
      this.#error('AMBIGUOUS_CONNECTION', path, `connection ${i} mixes Reflow's from/to with FBP's src/tgt`, 'use one form per connection');
      return;
    }
    const form: EdgeForm = fbp ? 'fbp' : 'reflow';
    this.#unknownFields(raw, CONNECTION_FIELDS[form], path, `connection ${i}`);
    const [srcKey, tgtKey] = form === 'fbp' ? ['src', 'tgt'] : ['from', 'to'];
    const metadata = this.#metadata(raw.metadata, `${path}.metadata`);
    // An IIP: FBP writes `data` and no `src`; Reflow writes non-null `data` and a blank `from`.
    // (Reflow cannot tell a null IIP from a plain connection by data alone: a blank from decides.)
    const isInitial = form === 'fbp' ? raw.data !== undefined && raw.src === undefined
      : raw.data !== undefined && (raw.data !== null || !isRecord(raw.from) || !raw.from.nodeId);
    if (isInitial) {
      if (raw[tgtKey] === undefined || raw[tgtKey] === null) {
        this.#error('IIP_NO_TARGET', path, `IIP ${previewValue(raw.data)} (connection ${i}) has no target`, `add "${tgtKey}": the node and port that receive the value`);
        return;
      }
      if (form === 'reflow' && isRecord(raw.from) && typeof raw.from.nodeId === 'string' && raw.from.nodeId !== '') {
        this.#warn('IIP_SOURCE_IGNORED', `${path}.from`, `connection ${i} carries data, so it is an IIP: its 'from' (${raw.from.nodeId}) is ignored`, 'blank the from end, or drop data to make it a connection');
      }
      const tgt = this.#end(raw[tgtKey], `${path}.${tgtKey}`, form, `IIP (connection ${i})`);
      if (!tgt) return;
      recordSource(this.graph.addInitial(raw.data, tgt, metadata), path, form);
      return;
    }
    if (form === 'fbp' && raw.data !== undefined) {
      this.#error('AMBIGUOUS_CONNECTION', path, `connection ${i} has both src and data`, 'an IIP has data and no src; a connection has src and no data');
      return;
    }
    if (raw[srcKey] === undefined || raw[srcKey] === null) {
      const what = raw[tgtKey] === undefined ? `neither '${srcKey}' nor '${tgtKey}'` : `no '${srcKey}'`;
      this.#error('MISSING_FIELD', `${path}.${srcKey}`, `connection ${i} has ${what}`, `${FORMS_HINT}; an IIP carries "data" instead of a source`);
      if (raw[tgtKey] === undefined) return;
    }
    if (raw[tgtKey] === undefined || raw[tgtKey] === null) {
      this.#error('MISSING_FIELD', `${path}.${tgtKey}`, `connection ${i} has no '${tgtKey}'`, FORMS_HINT);
    }
    const src = raw[srcKey] === undefined || raw[srcKey] === null ? undefined : this.#end(raw[srcKey], `${path}.${srcKey}`, form, `connection ${i}`);
    const tgt = raw[tgtKey] === undefined || raw[tgtKey] === null ? undefined : this.#end(raw[tgtKey], `${path}.${tgtKey}`, form, `connection ${i}`);
    if (tgt && !src) recordDroppedFeed(this.graph, tgt);
    if (!src || !tgt) return;
    try {
      recordSource(this.graph.addEdge(src, tgt, metadata), path, form);
    } catch (error) {
      if (!(error instanceof GraphError) || error.code !== 'DUPLICATE_EDGE') throw error;
      this.#warn('DUPLICATE_EDGE', path, `connection ${i} repeats an earlier connection (${error.message.replace(/^addEdge: /, '').replace(/ already exists.*$/s, '')}); it is ignored`, 'connect each pair of ports once');
    }
  }

  /** One end of a connection, in either form. */
  #end(raw: unknown, path: string, form: EdgeForm, what: string): PortRef | undefined {
    if (!isRecord(raw)) {
      this.#error('INVALID_TYPE', path, `${what}: this end must be an object, not ${describeValue(raw)}`, FORMS_HINT);
      return undefined;
    }
    this.#unknownFields(raw, END_FIELDS[form], path, what);
    let nodeId: string | undefined;
    let port: string | undefined;
    if (form === 'fbp') {
      nodeId = this.#name(raw.process, `${path}.process`, `${what}: process`, 'name the node (a key of "processes")');
      port = this.#name(raw.port, `${path}.port`, `${what}: port`, "name the node's port, e.g. \"in\"");
    } else {
      nodeId = this.#name(raw.nodeId, `${path}.nodeId`, `${what}: nodeId`, 'name the node (a key of "processes")');
      port = this.#reflowPort(raw, path, what);
      this.#reflowDecorations(raw, path, what);
    }
    const index = this.#index(raw.index, `${path}.index`);
    const node = nodeId === undefined ? undefined : this.#node(nodeId, `${path}.${form === 'fbp' ? 'process' : 'nodeId'}`, 'DANGLING_EDGE', what);
    if (node === undefined || port === undefined || index === false) return undefined;
    return index === undefined ? { node, port } : { node, port, index };
  }

  /** Reflow names a connection's port by `portId` (the graph API leaves `portName` blank); either is accepted. */
  #reflowPort(raw: Record<string, unknown>, path: string, what: string): string | undefined {
    const id = this.#optionalString(raw.portId, `${path}.portId`, what);
    const name = this.#optionalString(raw.portName, `${path}.portName`, what);
    if (id && name && id !== name) {
      this.#warn('PORT_NAME_MISMATCH', `${path}.portName`, `${what}: portId '${id}' and portName '${name}' differ; portId is used (Reflow's runtime uses portId)`, 'make them equal, or leave portName blank');
    }
    const port = id || name;
    if (!port && id !== null && name !== null) this.#error('MISSING_FIELD', `${path}.portId`, `${what}: the port is missing (portId and portName are blank)`, 'set "portId" to the port name, e.g. "in"');
    return port || undefined;
  }

  /** A string field that may be absent or blank: '' when absent, null when of a wrong type (reported). */
  #optionalString(value: unknown, path: string, what: string): string | null {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    this.#error('INVALID_TYPE', path, `${what}: must be a string, not ${describeValue(value)}`, 'use a port name such as "in"');
    return null;
  }

  /** `expose` and `portType` carry nothing we use (port types come from the components); only their form is checked. */
  #reflowDecorations(raw: Record<string, unknown>, path: string, what: string): void {
    if (raw.expose !== undefined && typeof raw.expose !== 'boolean') {
      this.#warn('INVALID_TYPE', `${path}.expose`, `${what}: expose must be true or false, not ${describeValue(raw.expose)}`, 'leave it out, or use a boolean');
    }
    if (raw.portType !== undefined && raw.portType !== null && !isPortType(raw.portType)) {
      this.#warn('INVALID_PORT_TYPE', `${path}.portType`, `${what}: portType ${previewValue(raw.portType, 80)} is not a port type; it is ignored`,
        'use {"type": "any"}, {"type": "integer"}, {"type": "array", "value": {...}}, …; port types come from the components');
    }
  }

  #exported(kind: 'inports' | 'outports', entry: { key: string; value: unknown } | undefined): void {
    if (!entry || entry.value === undefined || entry.value === null) return;
    const path = `$.${entry.key}`;
    const ports = this.#object(entry.value, path, kind, `map each public port name to {"process": node, "port": inner port}`);
    if (!ports) return;
    const what = kind === 'inports' ? 'exported inport' : 'exported outport';
    for (const [name, raw] of Object.entries(ports)) {
      const at = pathKey(path, name);
      if (!isRecord(raw)) {
        this.#error('INVALID_TYPE', at, `${what} '${name}' must be an object, not ${describeValue(raw)}`, 'give {"process": node, "port": inner port} or Reflow\'s {"nodeId", "portName"}');
        continue;
      }
      const form: EdgeForm = 'process' in raw || !('nodeId' in raw) ? 'fbp' : 'reflow';
      this.#unknownFields(raw, EXPORT_FIELDS[form], at, `${what} '${name}'`);
      const label = `${what} '${name}'`;
      let nodeId: string | undefined;
      let port: string | undefined;
      if (form === 'fbp') {
        nodeId = this.#name(raw.process, `${at}.process`, `${label}: process`, 'name the inner node it exposes');
        port = this.#name(raw.port, `${at}.port`, `${label}: port`, "name the inner node's port");
      } else {
        nodeId = this.#name(raw.nodeId, `${at}.nodeId`, `${label}: nodeId`, 'name the inner node it exposes');
        port = this.#exportedReflowPort(raw, at, name, label);
        this.#reflowDecorations(raw, at, label);
      }
      const index = this.#index(raw.index, `${at}.index`);
      const metadata = this.#metadata(raw.metadata, `${at}.metadata`);
      const node = nodeId === undefined ? undefined : this.#node(nodeId, `${at}.${form === 'fbp' ? 'process' : 'nodeId'}`, 'UNKNOWN_NODE', label);
      if (node === undefined || port === undefined || index === false) continue;
      try {
        const exported: ExportedPort = kind === 'inports' ? this.graph.addInport(name, node, port, metadata, index) : this.graph.addOutport(name, node, port, metadata, index);
        recordSource(exported, at, form);
      } catch (error) {
        if (!(error instanceof GraphError) || error.code !== 'DUPLICATE_PORT') throw error;
        this.#error('DUPLICATE_PORT', at, `${label} clashes with another exported port of the same name (port names are case-insensitive in this graph)`, 'rename one of them, or set "caseSensitive": true');
      }
    }
  }

  /** Reflow: `portName` is the inner port, `portId` the public name. */
  #exportedReflowPort(raw: Record<string, unknown>, path: string, name: string, label: string): string | undefined {
    const inner = this.#optionalString(raw.portName, `${path}.portName`, label);
    const id = this.#optionalString(raw.portId, `${path}.portId`, label);
    if (id && id !== name) this.#warn('PORT_NAME_MISMATCH', `${path}.portId`, `${label}: portId '${id}' differs from its key '${name}'; the key is the public name`, 'make them equal');
    if (inner) return inner;
    if (inner === null) return undefined;
    this.#warn('MISSING_FIELD', `${path}.portName`, `${label}: portName (the inner port) is blank; the inner port is assumed to be '${id || name}'`, "set portName to the inner node's port");
    return id || name;
  }

  #groups(entry: { key: string; value: unknown } | undefined): void {
    if (!entry || entry.value === undefined || entry.value === null) return;
    const path = `$.${entry.key}`;
    if (!Array.isArray(entry.value)) {
      this.#error('INVALID_TYPE', path, `groups must be an array, not ${describeValue(entry.value)}`, 'give [{"name": "g", "nodes": ["a", "b"]}]');
      return;
    }
    entry.value.forEach((raw, i) => {
      const at = pathIndex(path, i);
      if (!isRecord(raw)) {
        this.#error('INVALID_TYPE', at, `group ${i} must be an object, not ${describeValue(raw)}`, 'give {"name": "g", "nodes": ["a", "b"]}');
        return;
      }
      this.#unknownFields(raw, GROUP_FIELDS, at, `group ${i}`);
      const key = raw.name !== undefined ? 'name' : 'id';
      if (raw.name !== undefined && raw.id !== undefined && raw.name !== raw.id) {
        this.#warn('GROUP_NAME_MISMATCH', `${at}.id`, `group ${i} has name '${String(raw.name)}' and id '${String(raw.id)}'; the name is used`, 'give only one of them');
      }
      const name = this.#name(raw[key], `${at}.${key}`, `group ${i}: name`, 'give the group a name ("name", or "id" in Reflow\'s form)');
      const members: string[] = [];
      if (raw.nodes !== undefined && !Array.isArray(raw.nodes)) {
        this.#error('INVALID_TYPE', `${at}.nodes`, `group ${i}: nodes must be an array of node ids, not ${describeValue(raw.nodes)}`, 'e.g. "nodes": ["a", "b"]');
      } else {
        (raw.nodes as unknown[] | undefined ?? []).forEach((n, j) => {
          const nodeAt = pathIndex(`${at}.nodes`, j);
          if (typeof n !== 'string') this.#error('INVALID_TYPE', nodeAt, `group ${i}: member ${j} must be a node id, not ${describeValue(n)}`, 'list node ids as strings');
          else if (this.#node(n, nodeAt, 'UNKNOWN_NODE', `group '${name ?? i}'`) !== undefined) members.push(n);
        });
      }
      const metadata = this.#metadata(raw.metadata, `${at}.metadata`);
      if (name === undefined) return;
      if (this.graph.getGroup(name)) {
        this.#error('DUPLICATE_GROUP', `${at}.${key}`, `group '${name}' is declared more than once`, 'merge the groups or rename one');
        return;
      }
      recordSource(this.graph.addGroup(name, members, metadata), at, 'reflow');
    });
  }
}

/**
 * Reads a graph document (already parsed JSON) leniently: never throws on bad input, builds as
 * much of the graph as it can, and returns every problem found, each with a JSON path and a hint.
 * Accepts Reflow's form, NoFlo/FBP's form and snake_case aliases. The location of each node,
 * connection, IIP, exported port and group is kept for `sourcePath`.
 */
export function readGraphJson(doc: unknown): { graph: Graph; problems: Problem[] } {
  return readGraphDocument(doc, 'json');
}

/** `readGraphJson` for a document in a given dialect (the `.fbp` reader passes its parse result here). */
export function readGraphDocument(doc: unknown, dialect: DocumentDialect): { graph: Graph; problems: Problem[] } {
  const reader = new DocumentReader(dialect);
  const graph = reader.read(doc);
  return { graph, problems: reader.problems };
}

export interface ReadGraphOptions {
  /** How to read text: JSON, or the `.fbp` DSL. Default: JSON, or `.fbp` when the text is not JSON. */
  format?: 'json' | 'fbp';
  /** When given, the graph is also validated against this registry (`validateGraph`). */
  registry?: ComponentRegistry;
  /** With `registry`: the environment that `env_vars` are resolved from. */
  env?: Env;
}

/**
 * Reads a graph document of any kind: an object (parsed JSON), text or bytes holding JSON or
 * `.fbp`, or a Graph already built. With a registry, also validates what could be built, so the
 * problems of the document and those against the registry come back together. Never throws on
 * bad input.
 */
export function readGraph(doc: unknown, options: ReadGraphOptions = {}): { graph: Graph; problems: Problem[] } {
  const result = doc instanceof Graph ? { graph: doc, problems: [] as Problem[] }
    : readDocument(doc instanceof Uint8Array ? new TextDecoder().decode(doc) : doc, options.format);
  if (options.registry) result.problems.push(...validateGraph(result.graph, options.registry, { env: options.env }));
  return result;
}

export interface LoadGraphOptions extends ReadGraphOptions {
  /** Receives the warnings (things that load but look wrong). */
  onWarning?: (problem: Problem) => void;
}

/**
 * Loads a graph (see `readGraph`). Throws a ValidationError (code INVALID_GRAPH) listing every
 * error found — in the document, and against the registry when one is given.
 */
export function loadGraph(doc: unknown, options: LoadGraphOptions = {}): Graph {
  const { graph, problems } = readGraph(doc, options);
  if (problems.some((p) => p.severity === 'error')) throw new ValidationError(`graph${graph.name ? ` '${graph.name}'` : ''}`, problems);
  if (options.onWarning) for (const p of problems) options.onWarning(p);
  return graph;
}

function readDocument(doc: unknown, format: ReadGraphOptions['format']): { graph: Graph; problems: Problem[] } {
  if (typeof doc !== 'string') return readGraphJson(doc);
  if (format === 'fbp') return parseFbp(doc);
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc);
  } catch (error) {
    const syntax = problem('JSON_SYNTAX', '$', `the graph is not valid JSON: ${(error as Error).message}`, 'fix the JSON syntax at the position given');
    if (format === 'json' || /^\s*$/.test(doc)) return { graph: new Graph(), problems: [syntax] };
    const fbp = parseFbp(doc);
    // Text that starts like JSON and fails as .fbp too was most likely meant as JSON.
    if (/^\s*[[{]/.test(doc) && fbp.problems.some((p) => p.code === 'FBP_SYNTAX')) return { graph: fbp.graph, problems: [syntax] };
    return fbp;
  }
  const result = readGraphJson(parsed);
  result.problems.push(...duplicateKeys(doc).map(duplicateKeyProblem));
  return result;
}

/** A key JSON.parse silently collapsed: a lost process or exported port is an error, any other key a warning. */
function duplicateKeyProblem({ parent, key, path }: { parent: string; key: string; path: string }): Problem {
  if (parent === '$.processes') {
    return problem('DUPLICATE_NODE', path, `node id '${key}' is declared more than once in processes; JSON keeps only the last declaration`, 'give every process a unique id');
  }
  if (parent === '$.inports' || parent === '$.outports') {
    return problem('DUPLICATE_PORT', path, `exported port '${key}' is declared more than once; JSON keeps only the last`, 'give every exported port a unique name');
  }
  return problem('DUPLICATE_KEY', path, `'${key}' is written more than once in the same object; only the last value counts`, 'remove the repeated key', 'warning');
}

// ------------------------------------------------------------------ writing

export interface ToGraphJsonOptions {
  /** `reflow` (default, our wire format) or `fbp` (NoFlo's src/tgt form). */
  form?: 'reflow' | 'fbp';
}

const ANY: PortType = { type: 'any' };

function reflowEnd(node: string, port: string, index: number | undefined, expose = false, portName = port): ReflowEdge {
  const end: ReflowEdge = { portName, portId: port, nodeId: node, expose, portType: { ...ANY } };
  if (index !== undefined) end.index = index;
  return end;
}

function fbpRef(ref: { node: string; port: string; index?: number }): FbpPortRef {
  return ref.index === undefined ? { process: ref.node, port: ref.port } : { process: ref.node, port: ref.port, index: ref.index };
}

/**
 * Writes the graph as a document. The default form is Reflow's GraphExport with every field its
 * native reader requires (`portName`, `portId`, `nodeId`, `expose`, `portType` on each edge end;
 * `portType` is written as `any`: port types come from the components). IIPs are connections
 * carrying `data` with a blank `from`. `readGraphJson(toGraphJson(g))` rebuilds `g` exactly
 * (IIP values as JSON would carry them).
 */
export function toGraphJson(graph: Graph, options?: { form?: 'reflow' }): GraphJson;
export function toGraphJson(graph: Graph, options: { form: 'fbp' }): FbpGraphJson;
export function toGraphJson(graph: Graph, options?: ToGraphJsonOptions): GraphJson | FbpGraphJson;
export function toGraphJson(graph: Graph, options: ToGraphJsonOptions = {}): GraphJson | FbpGraphJson {
  return options.form === 'fbp' ? toFbpJson(graph) : toReflowJson(graph);
}

function toReflowJson(graph: Graph): GraphJson {
  const properties: GraphProperties = { ...graph.properties };
  const sections: Partial<Record<(typeof WORKSPACE_SECTIONS)[number], unknown>> = {};
  for (const section of WORKSPACE_SECTIONS) {
    if (Object.hasOwn(properties, section)) {
      sections[section] = properties[section];
      delete properties[section];
    }
  }
  const processes: Record<string, ReflowProcess> = {};
  for (const node of graph.nodes.values()) processes[node.id] = { id: node.id, component: node.component, metadata: { ...node.metadata } };
  const connections: ReflowConnection[] = graph.edges.map((e) => ({
    from: reflowEnd(e.src.node, e.src.port, e.src.index),
    to: reflowEnd(e.tgt.node, e.tgt.port, e.tgt.index),
    metadata: { ...e.metadata },
  }));
  for (const iip of graph.initials) {
    connections.push({ from: reflowEnd('', '', undefined), to: reflowEnd(iip.tgt.node, iip.tgt.port, iip.tgt.index), metadata: { ...iip.metadata }, data: iip.data });
  }
  const exported = (ports: Map<string, ExportedPort>): Record<string, ReflowEdge> => {
    const out: Record<string, ReflowEdge> = {};
    for (const p of ports.values()) out[p.name] = { ...reflowEnd(p.node, p.name, p.index, true, p.port), metadata: { ...p.metadata } };
    return out;
  };
  return {
    caseSensitive: graph.caseSensitive,
    properties,
    processes,
    connections,
    inports: exported(graph.inports),
    outports: exported(graph.outports),
    groups: graph.groups.map((g) => ({ id: g.name, nodes: [...g.nodes], metadata: { ...g.metadata } })),
    ...sections,
  };
}

function toFbpJson(graph: Graph): FbpGraphJson {
  const processes: FbpGraphJson['processes'] = {};
  for (const node of graph.nodes.values()) processes[node.id] = { component: node.component, metadata: { ...node.metadata } };
  const connections: FbpConnection[] = graph.edges.map((e) => ({ src: fbpRef(e.src), tgt: fbpRef(e.tgt), metadata: { ...e.metadata } }));
  for (const iip of graph.initials) connections.push({ data: iip.data, tgt: fbpRef(iip.tgt), metadata: { ...iip.metadata } });
  const exported = (ports: Map<string, ExportedPort>): FbpGraphJson['inports'] => {
    const out: FbpGraphJson['inports'] = {};
    for (const p of ports.values()) out[p.name] = { ...fbpRef(p), metadata: { ...p.metadata } };
    return out;
  };
  return {
    caseSensitive: graph.caseSensitive,
    properties: { ...graph.properties },
    processes,
    connections,
    inports: exported(graph.inports),
    outports: exported(graph.outports),
    groups: graph.groups.map((g) => ({ name: g.name, nodes: [...g.nodes], metadata: { ...g.metadata } })),
  };
}
