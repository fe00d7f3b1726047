// Graph changes as FBP graph-protocol frames. The protocol acknowledges every mutation by echoing
// the change to every client, so these frames are built from the Graph's change events (whoever
// made the change), in the payload shapes FBP clients compare exactly (see fbp-test). As NoFlo
// does (for fbp-graph's Journal, which undoes removals), a removed node, edge or group is first
// announced with its metadata (changenode / changeedge / changegroup), then removed.
import type { Graph, GraphChange, Metadata, PortRef } from '@actorflow/network';

/** `{node, port, index?}` as the protocol writes a port reference. */
export function fbpPort(ref: PortRef): { node: string; port: string; index?: number } {
  return ref.index === undefined ? { node: ref.node, port: ref.port } : { node: ref.node, port: ref.port, index: ref.index };
}

export interface GraphFrame {
  command: string;
  payload: Record<string, unknown>;
}

/** Exported-port frames carry `metadata` only when there is some (as NoFlo sends them). */
function withMetadata(payload: Record<string, unknown>, metadata: Metadata): Record<string, unknown> {
  return Object.keys(metadata).length > 0 ? { ...payload, metadata } : payload;
}

/**
 * The frames announcing `change` of `graph` (FBP id `id`): usually one, none for changes the
 * protocol has no message for (graph properties, exported-port metadata, transactions).
 */
export function graphFrames(id: string, graph: Graph, change: GraphChange): GraphFrame[] {
  const frame = (command: string, payload: Record<string, unknown>): GraphFrame[] => [{ command, payload: { ...payload, graph: id } }];
  switch (change._type) {
    case 'AddNode':
      return frame('addnode', { id: change.node.id, component: change.node.component, metadata: change.node.metadata });
    case 'RemoveNode':
      return [...frame('changenode', { id: change.node.id, metadata: change.node.metadata }), ...frame('removenode', { id: change.node.id })];
    case 'RenameNode':
      return frame('renamenode', { from: change.old, to: change.new });
    case 'ChangeNode':
      return frame('changenode', { id: change.node, metadata: change.new_metadata });
    case 'AddConnection':
      return frame('addedge', { src: fbpPort(change.edge.src), tgt: fbpPort(change.edge.tgt), metadata: change.edge.metadata });
    case 'RemoveConnection': {
      const ends = { src: fbpPort(change.edge.src), tgt: fbpPort(change.edge.tgt) };
      return [...frame('changeedge', { ...ends, metadata: change.edge.metadata }), ...frame('removeedge', ends)];
    }
    case 'ChangeConnection':
      return frame('changeedge', { src: fbpPort(change.edge.src), tgt: fbpPort(change.edge.tgt), metadata: change.new_metadata });
    case 'AddInitial':
      return frame('addinitial', { src: { data: change.initial.data }, tgt: fbpPort(change.initial.tgt), metadata: change.initial.metadata });
    case 'RemoveInitial':
      return frame('removeinitial', { src: { data: change.initial.data }, tgt: fbpPort(change.initial.tgt) });
    case 'AddInport':
    case 'AddOutport':
      return frame(change._type === 'AddInport' ? 'addinport' : 'addoutport', withMetadata({ public: change.port.name, node: change.port.node, port: change.port.port }, change.port.metadata));
    case 'RemoveInport':
      return frame('removeinport', { public: change.port.name });
    case 'RemoveOutport':
      return frame('removeoutport', { public: change.port.name });
    case 'RenameInport':
      return frame('renameinport', { from: change.old, to: change.new });
    case 'RenameOutport':
      return frame('renameoutport', { from: change.old, to: change.new });
    case 'AddGroup':
      return frame('addgroup', { name: change.group.name, nodes: change.group.nodes, metadata: change.group.metadata });
    case 'RemoveGroup':
      return [...frame('changegroup', { name: change.group.name, metadata: change.group.metadata }), ...frame('removegroup', { name: change.group.name })];
    case 'RenameGroup':
      return frame('renamegroup', { from: change.old, to: change.new });
    case 'ChangeGroup':
      return frame('changegroup', { name: change.group, metadata: change.new_metadata });
    case 'ChangeGroupMembers': {
      // The protocol has no membership message: clients get the group replaced.
      const metadata = graph.getGroup(change.group)?.metadata ?? {};
      return [
        ...frame('changegroup', { name: change.group, metadata }),
        ...frame('removegroup', { name: change.group }),
        ...frame('addgroup', { name: change.group, nodes: change.new, metadata }),
      ];
    }
    default:
      return [];
  }
}

/** Whether a change alters the graph's exported ports (clients then get a fresh runtime:ports). */
export function changesPorts(change: GraphChange): boolean {
  switch (change._type) {
    case 'AddInport': case 'RemoveInport': case 'RenameInport': case 'ChangeInport':
    case 'AddOutport': case 'RemoveOutport': case 'RenameOutport': case 'ChangeOutport':
      return true;
    default:
      return false;
  }
}
