// Undo/redo for a Graph. GraphHistory listens to the graph's changes and records, for each, the
// operation that reverses it (and the one that replays it). A transaction (explicit, or the one
// removeNode opens for its cascade) is one step, undone in reverse order. Every value an entry
// needs is copied when the change happens, so later edits of the same objects cannot skew it.
import { ActorflowError } from '../errors.ts';
import type { Graph } from './graph.ts';
import type { ExportedPort, GraphChange, Metadata, PortRef } from './types.ts';

/** One recorded change: how to reverse it and how to apply it again. */
interface Step {
  undo(graph: Graph): void;
  redo(graph: Graph): void;
}

export interface HistoryState {
  canUndo: boolean;
  canRedo: boolean;
  undoSize: number;
  redoSize: number;
}

export interface GraphHistoryOptions {
  /** Steps kept; the oldest are dropped beyond this. Default 100. */
  maxHistory?: number;
}

/** The patch that turns metadata `current` back into `target` under merge semantics (null removes a key). */
function restorePatch(current: Metadata, target: Metadata): Metadata {
  const patch: Metadata = {};
  for (const key of Object.keys(current)) if (!Object.hasOwn(target, key)) patch[key] = null;
  return Object.assign(patch, target);
}

function copyRef(ref: PortRef): PortRef {
  return ref.index === undefined ? { node: ref.node, port: ref.port } : { node: ref.node, port: ref.port, index: ref.index };
}

/** The exported-port API of one direction. */
function exportedApi(graph: Graph, kind: 'inport' | 'outport') {
  return kind === 'inport'
    ? { add: graph.addInport.bind(graph), remove: graph.removeInport.bind(graph), rename: graph.renameInport.bind(graph), setMetadata: graph.setInportMetadata.bind(graph) }
    : { add: graph.addOutport.bind(graph), remove: graph.removeOutport.bind(graph), rename: graph.renameOutport.bind(graph), setMetadata: graph.setOutportMetadata.bind(graph) };
}

function addExported(graph: Graph, kind: 'inport' | 'outport', port: ExportedPort): void {
  exportedApi(graph, kind).add(port.name, port.node, port.port, port.metadata, port.index);
}

/** The step that reverses and replays one change; undefined for transaction markers. */
function stepFor(change: GraphChange, graph: Graph): Step | undefined {
  switch (change._type) {
    case 'AddNode':
    case 'RemoveNode': {
      const { id, component } = change.node;
      const metadata = { ...change.node.metadata };
      const add = (g: Graph) => g.addNode(id, component, metadata);
      const remove = (g: Graph) => g.removeNode(id);
      return change._type === 'AddNode' ? { undo: remove, redo: add } : { undo: add, redo: remove };
    }
    case 'RenameNode': {
      const { old, new: renamed } = change;
      return { undo: (g) => g.renameNode(renamed, old), redo: (g) => g.renameNode(old, renamed) };
    }
    case 'ChangeNode': {
      const { node, old_metadata: before, new_metadata: after } = change;
      return { undo: (g) => g.setNodeMetadata(node, restorePatch(after, before)), redo: (g) => g.setNodeMetadata(node, restorePatch(before, after)) };
    }
    case 'AddConnection':
    case 'RemoveConnection': {
      const src = copyRef(change.edge.src);
      const tgt = copyRef(change.edge.tgt);
      const metadata = { ...change.edge.metadata };
      const at = change._type === 'AddConnection' ? graph.edges.indexOf(change.edge) : change.index;
      const add = (g: Graph) => g.addEdge(src, tgt, metadata, at);
      const remove = (g: Graph) => g.removeEdge(src, tgt);
      return change._type === 'AddConnection' ? { undo: remove, redo: add } : { undo: add, redo: remove };
    }
    case 'ChangeConnection': {
      const src = copyRef(change.edge.src);
      const tgt = copyRef(change.edge.tgt);
      const { old_metadata: before, new_metadata: after } = change;
      return { undo: (g) => g.setEdgeMetadata(src, tgt, restorePatch(after, before)), redo: (g) => g.setEdgeMetadata(src, tgt, restorePatch(before, after)) };
    }
    case 'AddInitial':
    case 'RemoveInitial': {
      const { data } = change.initial;
      const tgt = copyRef(change.initial.tgt);
      const metadata = { ...change.initial.metadata };
      const at = change._type === 'AddInitial' ? graph.initials.indexOf(change.initial) : change.index ?? graph.initials.length;
      const add = (g: Graph) => g.addInitial(data, tgt, metadata, at);
      // The graph is back in the state right after the IIP was added: it sits at `at`.
      const remove = (g: Graph) => g.removeInitialEntry(g.initials[at]);
      return change._type === 'AddInitial' ? { undo: remove, redo: add } : { undo: add, redo: remove };
    }
    case 'AddInport':
    case 'RemoveInport':
    case 'AddOutport':
    case 'RemoveOutport': {
      const kind = change._type.endsWith('Inport') ? 'inport' : 'outport';
      const port: ExportedPort = { ...change.port, metadata: { ...change.port.metadata } };
      const add = (g: Graph) => addExported(g, kind, port);
      const remove = (g: Graph) => exportedApi(g, kind).remove(port.name);
      return change._type.startsWith('Add') ? { undo: remove, redo: add } : { undo: add, redo: remove };
    }
    case 'RenameInport':
    case 'RenameOutport': {
      const kind = change._type === 'RenameInport' ? 'inport' : 'outport';
      const { old, new: renamed } = change;
      return { undo: (g) => exportedApi(g, kind).rename(renamed, old), redo: (g) => exportedApi(g, kind).rename(old, renamed) };
    }
    case 'ChangeInport':
    case 'ChangeOutport': {
      const kind = change._type === 'ChangeInport' ? 'inport' : 'outport';
      const { name, old_metadata: before, new_metadata: after } = change;
      return {
        undo: (g) => exportedApi(g, kind).setMetadata(name, restorePatch(after, before)),
        redo: (g) => exportedApi(g, kind).setMetadata(name, restorePatch(before, after)),
      };
    }
    case 'AddGroup':
    case 'RemoveGroup': {
      const { name } = change.group;
      const nodes = [...change.group.nodes];
      const metadata = { ...change.group.metadata };
      const at = change._type === 'AddGroup' ? graph.groups.indexOf(change.group) : change.index;
      const add = (g: Graph) => g.addGroup(name, nodes, metadata, at);
      const remove = (g: Graph) => g.removeGroup(name);
      return change._type === 'AddGroup' ? { undo: remove, redo: add } : { undo: add, redo: remove };
    }
    case 'RenameGroup': {
      const { old, new: renamed } = change;
      return { undo: (g) => g.renameGroup(renamed, old), redo: (g) => g.renameGroup(old, renamed) };
    }
    case 'ChangeGroup': {
      const { group, old_metadata: before, new_metadata: after } = change;
      return { undo: (g) => g.setGroupMetadata(group, restorePatch(after, before)), redo: (g) => g.setGroupMetadata(group, restorePatch(before, after)) };
    }
    case 'ChangeGroupMembers': {
      const { group } = change;
      const before = [...change.old];
      const after = [...change.new];
      return { undo: (g) => g.setGroupMembers(group, before), redo: (g) => g.setGroupMembers(group, after) };
    }
    case 'ChangeProperties': {
      const before = { ...change.before };
      const after = { ...change.new };
      return { undo: (g) => g.setProperties(restorePatch(after, before)), redo: (g) => g.setProperties(restorePatch(before, after)) };
    }
    case 'StartTransaction':
    case 'EndTransaction':
      return undefined;
  }
}

/** A step made of several, undone last-first and redone first-last. */
function composite(steps: Step[]): Step {
  return {
    undo: (g) => applyAll(g, [...steps].reverse(), 'undo'),
    redo: (g) => applyAll(g, steps, 'redo'),
  };
}

/**
 * Applies steps in order; if one fails, the ones already applied are reverted so the graph is left
 * as it was, and the error is rethrown.
 */
function applyAll(graph: Graph, steps: Step[], direction: 'undo' | 'redo'): void {
  const back = direction === 'undo' ? 'redo' : 'undo';
  for (let i = 0; i < steps.length; i++) {
    try {
      steps[i][direction](graph);
    } catch (error) {
      for (let j = i - 1; j >= 0; j--) steps[j][back](graph);
      throw error;
    }
  }
}

/**
 * Undo/redo for one Graph. Records every change the graph emits from the moment it is created;
 * `undo()`/`redo()` apply the recorded inverse/forward operations through the graph's normal API
 * (so other listeners, such as a running network, see ordinary changes), inside one transaction.
 */
export class GraphHistory {
  readonly graph: Graph;
  readonly maxHistory: number;
  #undo: Step[] = [];
  #redo: Step[] = [];
  /** Steps of the open transaction(s); depth counts nesting. */
  #pending: Step[] = [];
  #depth = 0;
  #replaying = false;
  #unsubscribe: () => void;

  constructor(graph: Graph, options: GraphHistoryOptions = {}) {
    const maxHistory = options.maxHistory ?? 100;
    if (!Number.isInteger(maxHistory) || maxHistory < 0) {
      throw new ActorflowError('INVALID_OPTION', `GraphHistory: maxHistory must be a non-negative integer, not ${String(maxHistory)}`, 'e.g. { maxHistory: 100 }');
    }
    this.graph = graph;
    this.maxHistory = maxHistory;
    this.#unsubscribe = graph.on((change) => this.#record(change));
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  get canRedo(): boolean {
    return this.#redo.length > 0;
  }

  state(): HistoryState {
    return { canUndo: this.canUndo, canRedo: this.canRedo, undoSize: this.#undo.length, redoSize: this.#redo.length };
  }

  /** Reverses the last step. Returns false when there is nothing to undo. */
  undo(): boolean {
    return this.#replay(this.#undo, this.#redo, 'undo');
  }

  /** Applies the last undone step again. Returns false when there is nothing to redo. */
  redo(): boolean {
    return this.#replay(this.#redo, this.#undo, 'redo');
  }

  /** Forgets every recorded step. */
  clear(): void {
    this.#undo = [];
    this.#redo = [];
  }

  /** Stops recording (the graph is left as it is). */
  dispose(): void {
    this.#unsubscribe();
    this.clear();
  }

  #replay(from: Step[], to: Step[], direction: 'undo' | 'redo'): boolean {
    if (this.#depth > 0) {
      throw new ActorflowError('TRANSACTION_OPEN', `GraphHistory.${direction}: a transaction is open on the graph`, 'end the transaction first');
    }
    const step = from.pop();
    if (!step) return false;
    this.#replaying = true;
    try {
      this.graph.transaction(direction, () => step[direction](this.graph));
    } catch (error) {
      from.push(step);
      throw new ActorflowError('HISTORY_CONFLICT', `GraphHistory.${direction} failed: ${(error as Error).message}`,
        'the graph was changed in a way the history did not record (while it was disposed, or by editing its arrays directly); the graph is unchanged', { cause: error });
    } finally {
      this.#replaying = false;
    }
    to.push(step);
    return true;
  }

  #record(change: GraphChange): void {
    if (this.#replaying) return;
    if (change._type === 'StartTransaction') {
      this.#depth++;
      return;
    }
    if (change._type === 'EndTransaction') {
      this.#depth = Math.max(0, this.#depth - 1);
      if (this.#depth === 0 && this.#pending.length > 0) {
        const steps = this.#pending;
        this.#pending = [];
        this.#push(steps.length === 1 ? steps[0] : composite(steps));
      }
      return;
    }
    const step = stepFor(change, this.graph);
    if (!step) return;
    if (this.#depth > 0) this.#pending.push(step);
    else this.#push(step);
  }

  #push(step: Step): void {
    this.#redo = [];
    if (this.maxHistory === 0) return;
    this.#undo.push(step);
    if (this.#undo.length > this.maxHistory) this.#undo.splice(0, this.#undo.length - this.maxHistory);
  }
}
