// One started network of an FBP graph. network:start submits the graph (the very Graph object the
// graph protocol edits) to the server's ExecutionEngine as a long-lived run with source 'fbp':
// the engine builds, runs, records and stops it like any other run, and the Network follows the
// Graph's change events, so edits apply live. This class turns the run's events into FBP frames:
// network:started/status/stopped, network:data with NoFlo edge ids, processerror, output, and
// runtime:packet for values reaching exported outports; it also feeds runtime:packet input in.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Graph, GraphInitial, Network, NetworkEvent, PortRef, Subscription } from '@actorflow/network';
import type { ExecutionEngine } from '../engine/engine.ts';
import type { Execution } from '../engine/execution.ts';
import { toPlain } from '../json-values.ts';
import { isTerminal } from '../run-record.ts';
import { fbpPort } from './graph-frames.ts';
import { edgeId, FbpError } from './protocol.ts';

/** Largest packet shown in a network:data frame, in bytes; larger ones are summarised. */
export const MAX_DATA_BYTES = 64 * 1024;
/** Status changes (idle ↔ running) are reported at most this often; the last one always is. */
const STATUS_INTERVAL_MS = 100;
/** How long runtime:packet waits for a network that is still running its setup hooks. */
const START_WAIT_MS = 30_000;
/** Network events buffered for the session before the hub drops (and counts) them. */
const EVENT_BUFFER = 100_000;
/** Stack lines kept in a network:processerror. */
const STACK_LINES = 3;

/** Which way a data frame may go: to clients (sampled), to the trace (every one). */
export interface Admission {
  send: boolean;
  trace: boolean;
}

/** Where the frames of a session go (the hosted graph: sampling, trace, broadcast). */
export interface SessionSink {
  /** Decides, before the frame is built, whether a data frame on edge `id` is wanted at all. */
  admitData(id: string): Admission | null;
  data(payload: Record<string, unknown>, admission: Admission): void;
  /** A network:* frame other than data; `sample` names its rate-limit key when it may be dropped. */
  network(command: string, payload: Record<string, unknown>, options?: { sample?: string; request?: unknown }): void;
  /** A value reached an exported outport (runtime:packet). */
  packet(payload: Record<string, unknown>): void;
}

interface EdgeView {
  id: string;
  src: ReturnType<typeof fbpPort>;
  tgt: ReturnType<typeof fbpPort>;
  subgraph?: string[];
  secure: boolean;
}

export interface SessionOptions {
  engine: ExecutionEngine;
  /** FBP id of the graph. */
  graphId: string;
  graph: Graph;
  sink: SessionSink;
  /** Timeout of the run (the server's longest allowed). */
  timeoutMs: number;
  /** The network:start request, handed back with the network:started frame. */
  request?: unknown;
}

export class NetworkSession {
  /** Id of the engine run. */
  readonly executionId = `fbp_${randomUUID()}`;
  /** Settles once the engine accepted (or refused) the run. */
  readonly submitted: Promise<void>;
  readonly #o: SessionOptions;
  readonly #initials: GraphInitial[];
  readonly #startedAt = Date.now();
  #network: Network | undefined;
  #ended = false;
  #subscriptions: Subscription[] = [];
  #detach: (() => void)[] = [];
  #edges = new Map<string, EdgeView>();
  #statusTimer: NodeJS.Timeout | undefined;
  #lastStatusAt = 0;
  #stopRequest: unknown;
  readonly #endedPromise: Promise<void>;
  #resolveEnded!: () => void;

  /**
   * Submits the graph to the engine. The session counts as started at once (start was issued), so
   * a second network:start or a stop arriving meanwhile sees it; `submitted` rejects (ApiError:
   * INVALID_GRAPH, QUEUE_FULL, SHUTTING_DOWN…) when the engine refuses the run, and the session
   * then counts as ended.
   */
  constructor(options: SessionOptions) {
    this.#o = options;
    // The network delivers the IIPs the graph holds now; they are shown once it has started.
    this.#initials = [...options.graph.initials];
    this.#endedPromise = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.submitted = this.#submit();
  }

  async #submit(): Promise<void> {
    const { engine } = this.#o;
    // The run's execution is announced during submit(), before its network emits anything.
    const off = engine.onExecution((exec) => {
      if (exec.id !== this.executionId) return;
      off();
      this.#attach(exec);
    });
    try {
      await engine.submit({
        graph: this.#o.graph, source: 'fbp', keepAlive: true,
        metadata: { execution_id: this.executionId, workflow_id: this.#o.graphId, timeout_ms: this.#o.timeoutMs },
        paths: { graph: '$.graph', input: '$.input' },
      });
    } catch (err) {
      off();
      this.#ended = true;
      this.#resolveEnded();
      throw err;
    }
  }

  /** Start was issued and the network has not stopped. */
  get started(): boolean {
    return !this.#ended;
  }

  /** The network is processing right now (not idle, not waiting in the run queue). */
  get running(): boolean {
    const status = this.#network?.status;
    return !this.#ended && (status === 'starting' || status === 'running');
  }

  /** Seconds since start. */
  get uptime(): number {
    return (Date.now() - this.#startedAt) / 1000;
  }

  /** Stops the network; `stopRequest` is handed back with the network:stopped frame it causes. */
  async stop(stopRequest?: unknown): Promise<void> {
    if (this.#ended) return;
    this.#stopRequest = stopRequest;
    // A start still being submitted is cancelled once its run exists.
    await this.submitted.catch(() => undefined);
    if (this.#ended) return;
    try {
      await this.#o.engine.cancel(this.executionId, { code: 'STOPPED', message: 'stopped by an FBP client (network:stop)' });
    } catch {
      // It ended on its own meanwhile (RUN_FINISHED): network:stopped is sent all the same.
    }
    await this.#endedPromise;
  }

  /** Sends a value to an exported inport; resolves once the inport's inbox took it (backpressure). */
  async send(port: string, value: unknown): Promise<void> {
    const { graph, graphId } = this.#o;
    const name = graph.portName(port);
    if (!graph.inports.has(name)) {
      throw new FbpError(`graph '${graphId}' has no exported inport '${port}'; exported inports: ${[...graph.inports.keys()].join(', ') || '(none: add one with graph:addinport)'}`);
    }
    await this.submitted;
    if (!this.#ended && this.#network === undefined) {
      throw new FbpError(`graph '${graphId}' is waiting for a free run slot (ACTORFLOW_MAX_CONCURRENT_RUNS); send packets once network:started arrives`);
    }
    const deadline = Date.now() + START_WAIT_MS;
    // A network still running its setup hooks takes input once they are done.
    while (!this.#ended && (this.#network?.status === 'created' || this.#network?.status === 'starting')) {
      if (Date.now() > deadline) throw new FbpError(`graph '${graphId}': the network did not finish starting within ${START_WAIT_MS / 1000} s`);
      await sleep(5);
    }
    const net = this.#network;
    if (this.#ended || !net || (net.status !== 'running' && net.status !== 'idle')) {
      throw new FbpError(`graph '${graphId}' is not running; start it with network:start first`);
    }
    // A full inbox: wait for room (or for the network to stop, which ends the wait too).
    if (!net.send(name, value)) await Promise.race([net.drained(name), this.#endedPromise]);
  }

  /** Graph edits the running network could not follow so far. */
  liveEditFailures(): number {
    return this.#network?.liveEditFailures().length ?? 0;
  }

  /** The message of the latest live-edit failure when there were more than `since`. */
  liveEditFailure(since: number): string | undefined {
    const failures = this.#network?.liveEditFailures() ?? [];
    return failures.length > since ? failures[failures.length - 1].error.message : undefined;
  }

  /** Shows an IIP added while the network runs (it delivers it at once) as a data frame. */
  showInitial(iip: GraphInitial): void {
    if (this.#network && !this.#ended) this.#data(edgeId(null, iip.tgt), () => ({ tgt: fbpPort(iip.tgt) }), iip.data, 0, false);
  }

  // ------------------------------------------------------------------ engine side

  #attach(exec: Execution): void {
    const unwatch = exec.onStatus((status) => {
      if (status === 'Running' && exec.network) this.#follow(exec.network);
      else if (isTerminal(status)) {
        unwatch();
        this.#end(exec);
      }
    });
  }

  #follow(net: Network): void {
    this.#network = net;
    // One subscription keeps state changes and packets in the order they happened (idle after the
    // packets that led to it). The listener is cheap (most packets are only counted by the
    // sampler), so its buffer only fills if the event loop starves; getstatus reads the live state.
    this.#subscriptions.push(net.events.subscribe((event) => this.#onEvent(event), {
      types: ['NetworkStarted', 'NetworkIdle', 'NetworkActive', 'ActorFailed', 'ActorLog', 'MessageSent'], bufferSize: EVENT_BUFFER,
    }));
    this.#detach.push(
      net.onOutput((port, value) => this.#o.sink.packet({ port, event: 'data', graph: this.#o.graphId, payload: toPlain(value) })),
      this.#o.graph.on(() => this.#edges.clear()),
    );
  }

  #onEvent(event: NetworkEvent): void {
    if (this.#ended) return;
    const { sink, graphId } = this.#o;
    switch (event._type) {
      case 'NetworkStarted':
        sink.network('started', { time: new Date(event.timestamp).toISOString(), graph: graphId, started: true, running: this.running }, { request: this.#o.request });
        for (const iip of this.#initials) this.#data(edgeId(null, iip.tgt), () => ({ tgt: fbpPort(iip.tgt) }), iip.data, 0, false);
        return;
      case 'NetworkIdle':
      case 'NetworkActive':
        this.#reportStatus();
        return;
      case 'MessageSent': {
        const edge = this.#edge(event.fromActor, event.fromPort, event.toActor, event.toPort, event.toIndex);
        this.#data(edge.id, () => ({ src: edge.src, tgt: edge.tgt, ...(edge.subgraph ? { subgraph: edge.subgraph } : {}) }), event.message, event.size, edge.secure);
        return;
      }
      case 'ActorFailed': {
        if (event.willRetry) return;
        const stack = event.error.stack?.split('\n').slice(1, 1 + STACK_LINES).join('\n');
        sink.network('processerror', { id: event.actorId, error: stack ? `${event.error.message}\n${stack}` : event.error.message, graph: graphId }, { sample: 'processerror' });
        return;
      }
      case 'ActorLog':
        sink.network('output', { message: `${event.actorId}: ${event.message}`, type: 'message' }, { sample: 'output' });
        return;
      default:
        return;
    }
  }

  /** A data frame, built only when the trace or a client wants it. */
  #data(id: string, ends: () => Record<string, unknown>, message: unknown, size: number, secure: boolean): void {
    const admission = this.#o.sink.admitData(id);
    if (!admission) return;
    // Secure edges never show their packets (NoFlo's convention); huge packets are summarised.
    const data = secure ? 'DATA' : size > MAX_DATA_BYTES ? `[packet of ${size} bytes not shown]` : toPlain(message);
    this.#o.sink.data({ id, graph: this.#o.graphId, ...ends(), data }, admission);
  }

  /** How an edge looks to FBP clients, from the graph when the edge is in it (index, `secure`). */
  #edge(fromActor: string, fromPort: string, toActor: string, toPort: string, toIndex: number | undefined): EdgeView {
    const key = `${fromActor}\0${fromPort}\0${toActor}\0${toPort}\0${toIndex ?? ''}`;
    let view = this.#edges.get(key);
    if (view) return view;
    const graph = this.#o.graph;
    const edge = graph.edges.find((e) => e.src.node === fromActor && e.src.port === fromPort && e.tgt.node === toActor && e.tgt.port === toPort && e.tgt.index === toIndex);
    if (edge) {
      view = { id: edgeId(edge.src, edge.tgt), src: fbpPort(edge.src), tgt: fbpPort(edge.tgt), secure: edge.metadata.secure === true };
    } else {
      // An edge inside a subgraph: its actors are `parent/inner`.
      const split = (actor: string): { node: string; path: string[] } => {
        if (graph.nodes.has(actor)) return { node: actor, path: [] };
        const parts = actor.split('/');
        return { node: parts.pop()!, path: parts };
      };
      const from = split(fromActor);
      const to = split(toActor);
      const src: PortRef = { node: from.node, port: fromPort };
      const tgt: PortRef = toIndex === undefined ? { node: to.node, port: toPort } : { node: to.node, port: toPort, index: toIndex };
      const path = from.path.length ? from.path : to.path;
      view = { id: edgeId(src, tgt), src: fbpPort(src), tgt: fbpPort(tgt), secure: false, ...(path.length ? { subgraph: path } : {}) };
    }
    this.#edges.set(key, view);
    return view;
  }

  /** network:status on idle ↔ running changes, at most every STATUS_INTERVAL_MS (the latest state always). */
  #reportStatus(): void {
    if (this.#statusTimer) return;
    const wait = this.#lastStatusAt + STATUS_INTERVAL_MS - Date.now();
    const send = () => {
      this.#statusTimer = undefined;
      if (this.#ended) return;
      this.#lastStatusAt = Date.now();
      this.#o.sink.network('status', { graph: this.#o.graphId, running: this.running, started: true });
    };
    if (wait <= 0) send();
    else this.#statusTimer = setTimeout(send, wait);
  }

  #end(exec: Execution): void {
    this.#ended = true;
    clearTimeout(this.#statusTimer);
    for (const sub of this.#subscriptions) sub.unsubscribe();
    for (const detach of this.#detach) detach();
    const { sink, graphId } = this.#o;
    const record = exec.record();
    if (record.status === 'Failed' && record.error) sink.network('error', { message: record.error.message, graph: graphId });
    sink.network('stopped', { time: new Date().toISOString(), uptime: this.uptime, graph: graphId, running: false, started: false }, { request: this.#stopRequest });
    this.#resolveEnded();
  }
}
