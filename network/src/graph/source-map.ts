// Where each item of a Graph came from in the document it was read from, so that validation
// run later can point at `$.connections[7].to.portId` rather than at the item in the abstract.
import { nodePath, pathIndex, pathKey } from './json-path.ts';
import type { Graph } from './graph.ts';
import type { ExportedPort, GraphEdge, GraphGroup, GraphInitial, GraphNode, PortRef } from './types.ts';

/** The two JSON shapes of a connection end / exported port. */
export type EdgeForm = 'reflow' | 'fbp';

export type SourcedItem = GraphNode | GraphEdge | GraphInitial | ExportedPort | GraphGroup;

interface Source {
  path: string;
  form: EdgeForm;
}

/**
 * An item's location, kept on the item itself under this key (non-enumerable: copies, JSON and
 * msgpack leave it out). Not in a WeakMap: a server reads thousands of graphs a second, and every
 * WeakMap entry whose key outlives a young-generation collection is work for each full one
 * (ephemeron marking took ~15 ms of a 20 ms pause under load).
 */
const SOURCE = Symbol('actorflow.source');

type Sourced = SourcedItem & { [SOURCE]?: Source };

function sourceOf(item: SourcedItem): Source | undefined {
  return (item as Sourced)[SOURCE];
}

/** Records the document location of an item (done by the readers). */
export function recordSource(item: SourcedItem, path: string, form: EdgeForm): void {
  Object.defineProperty(item, SOURCE, { value: { path, form }, configurable: true });
}

/** The JSON path an item was read from (`$.connections[7]`), if it was read from a document. */
export function sourcePath(item: SourcedItem): string | undefined {
  return sourceOf(item)?.path;
}

/** The path of one field of an edge end, in the form the document used (`to.portId` or `tgt.port`). */
export function endFieldPath(item: GraphEdge | GraphInitial, fallback: string, end: 'src' | 'tgt', field: 'node' | 'port' | 'index'): string {
  const source = sourceOf(item);
  const base = source?.path ?? fallback;
  if ((source?.form ?? 'reflow') === 'fbp') return `${base}.${end}.${field === 'node' ? 'process' : field}`;
  return `${base}.${end === 'src' ? 'from' : 'to'}.${field === 'node' ? 'nodeId' : field === 'port' ? 'portId' : 'index'}`;
}

/** The path of a field of an exported port (`$.inports.start.portName` or `.port`). */
export function exportFieldPath(item: ExportedPort, kind: 'inports' | 'outports', field: 'node' | 'port'): string {
  const source = sourceOf(item);
  const base = source?.path ?? pathKey(`$.${kind}`, item.name);
  if ((source?.form ?? 'reflow') === 'fbp') return `${base}.${field === 'node' ? 'process' : 'port'}`;
  return `${base}.${field === 'node' ? 'nodeId' : 'portName'}`;
}

/** The path of a node, read or synthesised. */
export function nodeSourcePath(node: GraphNode): string {
  return sourceOf(node)?.path ?? nodePath(node.id);
}

/** The path of an edge or IIP, read or synthesised from its position in the canonical export (edges, then IIPs). */
export function connectionSourcePath(item: GraphEdge | GraphInitial, position: number): string {
  return sourceOf(item)?.path ?? pathIndex('$.connections', position);
}

/** The path of a group, read or synthesised. */
export function groupSourcePath(group: GraphGroup, position: number): string {
  return sourceOf(group)?.path ?? pathIndex('$.groups', position);
}

const droppedFeeds = new WeakMap<Graph, Set<string>>();

/**
 * Records that the document connects something to `ref`, though the reader had to drop that
 * connection (its other end was broken, and reported): validation then does not also report the
 * port as unconnected.
 */
export function recordDroppedFeed(graph: Graph, ref: PortRef): void {
  let feeds = droppedFeeds.get(graph);
  if (!feeds) droppedFeeds.set(graph, (feeds = new Set()));
  feeds.add(`${ref.node}\0${graph.portName(ref.port)}`);
}

/** `node\0port` of the inports fed by connections the reader dropped. */
export function droppedFeedsOf(graph: Graph): ReadonlySet<string> {
  return droppedFeeds.get(graph) ?? new Set();
}
