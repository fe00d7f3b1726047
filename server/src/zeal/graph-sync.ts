// Brings a live graph in line with a newer version of the same graph, edit by edit, so a running
// network (which follows its Graph's edits) picks up a workflow Zeal re-published mid-run.
import { formatRef, type Graph, type GraphEdge, type Metadata } from '@actorflow/network';

export interface GraphSyncChanges {
  nodesAdded: number;
  nodesRemoved: number;
  nodesChanged: number;
  edgesAdded: number;
  edgesRemoved: number;
  portsChanged: number;
}

const edgeKey = (e: GraphEdge) => `${formatRef(e.src)}>${formatRef(e.tgt)}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A patch turning metadata `from` into `to` (removed keys set to null). */
function metadataPatch(from: Metadata, to: Metadata): Metadata {
  const patch: Metadata = { ...to };
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  return patch;
}

/**
 * Edits `target` until it matches `source` (nodes, their component and metadata, edges, IIPs
 * untouched, exported ports, properties), in one transaction. Returns what changed.
 */
export function syncGraph(target: Graph, source: Graph): GraphSyncChanges {
  const changes: GraphSyncChanges = { nodesAdded: 0, nodesRemoved: 0, nodesChanged: 0, edgesAdded: 0, edgesRemoved: 0, portsChanged: 0 };
  target.transaction('zeal-sync', () => {
    const wanted = new Map(source.edges.map((e) => [edgeKey(e), e]));
    for (const edge of [...target.edges]) {
      const next = wanted.get(edgeKey(edge));
      if (!next || target.nodes.get(edge.src.node)?.component !== source.nodes.get(edge.src.node)?.component
        || target.nodes.get(edge.tgt.node)?.component !== source.nodes.get(edge.tgt.node)?.component) {
        target.removeEdge(edge.src, edge.tgt);
        changes.edgesRemoved++;
      } else if (!same(edge.metadata, next.metadata)) {
        target.setEdgeMetadata(edge.src, edge.tgt, metadataPatch(edge.metadata, next.metadata));
      }
    }
    for (const node of [...target.nodes.values()]) {
      const next = source.nodes.get(node.id);
      if (!next || next.component !== node.component) {
        target.removeNode(node.id);
        changes.nodesRemoved++;
      } else if (!same(node.metadata, next.metadata)) {
        target.setNodeMetadata(node.id, metadataPatch(node.metadata, next.metadata));
        changes.nodesChanged++;
      }
    }
    for (const node of source.nodes.values()) {
      if (target.nodes.has(node.id)) continue;
      target.addNode(node.id, node.component, node.metadata);
      changes.nodesAdded++;
    }
    for (const edge of source.edges) {
      if (target.getEdge(edge.src, edge.tgt)) continue;
      target.addEdge(edge.src, edge.tgt, edge.metadata);
      changes.edgesAdded++;
    }
    for (const kind of ['inports', 'outports'] as const) {
      for (const [name, port] of [...target[kind]]) {
        const next = source[kind].get(name);
        if (next && next.node === port.node && next.port === port.port) continue;
        if (kind === 'inports') target.removeInport(name);
        else target.removeOutport(name);
        changes.portsChanged++;
      }
      for (const [name, port] of source[kind]) {
        if (target[kind].has(name)) continue;
        if (kind === 'inports') target.addInport(name, port.node, port.port, port.metadata, port.index);
        else target.addOutport(name, port.node, port.port, port.metadata, port.index);
        changes.portsChanged++;
      }
    }
    if (!same(target.properties, source.properties)) target.setProperties(metadataPatch(target.properties, source.properties));
  });
  return changes;
}
