// Shared helpers for the network tests: a registry with the core and fixture actors, and a terse
// way to build graphs ("a.out -> b.in", "'data' -> b.in").
import { ComponentRegistry, Graph, registerCoreComponents, type Metadata, type PortRef } from '@actorflow/network';

export const FIXTURES = new URL('./fixtures/actors.ts', import.meta.url);

export async function testRegistry(): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  await registerCoreComponents(registry);
  await registry.registerModule(FIXTURES);
  return registry;
}

/** `node.port` or `node.port[3]`. */
export function ref(text: string): PortRef {
  const m = text.trim().match(/^([^.\s]+)\.([A-Za-z_][\w-]*)(?:\[(\d+)\])?$/);
  if (!m) throw new Error(`bad port reference '${text}'`);
  return m[3] === undefined ? { node: m[1], port: m[2] } : { node: m[1], port: m[2], index: Number(m[3]) };
}

export interface GraphSpec {
  nodes: Record<string, string | [component: string, metadata: Metadata]>;
  /** 'a.out -> b.in' */
  edges?: (string | [string, Metadata])[];
  /** [value, 'b.in'] */
  iips?: [unknown, string][];
  inports?: Record<string, string>;
  outports?: Record<string, string>;
  groups?: { name: string; nodes: string[]; metadata?: Metadata }[];
}

export function graph(spec: GraphSpec, name = 'test'): Graph {
  const g = new Graph({ name });
  for (const [id, c] of Object.entries(spec.nodes)) {
    if (typeof c === 'string') g.addNode(id, c);
    else g.addNode(id, c[0], c[1]);
  }
  for (const e of spec.edges ?? []) {
    const [text, metadata] = typeof e === 'string' ? [e, {}] : e;
    const [from, to] = text.split('->');
    g.addEdge(ref(from), ref(to), metadata);
  }
  for (const [value, to] of spec.iips ?? []) g.addInitial(value, ref(to));
  for (const [name, to] of Object.entries(spec.inports ?? {})) {
    const r = ref(to);
    g.addInport(name, r.node, r.port);
  }
  for (const [name, from] of Object.entries(spec.outports ?? {})) {
    const r = ref(from);
    g.addOutport(name, r.node, r.port);
  }
  for (const group of spec.groups ?? []) g.addGroup(group.name, group.nodes, group.metadata ?? {});
  return g;
}

/** Resolves when `predicate` holds, polling each event-loop turn (fails after `ms`). */
export async function until(predicate: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setImmediate(r));
  }
}
