// ZipSession: one run's live view in Zeal. Turns the run's activity into the flat
// `runtime.event`s Zeal validates (§1.3, §8): each window, every active node gets node.executing
// (with the Zeal ids of the connections that brought it messages), node.completed (with those it
// sent over) and node.failed, so a node firing 100,000 times costs Zeal a few messages a second;
// execution.* events carry the session id, duration, nodes executed and summary; stream ports
// become stream.* events plus binary frames. Everything goes out through the workflow's
// ZipConnection, whose outbox is bounded.
import type { ErrorInfo, GraphEdge, NetworkEvent } from '@actorflow/network';
import type { NodeActivity } from './node-activity.ts';
import { nodeCounts, clip, type BridgedRun, type ExecutionOutcome } from './run.ts';
import type { BridgeSink, SinkReport } from './sink.ts';
import { beginFrame, dataFrames, endFrame, errorFrame } from './stream-frames.ts';
import type { RuntimeEvent, RuntimeEventType } from './wire.ts';
import { ZipTally, type ZipConnection } from './zip-connection.ts';

const MAX_MESSAGE = 4096;
const MAX_STACK = 8192;
/** Connection ids listed per event at most (keeps every message far below Engine.IO's 1 MB). */
const MAX_CONNECTIONS = 10_000;

interface OpenStream {
  id: number;
  actorId: string;
  port: string;
  /** `toActor\0toPort` of the edge whose copies of the chunks become frames (fan-out sends one copy per edge). */
  via: string | undefined;
}

export interface ZipReport extends SinkReport {
  workflowId: string;
  queued: number;
  sent: number;
  acknowledged: number;
  rejected: number;
  lost: number;
  framesSent: number;
  framesDropped: number;
  /** Firings folded into coalesced node events. */
  coalesced: number;
  connection: string;
}

let nextStreamId = 1;


/** The Zeal connection ids of some edges (capped). */
function connectionIds(edges: readonly GraphEdge[], mapping: BridgedRun['mapping']): string[] {
  const ids = new Set<string>();
  for (const e of edges) for (const id of mapping.connections(e.src.node, e.src.port, e.tgt.node, e.tgt.port)) ids.add(id);
  const out = [...ids];
  return out.length > MAX_CONNECTIONS ? out.slice(0, MAX_CONNECTIONS) : out;
}

export class ZipSession implements BridgeSink {
  readonly name = 'zip';
  readonly #connection: ZipConnection;
  readonly #run: BridgedRun;
  readonly #tally = new ZipTally();
  /** Nodes Zeal has been told are executing (a source node's first emission announces it). */
  readonly #announced = new Set<string>();
  /** The first failure of each node since its last node.failed. */
  readonly #errors = new Map<string, ErrorInfo>();
  #streams = new Map<string, OpenStream>();
  #streamsByPort = new Map<string, OpenStream>();
  #seen = new Map<string, { firings: number; failures: number; messagesOut: number }>();
  #coalesced = 0;
  #finished = false;

  constructor(connection: ZipConnection, run: BridgedRun) {
    this.#connection = connection;
    this.#run = run;
    this.#send('execution.started', { data: { sessionId: run.sessionId, workflowName: clip(run.workflowName, 200) } }, true);
  }

  #base(type: RuntimeEventType): RuntimeEvent {
    return { type, workflowId: this.#run.workflowId, timestamp: new Date().toISOString() };
  }

  #metadata(): Record<string, unknown> {
    return { executionId: this.#run.zealExecutionId, runId: this.#run.executionId, runtime: 'actorflow', trigger: this.#run.trigger };
  }

  #send(type: RuntimeEventType, fields: Partial<RuntimeEvent>, execution = false): void {
    const event: RuntimeEvent = { ...this.#base(type), graphId: 'main', ...fields };
    if (execution) event.metadata = { ...this.#metadata(), ...fields.metadata };
    this.#connection.send(event, this.#tally, execution);
  }

  event(event: NetworkEvent): void {
    if (this.#finished) return;
    switch (event._type) {
      case 'ActorFailed':
        if (!event.willRetry && !this.#errors.has(event.actorId)) this.#errors.set(event.actorId, event.error);
        return;
      case 'MessageSent':
        if (this.#streamsByPort.size > 0 && event.message instanceof Uint8Array) this.#streamChunk(event.fromActor, event.fromPort, event.toActor, event.toPort, event.message);
        return;
      case 'StreamOpened':
      case 'StreamClosed':
      case 'StreamError':
        this.#streamEvent(event);
        return;
      default:
    }
  }

  activity(nodes: readonly NodeActivity[]): void {
    if (this.#finished) return;
    for (const a of nodes) this.#report(a);
  }

  /** What one node did during the window: executing, completed, failed. */
  #report(a: NodeActivity): void {
    const mapping = this.#run.mapping;
    const node = mapping.node(a.actorId);
    const seen = this.#seen.get(a.actorId) ?? { firings: 0, failures: 0, messagesOut: 0 };
    seen.firings += a.firings;
    seen.failures += a.failures;
    seen.messagesOut += a.messagesOut;
    this.#seen.set(a.actorId, seen);
    if (a.firings > 0 || (a.messagesOut > 0 && !this.#announced.has(a.actorId))) {
      // A source node (it emits without firing) is announced once, with no input connections.
      this.#send('node.executing', { nodeId: node.nodeId, graphId: node.graphId, data: { inputConnections: connectionIds(a.inputs, mapping) } });
      this.#announced.add(a.actorId);
    }
    if (a.busyMs > 0 || a.messagesOut > 0) {
      this.#send('node.completed', {
        nodeId: node.nodeId, graphId: node.graphId,
        data: { outputConnections: connectionIds(a.outputs, mapping), duration: Math.round(a.busyMs) },
        metadata: { firings: a.firings, messagesIn: a.messagesIn, messagesOut: a.messagesOut },
      });
      if (a.firings > 1) this.#coalesced += a.firings - 1;
    }
    if (a.failures > 0) this.#failed(a.actorId);
  }

  #failed(actorId: string): void {
    const mapping = this.#run.mapping;
    const node = mapping.node(actorId);
    const info = this.#errors.get(actorId);
    this.#errors.delete(actorId);
    const error: Record<string, string> = { message: clip(info?.message || 'actor failed', MAX_MESSAGE) };
    if (info?.code) error.code = info.code;
    if (info?.stack) error.stack = clip(info.stack, MAX_STACK);
    this.#send('node.failed', { nodeId: node.nodeId, graphId: node.graphId, data: { outputConnections: [...mapping.outputConnections(actorId)].slice(0, MAX_CONNECTIONS), error } });
  }

  #streamEvent(event: Extract<NetworkEvent, { _type: 'StreamOpened' | 'StreamClosed' | 'StreamError' }>): void {
    const node = this.#run.mapping.node(event.actorId);
    const base = { nodeId: node.nodeId, graphId: node.graphId };
    if (event._type === 'StreamOpened') {
      const stream: OpenStream = { id: nextStreamId++, actorId: event.actorId, port: event.port, via: undefined };
      this.#streams.set(event.streamId, stream);
      this.#streamsByPort.set(`${event.actorId}\0${event.port}`, stream);
      const fields: Partial<RuntimeEvent> = { ...base, port: this.#run.mapping.port(event.actorId, event.port), streamId: stream.id };
      if (event.contentType) fields.contentType = event.contentType;
      if (event.name) fields.metadata = { name: event.name };
      this.#send('stream.opened', fields);
      this.#connection.sendFrames([beginFrame(stream.id, { ...(event.contentType ? { contentType: event.contentType } : {}), metadata: event.name ? { name: event.name } : {} })], this.#tally);
      return;
    }
    const stream = this.#streams.get(event.streamId);
    if (!stream) return;
    this.#streams.delete(event.streamId);
    this.#streamsByPort.delete(`${stream.actorId}\0${stream.port}`);
    if (event._type === 'StreamClosed') {
      this.#connection.sendFrames([endFrame(stream.id)], this.#tally);
      this.#send('stream.closed', { ...base, streamId: stream.id, totalBytes: event.bytes });
    } else {
      const message = clip(event.error.message || 'stream failed', MAX_MESSAGE);
      this.#connection.sendFrames([errorFrame(stream.id, message)], this.#tally);
      this.#send('stream.error', { ...base, streamId: stream.id, error: message });
    }
  }

  #streamChunk(fromActor: string, fromPort: string, toActor: string, toPort: string, chunk: Uint8Array): void {
    const stream = this.#streamsByPort.get(`${fromActor}\0${fromPort}`);
    if (!stream) return;
    const via = `${toActor}\0${toPort}`;
    stream.via ??= via;
    if (stream.via === via) this.#connection.sendFrames(dataFrames(stream.id, chunk), this.#tally);
  }

  async finish(outcome: ExecutionOutcome): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    // Failures whose counters never moved (e.g. in setup) still reach Zeal.
    for (const actorId of [...this.#errors.keys()]) this.#failed(actorId);
    const run = this.#run;
    const { executed, failed } = nodeCounts(outcome, this.#seen);
    const duration = Math.round(outcome.durationMs);
    if (outcome.status === 'completed') {
      this.#send('execution.completed', {
        data: { sessionId: run.sessionId, duration, nodesExecuted: executed, summary: { successCount: executed - failed, errorCount: failed, warningCount: 0 } },
      }, true);
    } else {
      const error: Record<string, string> = { message: clip(outcome.error?.message ?? `run ${outcome.status}`, MAX_MESSAGE) };
      if (outcome.error?.code) error.code = outcome.error.code;
      if (outcome.error?.nodeId) error.nodeId = run.mapping.node(outcome.error.nodeId).nodeId;
      this.#send('execution.failed', { data: { sessionId: run.sessionId, duration, error } }, true);
    }
    await this.#connection.settled(this.#tally);
  }

  abandon(): void {
    this.#finished = true;
    this.#connection.abandon(this.#tally);
  }

  report(): ZipReport {
    const t = this.#tally;
    const stats = this.#connection.stats();
    const report: ZipReport = {
      workflowId: this.#run.workflowId,
      delivered: t.acknowledged, dropped: t.dropped + t.lost + t.framesDropped,
      queued: t.queued, sent: t.sent, acknowledged: t.acknowledged, rejected: t.rejected, lost: t.lost,
      framesSent: t.framesSent, framesDropped: t.framesDropped, coalesced: this.#coalesced, connection: stats.state,
    };
    const lastError = stats.lastRejection ? `${stats.lastRejection.code}: ${stats.lastRejection.message}` : stats.lastError;
    if (lastError) report.lastError = clip(lastError, 300);
    return report;
  }
}
