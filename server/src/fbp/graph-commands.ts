// The graph subprotocol: each command becomes a mutation of the hosted Graph. Mutations are
// acknowledged by the Graph's change events (see graph-frames.ts), which reach every client, so a
// command that succeeds replies nothing itself. Components and ports are checked against the
// registry first, so an edit never leaves a running network half-applied.
import { resolvePorts, type PortRef } from '@actorflow/network';
import type { Command, FbpRuntime } from './runtime.ts';
import { FbpError } from './protocol.ts';
import type { HostedGraph } from './hosted-graph.ts';

type Metadata = Record<string, unknown>;

/** A port reference from a payload (`index` as a number; FBP allows numeric strings). */
function portRef(raw: unknown): PortRef {
  const { node, port, index } = raw as { node: string; port: string; index?: number | string | null };
  return index === undefined || index === null ? { node, port } : { node, port, index: Number(index) };
}

/** Throws unless the node's component has this port (when the component is known). */
function checkPort(rt: FbpRuntime, hosted: HostedGraph, ref: PortRef, direction: 'in' | 'out'): void {
  const graph = hosted.graph;
  const node = graph.nodes.get(ref.node);
  if (!node) return; // the Graph reports unknown nodes itself
  const def = rt.registry.get(node.component);
  let names: string[];
  if (!def) return;
  if (def.kind === 'subgraph') {
    names = [...(direction === 'in' ? def.graph.inports : def.graph.outports).keys()];
  } else {
    try {
      const ports = resolvePorts(def, node.metadata);
      names = Object.keys(direction === 'in' ? ports.inports : ports.outports);
    } catch {
      return; // ports that depend on a configuration not complete yet: checked when the network starts
    }
  }
  if (names.some((n) => graph.portName(n) === graph.portName(ref.port))) return;
  throw new FbpError(`node '${ref.node}' (${node.component}) has no ${direction}port '${ref.port}'; its ${direction}ports: ${names.join(', ') || '(none)'}`);
}

function checkComponent(rt: FbpRuntime, component: string): void {
  if (!rt.registry.has(component)) {
    const near = rt.registry.suggest(component);
    throw new FbpError(`Component ${component} not available${near.length ? `; did you mean ${near.join(', ')}?` : '; list the components with component:list'}`);
  }
}

export async function graphCommand(rt: FbpRuntime, cmd: Command): Promise<void> {
  const p = cmd.request.payload;
  if (cmd.request.command === 'clear') {
    await rt.clearGraph(cmd, p.id as string, {
      ...(typeof p.name === 'string' ? { name: p.name } : {}),
      ...(typeof p.main === 'boolean' ? { main: p.main } : {}),
      ...(typeof p.library === 'string' ? { library: p.library } : {}),
      ...(typeof p.icon === 'string' ? { icon: p.icon } : {}),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
    });
    return;
  }
  const hosted = rt.requireGraph(p);
  const graph = hosted.graph;
  const metadata = (p.metadata ?? {}) as Metadata;
  rt.edit(cmd, hosted, () => {
    switch (cmd.request.command) {
      case 'addnode':
        checkComponent(rt, p.component as string);
        rt.checkLimit(hosted, 'nodes');
        graph.addNode(p.id as string, p.component as string, metadata);
        return;
      case 'removenode':
        graph.removeNode(p.id as string);
        return;
      case 'renamenode':
        graph.renameNode(p.from as string, p.to as string);
        return;
      case 'changenode':
        graph.setNodeMetadata(p.id as string, metadata);
        return;
      case 'addedge': {
        const src = portRef(p.src);
        const tgt = portRef(p.tgt);
        checkPort(rt, hosted, src, 'out');
        checkPort(rt, hosted, tgt, 'in');
        rt.checkLimit(hosted, 'edges');
        graph.addEdge(src, tgt, metadata);
        return;
      }
      case 'removeedge':
        graph.removeEdge(portRef(p.src), portRef(p.tgt));
        return;
      case 'changeedge':
        graph.setEdgeMetadata(portRef(p.src), portRef(p.tgt), metadata);
        return;
      case 'addinitial': {
        const tgt = portRef(p.tgt);
        const data = (p.src as { data: unknown }).data;
        checkPort(rt, hosted, tgt, 'in');
        rt.checkLimit(hosted, 'edges');
        rt.checkIipSize(data);
        const iip = graph.addInitial(data, tgt, metadata);
        // A running network delivers it at once: show it like the IIPs delivered at start.
        hosted.session?.showInitial(iip);
        return;
      }
      case 'removeinitial':
        graph.removeInitial(portRef(p.tgt));
        return;
      case 'addinport':
        checkPort(rt, hosted, { node: p.node as string, port: p.port as string }, 'in');
        graph.addInport(p.public as string, p.node as string, p.port as string, metadata);
        return;
      case 'removeinport':
        graph.removeInport(p.public as string);
        return;
      case 'renameinport':
        graph.renameInport(p.from as string, p.to as string);
        return;
      case 'addoutport':
        checkPort(rt, hosted, { node: p.node as string, port: p.port as string }, 'out');
        graph.addOutport(p.public as string, p.node as string, p.port as string, metadata);
        return;
      case 'removeoutport':
        graph.removeOutport(p.public as string);
        return;
      case 'renameoutport':
        graph.renameOutport(p.from as string, p.to as string);
        return;
      case 'addgroup':
        graph.addGroup(p.name as string, p.nodes as string[], metadata);
        return;
      case 'removegroup':
        graph.removeGroup(p.name as string);
        return;
      case 'renamegroup':
        graph.renameGroup(p.from as string, p.to as string);
        return;
      case 'changegroup':
        graph.setGroupMetadata(p.name as string, metadata);
        return;
    }
  });
}
