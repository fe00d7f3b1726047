// The in-memory graph model: what a Graph holds, independent of any file format.
// `json.ts` reads and writes the FBP/Reflow JSON form; `fbp-dsl.ts` the `.fbp` text form.

/** Free-form metadata attached to nodes, edges, IIPs, exported ports and groups. */
export type Metadata = Record<string, unknown>;

/** One end of a connection: a node's port, optionally one slot of an addressable port. */
export interface PortRef {
  node: string;
  port: string;
  index?: number;
}

/**
 * A process in the graph. `metadata` is the node's configuration bag, as in Reflow: the actor
 * receives it (with its config schema's defaults applied) as `ctx.config`. Runtime keys
 * (`thread`, `retry`, `timeoutMs`, `env_vars`) and visual keys (`x`, `y`, `label`) live there too.
 */
export interface GraphNode {
  id: string;
  component: string;
  metadata: Metadata;
}

/** A connection between two ports. Runtime keys in metadata: `capacity`, `policy`. */
export interface GraphEdge {
  src: PortRef;
  tgt: PortRef;
  metadata: Metadata;
}

/** An initial information packet: `data` delivered once to `tgt` when the network starts. */
export interface GraphInitial {
  data: unknown;
  tgt: PortRef;
  metadata: Metadata;
}

/** A port of an inner node exposed under a public name on the graph's boundary. */
export interface ExportedPort {
  /** public name */
  name: string;
  node: string;
  port: string;
  index?: number;
  metadata: Metadata;
}

/** A named set of nodes. `metadata.thread` places every member in that worker thread. */
export interface GraphGroup {
  name: string;
  nodes: string[];
  metadata: Metadata;
}

/** Graph-level properties (`name`, `description`, `version`, `namespace`, …). */
export type GraphProperties = Metadata & { name?: string };

/** Every change a Graph can emit, tagged with `_type` like Reflow's GraphEvents. */
export type GraphChange =
  | { _type: 'AddNode'; node: GraphNode }
  | { _type: 'RemoveNode'; node: GraphNode }
  | { _type: 'RenameNode'; old: string; new: string }
  | { _type: 'ChangeNode'; node: string; old_metadata: Metadata; new_metadata: Metadata }
  | { _type: 'AddConnection'; edge: GraphEdge }
  /** `index`: where the edge was in `graph.edges` (history restores it there). */
  | { _type: 'RemoveConnection'; edge: GraphEdge; index?: number }
  | { _type: 'ChangeConnection'; edge: GraphEdge; old_metadata: Metadata; new_metadata: Metadata }
  | { _type: 'AddInitial'; initial: GraphInitial }
  /** `index`: where the IIP was in `graph.initials` (IIP order is delivery order). */
  | { _type: 'RemoveInitial'; initial: GraphInitial; index?: number }
  | { _type: 'AddInport'; port: ExportedPort }
  | { _type: 'RemoveInport'; port: ExportedPort }
  | { _type: 'RenameInport'; old: string; new: string }
  | { _type: 'ChangeInport'; name: string; old_metadata: Metadata; new_metadata: Metadata }
  | { _type: 'AddOutport'; port: ExportedPort }
  | { _type: 'RemoveOutport'; port: ExportedPort }
  | { _type: 'RenameOutport'; old: string; new: string }
  | { _type: 'ChangeOutport'; name: string; old_metadata: Metadata; new_metadata: Metadata }
  | { _type: 'AddGroup'; group: GraphGroup }
  | { _type: 'RemoveGroup'; group: GraphGroup; index?: number }
  | { _type: 'RenameGroup'; old: string; new: string }
  | { _type: 'ChangeGroup'; group: string; old_metadata: Metadata; new_metadata: Metadata }
  | { _type: 'ChangeGroupMembers'; group: string; old: string[]; new: string[] }
  | { _type: 'ChangeProperties'; new: GraphProperties; before: GraphProperties }
  | { _type: 'StartTransaction'; id: string; metadata?: Metadata }
  | { _type: 'EndTransaction'; id: string; metadata?: Metadata };

export type GraphChangeType = GraphChange['_type'];
