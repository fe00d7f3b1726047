// ZealMapping: which Zeal node, graph, port and connection ids an Actorflow run's actors and
// edges stand for. The converter writes them into the graph itself (graph properties `zeal` and
// edge metadata `zeal.connections`), so any run of a converted graph — whatever started it —
// reports Zeal's own ids; a graph that never came from Zeal maps to itself with no connections.
import type { Graph } from '@actorflow/network';

/** Where an actor came from in the Zeal workflow. */
export interface ZealNodeRef {
  nodeId: string;
  graphId: string;
  /** Actor port name → Zeal port id, only where they differ. */
  ports?: Record<string, string>;
}

/** What the converter stores under `graph.properties.zeal`. */
export interface ZealGraphInfo {
  workflowId: string;
  workflowName?: string;
  version?: number;
  namespace?: string;
  /** Actor id → Zeal node, for every actor whose id is not the Zeal node id in graph `main`. */
  nodes?: Record<string, ZealNodeRef>;
}

/** The `zeal` key of an edge's metadata: the Zeal connections the edge stands for. */
export interface ZealEdgeInfo {
  connections: string[];
}

const NONE: readonly string[] = Object.freeze([]);

function unionInto(target: string[], ids: readonly string[]): void {
  for (const id of ids) if (!target.includes(id)) target.push(id);
}

export function zealGraphInfo(graph: Graph): ZealGraphInfo | undefined {
  const info = graph.properties.zeal as ZealGraphInfo | undefined;
  return info && typeof info === 'object' && typeof info.workflowId === 'string' ? info : undefined;
}

export class ZealMapping {
  readonly workflowId: string | undefined;
  readonly workflowName: string | undefined;
  readonly nodeCount: number;
  #nodes = new Map<string, ZealNodeRef>();
  /** fromActor → fromPort → toActor → toPort → Zeal connection ids. */
  #edges = new Map<string, Map<string, Map<string, Map<string, readonly string[]>>>>();
  #inputs = new Map<string, Map<string, string[]>>();
  #allInputs = new Map<string, string[]>();
  #outputs = new Map<string, string[]>();

  /** Reads the mapping the converter stored in the graph (identity for other graphs). */
  static fromGraph(graph: Graph): ZealMapping {
    return new ZealMapping(graph);
  }

  private constructor(graph: Graph) {
    const info = zealGraphInfo(graph);
    this.workflowId = info?.workflowId;
    this.workflowName = info?.workflowName ?? (graph.name || undefined);
    this.nodeCount = graph.nodes.size;
    for (const id of graph.nodes.keys()) this.#nodes.set(id, info?.nodes?.[id] ?? { nodeId: id, graphId: 'main' });
    for (const edge of graph.edges) {
      const zeal = edge.metadata.zeal as ZealEdgeInfo | undefined;
      const ids = Array.isArray(zeal?.connections) ? zeal.connections.filter((c): c is string => typeof c === 'string') : [];
      if (ids.length === 0) continue;
      let byPort = this.#edges.get(edge.src.node);
      if (!byPort) this.#edges.set(edge.src.node, (byPort = new Map()));
      let byActor = byPort.get(edge.src.port);
      if (!byActor) byPort.set(edge.src.port, (byActor = new Map()));
      let byTgtPort = byActor.get(edge.tgt.node);
      if (!byTgtPort) byActor.set(edge.tgt.node, (byTgtPort = new Map()));
      byTgtPort.set(edge.tgt.port, ids);
      let inPorts = this.#inputs.get(edge.tgt.node);
      if (!inPorts) this.#inputs.set(edge.tgt.node, (inPorts = new Map()));
      const inPort = inPorts.get(edge.tgt.port) ?? [];
      unionInto(inPort, ids);
      inPorts.set(edge.tgt.port, inPort);
      const all = this.#allInputs.get(edge.tgt.node) ?? [];
      unionInto(all, ids);
      this.#allInputs.set(edge.tgt.node, all);
      const out = this.#outputs.get(edge.src.node) ?? [];
      unionInto(out, ids);
      this.#outputs.set(edge.src.node, out);
    }
  }

  /** The Zeal node (and graph) an actor stands for. */
  node(actorId: string): ZealNodeRef {
    return this.#nodes.get(actorId) ?? { nodeId: actorId, graphId: 'main' };
  }

  /** The Zeal port id of an actor's port. */
  port(actorId: string, port: string): string {
    return this.#nodes.get(actorId)?.ports?.[port] ?? port;
  }

  /** Zeal connections carrying messages over one edge. */
  connections(fromActor: string, fromPort: string, toActor: string, toPort: string): readonly string[] {
    return this.#edges.get(fromActor)?.get(fromPort)?.get(toActor)?.get(toPort) ?? NONE;
  }

  /** Zeal connections into an actor (into one port when given). */
  inputConnections(actorId: string, port?: string): readonly string[] {
    if (port === undefined) return this.#allInputs.get(actorId) ?? NONE;
    return this.#inputs.get(actorId)?.get(port) ?? NONE;
  }

  /** Every Zeal connection out of an actor. */
  outputConnections(actorId: string): readonly string[] {
    return this.#outputs.get(actorId) ?? NONE;
  }
}
