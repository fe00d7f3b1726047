// Terse graphs for tests of actors and graphs (`@actorflow/network/testing`):
//
//   graphOf({ nodes: { a: 'core/Passthrough', b: ['my/Double', { factor: 2 }] },
//             edges: ['a.out -> b.in'], iips: [[1, 'a.in']], outports: { result: 'b.out' } })
import { Graph } from './graph/graph.ts';
import type { Metadata, PortRef } from './graph/types.ts';

/** `node.port` or `node.port[3]` as a PortRef. */
export function portRef(text: string): PortRef {
  const m = text.trim().match(/^([^.\s]+)\.([A-Za-z_][\w-]*)(?:\[(\d+)\])?$/);
  if (!m) throw new Error(`bad port reference '${text}': write node.port or node.port[index]`);
  return m[3] === undefined ? { node: m[1], port: m[2] } : { node: m[1], port: m[2], index: Number(m[3]) };
}

/** A graph in a few lines. Ports are written `node.port` (`node.port[i]` for an index). */
export interface GraphSketch {
  /** id → component, or [component, node metadata]. */
  nodes: Record<string, string | [component: string, metadata: Metadata]>;
  /** 'a.out -> b.in', or ['a.out -> b.in', edge metadata]. */
  edges?: (string | [string, Metadata])[];
  /** [value, 'b.in']: initial information packets. */
  iips?: [unknown, string][];
  /** Exported inports: name → 'node.port' (undefined entries are left out). */
  inports?: Record<string, string | undefined>;
  /** Exported outports: name → 'node.port' (undefined entries are left out). */
  outports?: Record<string, string | undefined>;
  groups?: { name: string; nodes: string[]; metadata?: Metadata }[];
}

/** Builds the Graph a sketch describes (throws a GraphError on unknown nodes, like the Graph API). */
export function graphOf(sketch: GraphSketch, name = 'test'): Graph {
  const g = new Graph({ name });
  for (const [id, c] of Object.entries(sketch.nodes)) {
    if (typeof c === 'string') g.addNode(id, c);
    else g.addNode(id, c[0], c[1]);
  }
  for (const e of sketch.edges ?? []) {
    const [text, metadata] = typeof e === 'string' ? [e, {}] : e;
    const [from, to] = text.split('->');
    if (to === undefined) throw new Error(`bad edge '${text}': write 'node.port -> node.port'`);
    g.addEdge(portRef(from), portRef(to), metadata);
  }
  for (const [value, to] of sketch.iips ?? []) g.addInitial(value, portRef(to));
  for (const [exported, to] of Object.entries(sketch.inports ?? {})) {
    if (to === undefined) continue;
    const r = portRef(to);
    g.addInport(exported, r.node, r.port, {}, r.index);
  }
  for (const [exported, from] of Object.entries(sketch.outports ?? {})) {
    if (from === undefined) continue;
    const r = portRef(from);
    g.addOutport(exported, r.node, r.port, {}, r.index);
  }
  for (const group of sketch.groups ?? []) g.addGroup(group.name, group.nodes, group.metadata ?? {});
  return g;
}
