// Network: a running graph. Builds one actor instance per node from the plan, wires bounded
// channels (fan-out, IIPs, exported ports), runs them on the scheduler, detects completion,
// applies live graph edits, and reports everything as events.
import { randomUUID } from 'node:crypto';
import type { ComponentRegistry } from '../actor/registry.ts';
import { ActorflowError, NetworkStateError, ValidationError } from '../errors.ts';
import { formatRef, Graph } from '../graph/graph.ts';
import { readGraph } from '../graph/json.ts';
import { validateGraph } from '../graph/validate.ts';
import type { GraphChange, PortRef } from '../graph/types.ts';
import { Channel, type ChannelProducer } from './channel.ts';
import { EventHub } from './event-hub.ts';
import { errorInfo, type ErrorInfo, type NetworkShutdownReason } from './events.ts';
import { NodeRunner, type FailurePhase, type RunnerHost } from './node-runner.ts';
import { buildPlan, MAIN_THREAD, type Plan, type PlanBuilder, type PlannedEdge, type PlannedNode } from './plan.ts';
import { Waits } from './deadlock.ts';
import { Scheduler } from './scheduler.ts';
import type { ThreadPartitions } from '../threads/partitions.ts';
import type {
  ActorErrorRecord, NetworkOptions, NetworkStats, NetworkStatus, RunOptions, RunResult,
} from './types.ts';

/** Default inbox capacity of a connection, in messages. */
export const DEFAULT_CAPACITY = 256;

/** What aborts actors' signals when a network stops, by reason (made once: networks stop often). */
const STOPPED: Record<NetworkShutdownReason, ActorflowError> = Object.fromEntries(
  (['completed', 'stopped', 'failed', 'timeout'] as const).map((r) => [r, new ActorflowError('NETWORK_STOPPED', `the network stopped (${r})`, '')]),
) as Record<NetworkShutdownReason, ActorflowError>;

/** The producer of exported-inport channels: `send()` returns the drain promise itself. */
const EXTERNAL: ChannelProducer = { onChannelFull() {}, onChannelDrained() {} };

export class Network implements RunnerHost {
  readonly id: string;
  readonly graph: Graph;
  readonly events: EventHub;
  readonly scheduler: Scheduler;
  readonly timing: boolean;
  pending = 0;
  readonly #options: Required<Pick<NetworkOptions, 'capacity' | 'policy' | 'onError' | 'resultLimit' | 'stopGraceMs'>> & NetworkOptions;
  readonly #registry: ComponentRegistry;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #runners = new Map<string, NodeRunner>();
  /** IIP channels by target. */
  readonly #iipChannels = new Map<string, Channel>();
  /** Exported inport channels by public name. */
  readonly #inputs = new Map<string, Channel>();
  readonly #results = new Map<string, unknown[]>();
  #outputs = 0;
  readonly #errors: ActorErrorRecord[] = [];
  readonly #liveEditFailures: { change: string; error: ErrorInfo }[] = [];
  #started!: () => void;
  readonly #startedPromise = new Promise<void>((resolve) => (this.#started = resolve));
  readonly waits = new Waits();
  readonly #abort = new AbortController();
  readonly #outputListeners: ((port: string, value: unknown) => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  #status: NetworkStatus = 'created';
  /** The plan, until the network is instantiated (thread partitions are built from it). */
  #plan: Plan | null;
  readonly #initials: Plan['initials'];
  #builder: PlanBuilder;
  #threads: ThreadPartitions | null = null;
  #failure: unknown = null;
  #stopping: Promise<void> | null = null;
  #shutdownReason: NetworkShutdownReason = 'stopped';
  #startedAt = 0;
  #unfollow: (() => void) | null = null;
  #closedDropped = 0;

  /**
   * Builds a network from a Graph or a graph document (JSON object or text, `.fbp` text).
   * Throws ValidationError listing every problem (unknown components or ports, bad config, missing
   * env vars, …) — nothing starts until the graph is valid.
   */
  static async create(source: Graph | unknown, options: NetworkOptions): Promise<Network> {
    const env = options.env ?? process.env;
    const { graph, problems } = source instanceof Graph
      ? { graph: source, problems: validateGraph(source, options.registry, { env }) }
      : readGraph(source, { registry: options.registry, env });
    if (problems.some((p) => p.severity === 'error')) throw new ValidationError(`graph '${graph.name || '(unnamed)'}'`, problems);
    const net = new Network(graph, options, env);
    await net.#initThreads();
    return net;
  }

  private constructor(graph: Graph, options: NetworkOptions, env: Readonly<Record<string, string | undefined>>) {
    this.id = options.id ?? randomUUID();
    this.graph = graph;
    this.#options = { capacity: DEFAULT_CAPACITY, policy: 'block', onError: 'stop', resultLimit: 10_000, stopGraceMs: 1000, ...options };
    this.#registry = options.registry;
    this.#env = env;
    this.timing = options.timing ?? true;
    this.events = new EventHub();
    this.scheduler = new Scheduler(() => this.checkIdle(), () => this.#wake());
    const { plan, problems, builder } = buildPlan(graph, { registry: this.#registry, env, capacity: this.#options.capacity, policy: this.#options.policy });
    if (problems.some((p) => p.severity === 'error')) throw new ValidationError(`graph '${graph.name || '(unnamed)'}'`, problems);
    this.#plan = plan;
    this.#initials = plan.initials;
    this.#builder = builder;
    this.#instantiate(plan);
    if (options.live !== false) this.#unfollow = graph.on((change) => this.#applyLive(change));
  }

  // ------------------------------------------------------------------ building

  /** Creates the runners of main-thread nodes and wires everything between them; worker threads wire the rest. */
  #instantiate(plan: Plan): void {
    for (const node of plan.nodes.values()) if (node.settings.thread === MAIN_THREAD) this.#addRunner(node);
    for (const edge of plan.edges) this.#connect(edge);
    for (const iip of plan.initials) this.#iipChannel(iip.tgt);
    for (const [name, ref] of plan.inports) this.#addInput(name, ref);
    for (const [name, ref] of plan.outports) this.#addExport(name, ref);
  }

  /** Registers the channel behind an exported inport (worker threads provide theirs). */
  attachInput(name: string, channel: Channel): void {
    this.#inputs.set(name, channel);
  }

  /** Plan of the network (thread partitions build from it, while the network is being created). */
  get plan(): Plan {
    if (!this.#plan) throw new NetworkStateError('PLAN_RELEASED', 'the plan is released once the network is built', 'this is a bug');
    return this.#plan;
  }

  /** The main-thread runner of a node. */
  runner(id: string): NodeRunner | undefined {
    return this.#runners.get(id);
  }

  #addRunner(node: PlannedNode): NodeRunner {
    const runner = new NodeRunner(node.id, node.def, node.ports, node.config, node.env, node.settings, this);
    this.#runners.set(node.id, runner);
    return runner;
  }

  #connect(edge: PlannedEdge): Channel | undefined {
    const src = this.#runners.get(edge.src.node);
    const tgt = this.#runners.get(edge.tgt.node);
    if (!src || !tgt) return undefined;
    const channel = new Channel(edge.src, edge.tgt, tgt, src, edge.capacity, edge.policy);
    tgt.attachInput(channel);
    src.attachOutput(channel);
    return channel;
  }

  #iipChannel(tgt: PortRef): Channel | undefined {
    const key = formatRef(tgt);
    let channel = this.#iipChannels.get(key);
    if (channel) return channel;
    const runner = this.#runners.get(tgt.node);
    if (!runner) return undefined;
    channel = new Channel({ node: '', port: 'IIP' }, tgt, runner, null, Number.POSITIVE_INFINITY, 'block');
    runner.attachInput(channel);
    this.#iipChannels.set(key, channel);
    return channel;
  }

  #addInput(name: string, ref: PortRef): void {
    const runner = this.#runners.get(ref.node);
    if (!runner) return;
    const channel = new Channel({ node: '', port: name }, ref, runner, EXTERNAL, this.#options.capacity, 'block');
    runner.attachInput(channel);
    this.#inputs.set(name, channel);
  }

  #addExport(name: string, ref: PortRef): void {
    this.#runners.get(ref.node)?.exportOutput(ref.port, name, ref.index);
    if (!this.#results.has(name)) this.#results.set(name, []);
  }

  /**
   * Starts the worker threads (if any node is placed in one), then lets the plan go. The thread
   * subsystem (and piscina) loads only for graphs that use it.
   */
  async #initThreads(): Promise<void> {
    const placed = [...this.plan.nodes.values()].some((n) => n.settings.thread !== MAIN_THREAD);
    if (placed) {
      const { ThreadPartitions } = await import('../threads/partitions.ts');
      this.#threads = await ThreadPartitions.create(this, this.#options.threads ?? {});
    }
    this.#builder.settle(this.#runners);
    this.#plan = null;
  }

  // ------------------------------------------------------------------ status

  get status(): NetworkStatus {
    return this.#status;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get startedAt(): number | undefined {
    return this.#startedAt || undefined;
  }

  /** Node ids of the running actors (subgraph nodes appear as `parent/inner`). */
  nodes(): string[] {
    return [...this.#runners.keys()];
  }

  // ------------------------------------------------------------------ lifecycle

  /** Runs setup hooks, delivers IIPs and starts the actors. Rejects if a setup fails under onError 'stop'. */
  async start(): Promise<void> {
    if (this.#status !== 'created') throw new NetworkStateError('ALREADY_STARTED', `network ${this.id} is ${this.#status}`, 'create a new Network to run the graph again');
    this.#status = 'starting';
    this.#startedAt = Date.now();
    this.#emitSimple('NetworkStarted');
    await Promise.all([...this.#runners.values()].map((r) => r.setup()));
    await this.#threads?.start();
    if (this.#failure !== null) {
      await this.stop('failed');
      throw this.#failure;
    }
    for (const iip of this.#initials) this.#iipChannel(iip.tgt)?.push(iip.data);
    this.#status = 'running';
    for (const r of this.#runners.values()) r.activate();
    this.#threads?.activate();
    this.#started();
    this.checkIdle();
  }

  /** Resolves once the network has started (setup hooks done, IIPs delivered), or has stopped. */
  whenStarted(): Promise<void> {
    return this.#startedPromise;
  }

  /**
   * Sends a value to an exported inport. Returns false when its inbox is now full: await
   * `drained(port)` before sending more.
   */
  send(port: string, value: unknown): boolean {
    const channel = this.#input(port);
    if (this.#status !== 'running' && this.#status !== 'idle') {
      throw new NetworkStateError('NOT_RUNNING', `cannot send to '${port}': network is ${this.#status}`, 'call start() first');
    }
    channel.push(value);
    return !channel.full;
  }

  /** Resolves when the exported inport's inbox has room again. */
  drained(port: string): Promise<void> {
    return this.#input(port).drained();
  }

  #input(port: string): Channel {
    const channel = this.#inputs.get(this.graph.portName(port));
    if (!channel) {
      throw new ActorflowError('UNKNOWN_PORT', `network has no exported inport '${port}'`, `exported inports: ${[...this.#inputs.keys()].join(', ') || '(none)'}`);
    }
    return channel;
  }

  /** Calls `listener` for every value reaching an exported outport; returns the unsubscribe function. */
  onOutput(listener: (port: string, value: unknown) => void): () => void {
    this.#outputListeners.push(listener);
    return () => {
      const i = this.#outputListeners.indexOf(listener);
      if (i >= 0) this.#outputListeners.splice(i, 1);
    };
  }

  /** Resolves when every actor is idle and nothing is in flight (or the network stopped). */
  whenIdle(): Promise<void> {
    if (this.#status === 'idle' || this.#status === 'stopped' || this.#status === 'failed') return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops everything: aborts every actor's signal, runs teardown hooks, ends worker threads. */
  stop(reason: NetworkShutdownReason = 'stopped'): Promise<void> {
    if (this.#stopping) return this.#stopping;
    this.#shutdownReason = reason;
    this.#stopping = this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const wasStarted = this.#status !== 'created';
    this.#status = 'stopping';
    this.#abort.abort(STOPPED[this.#shutdownReason]);
    this.#unfollow?.();
    this.scheduler.clear();
    for (const r of this.#runners.values()) r.deactivate();
    const grace = this.#options.stopGraceMs;
    const deadline = Date.now() + grace;
    while (this.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (wasStarted) {
      const teardowns = Promise.all([...this.#runners.values()].map((r) => r.teardown()));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([teardowns, new Promise((r) => { timer = setTimeout(r, Math.max(0, deadline - Date.now())); })]);
      clearTimeout(timer);
    }
    await this.#threads?.stop(Math.max(50, deadline - Date.now()));
    this.#status = this.#failure !== null ? 'failed' : 'stopped';
    this.#started();
    const error = this.#failure !== null ? { error: errorInfo(this.#failure) } : {};
    if (this.events.wants.NetworkShutdown) this.events.emit({ _type: 'NetworkShutdown', timestamp: Date.now(), reason: this.#failure !== null ? 'failed' : this.#shutdownReason, ...error });
    this.#resolveIdle();
  }

  /**
   * Runs the graph to completion: start, deliver `input` to exported inports, wait until idle,
   * stop. Resolves with the status, the values that reached exported outports, errors and stats.
   */
  async run(options: RunOptions = {}): Promise<RunResult> {
    let result = await this.#runOnce(options);
    let attempts = 1;
    while (result.status === 'failed' && attempts <= (options.retries ?? 0) && !options.signal?.aborted) {
      const net = new Network(this.graph, { ...this.#options, live: false, id: `${this.id}#${attempts + 1}` }, this.#env);
      net.#shareEvents(this.events);
      await net.#initThreads();
      result = await net.#runOnce(options);
      attempts++;
    }
    return { ...result, attempts };
  }

  /** Resolves when the network is told to stop (cancel, timeout, failure, stop()). */
  #aborted(): Promise<void> {
    const signal = this.#abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  #shareEvents(hub: EventHub): void {
    (this as { events: EventHub }).events = hub;
  }

  async #runOnce(options: RunOptions): Promise<RunResult> {
    const { signal, timeoutMs } = options;
    let outcome: RunResult['status'] | null = null;
    const cancel = (status: RunResult['status']) => {
      if (outcome === null) outcome = status;
      void this.stop(status === 'timeout' ? 'timeout' : 'stopped');
    };
    const onAbort = () => cancel('cancelled');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = timeoutMs !== undefined ? setTimeout(() => cancel('timeout'), timeoutMs) : undefined;
    try {
      if (outcome === null) {
        await this.start();
        for (const [port, value] of Object.entries(options.input ?? {})) {
          if (this.#status !== 'running' && this.#status !== 'idle') break;
          if (!this.send(port, value)) await this.drained(port);
        }
        if (options.untilStopped) await this.#aborted();
        else await this.whenIdle();
      }
    } catch (err) {
      if (this.#failure === null && outcome === null) this.#failure = err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    }
    await this.stop(this.#failure !== null ? 'failed' : 'completed');
    const finishedAt = Date.now();
    const status: RunResult['status'] = this.#failure !== null ? 'failed' : outcome ?? 'completed';
    const startedAt = this.#startedAt || finishedAt;
    const errors = [...this.#errors];
    if (this.#failure !== null && !errors.some((e) => !e.handled)) {
      errors.push({ actorId: '', component: '', error: errorInfo(this.#failure), timestamp: finishedAt, handled: false });
    }
    return { status, results: this.results(), errors, stats: this.stats(), startedAt, finishedAt, durationMs: finishedAt - startedAt, attempts: 1 };
  }

  // ------------------------------------------------------------------ RunnerHost

  checkIdle(): void {
    if (this.#status !== 'running' || this.scheduler.busy) return;
    if (this.waits.breakDeadlock(this.scheduler)) return;
    if (this.pending > 0 || this.waits.blocked.size > 0) return;
    if (this.#threads && !this.#threads.idle) return;
    this.#status = 'idle';
    this.#emitSimple('NetworkIdle');
    this.#resolveIdle();
  }

  #wake(): void {
    if (this.#status !== 'idle') return;
    this.#status = 'running';
    this.#emitSimple('NetworkActive');
  }

  #resolveIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  onActorFailure(runner: NodeRunner | { id: string; component: string }, error: unknown, _phase: FailurePhase | 'thread', handled: boolean): void {
    this.#errors.push({ actorId: runner.id, component: runner.component, error: errorInfo(error), timestamp: Date.now(), handled });
    if (handled || this.#options.onError === 'continue' || this.#failure !== null) return;
    if (this.#status === 'stopping' || this.#status === 'stopped') return;
    this.#failure = error;
    if (this.#status !== 'starting') void this.stop('failed');
  }

  recordOutput(port: string, value: unknown): void {
    this.#outputs++;
    const kept = this.#results.get(port);
    if (kept && kept.length < this.#options.resultLimit) kept.push(value);
    if (this.events.wants.NetworkOutput) this.events.emit({ _type: 'NetworkOutput', port, message: value, size: 0, timestamp: Date.now() });
    for (const l of this.#outputListeners) l(port, value);
  }

  #emitSimple(type: 'NetworkStarted' | 'NetworkIdle' | 'NetworkActive'): void {
    if (this.events.wants[type]) this.events.emit({ _type: type, timestamp: Date.now() });
  }

  // ------------------------------------------------------------------ results

  /** Values that reached each exported outport (at most `resultLimit` per port). */
  results(): Record<string, unknown[]> {
    return Object.fromEntries([...this.#results].map(([k, v]) => [k, [...v]]));
  }

  errors(): ActorErrorRecord[] {
    return [...this.#errors];
  }

  /** The error that failed the network, if any. */
  get failure(): ErrorInfo | undefined {
    return this.#failure === null ? undefined : errorInfo(this.#failure);
  }

  stats(): NetworkStats {
    const nodes: NetworkStats['nodes'] = {};
    for (const [id, r] of this.#runners) nodes[id] = r.snapshot();
    if (this.#threads) Object.assign(nodes, this.#threads.stats());
    let messages = 0;
    let dropped = this.#closedDropped;
    const connections = [];
    for (const r of this.#runners.values()) {
      for (const c of r.outputChannels()) {
        if (!(c.consumer instanceof NodeRunner)) continue; // a link to a worker: its far end reports it
        messages += c.delivered;
        dropped += c.dropped;
        connections.push(c.traffic());
      }
    }
    if (this.#threads) connections.push(...this.#threads.connections());
    return { nodes, connections, messages: messages + (this.#threads?.messages() ?? 0), dropped, outputs: this.#outputs };
  }

  // ------------------------------------------------------------------ live edits

  #applyLive(change: GraphChange): void {
    if (this.#status === 'stopping' || this.#status === 'stopped' || this.#status === 'failed') return;
    try {
      this.#applyChange(change);
    } catch (err) {
      this.#liveEditFailures.push({ change: change._type, error: errorInfo(err) });
      if (this.events.wants.LiveEditFailed) this.events.emit({ _type: 'LiveEditFailed', change: change._type, error: errorInfo(err), timestamp: Date.now() });
    }
  }

  /** Graph edits the running network could not follow (see the LiveEditFailed event). */
  liveEditFailures(): { change: string; error: ErrorInfo }[] {
    return [...this.#liveEditFailures];
  }

  #applyChange(change: GraphChange): void {
    switch (change._type) {
      case 'AddNode': {
        const { node } = change;
        const problems = this.#builder.problems.length;
        this.#builder.addNode(node.id, node.component, node.metadata, typeof node.metadata.thread === 'string' ? node.metadata.thread : MAIN_THREAD);
        const fresh = this.#builder.problems.slice(problems);
        if (fresh.length > 0) throw new ValidationError(`live edit: node '${node.id}'`, fresh);
        for (const planned of this.#builder.nodes.values()) {
          if (planned.settings.thread !== MAIN_THREAD) throw new ActorflowError('LIVE_THREAD', `live edit: node '${planned.id}' is placed in thread '${planned.settings.thread}'`, 'thread placement applies when the network is created; restart the network');
          const runner = this.#addRunner(planned);
          void this.#startLate(runner);
        }
        this.#builder.settle(this.#runners);
        for (const edge of this.#builder.innerEdges.splice(0)) this.#connect(edge);
        for (const iip of this.#builder.innerInitials.splice(0)) this.#iipChannel(iip.tgt)?.push(iip.data);
        return;
      }
      case 'RenameNode': {
        this.#renameRunners(change.old, change.new);
        return;
      }
      case 'RemoveNode': {
        const ids = [...this.#runners.keys()].filter((id) => id === change.node.id || id.startsWith(`${change.node.id}/`));
        for (const id of ids) this.#removeRunner(id);
        this.#builder.boundaries.delete(change.node.id);
        return;
      }
      case 'AddConnection': {
        if (this.#threads?.owns(change.edge.src.node) || this.#threads?.owns(change.edge.tgt.node)) {
          throw new ActorflowError('LIVE_THREAD', `live edit: connection ${formatRef(change.edge.src)} -> ${formatRef(change.edge.tgt)} touches a worker thread`, 'restart the network to rewire worker threads');
        }
        const planned = this.#builder.edge(change.edge.src, change.edge.tgt, change.edge.metadata, '', 'live edit');
        if (!planned) throw new ValidationError('live edit: connection', this.#builder.problems.splice(0));
        this.#connect(planned);
        return;
      }
      case 'RemoveConnection': {
        const s = this.#builder.source(change.edge.src, '', 'live edit');
        const t = this.#builder.target(change.edge.tgt, '', 'live edit');
        const port = s ? this.#runners.get(s.node)?.outport(s.port) : undefined;
        const channel = t ? port?.channels.find((c) => formatRef(c.to) === formatRef(t)) : undefined;
        if (channel) this.#disconnect(channel);
        return;
      }
      case 'AddInitial': {
        const tgt = this.#builder.target(change.initial.tgt, '', 'live edit');
        if (!tgt) throw new ValidationError('live edit: IIP', this.#builder.problems.splice(0));
        const channel = this.#iipChannel(this.#builder.slotOf(tgt));
        if (this.#status === 'running' || this.#status === 'idle') channel?.push(change.initial.data);
        return;
      }
      case 'AddInport': {
        const ref = this.#builder.target(change.port, '', 'live edit');
        if (ref) this.#addInput(change.port.name, ref);
        return;
      }
      case 'RemoveInport': {
        const channel = this.#inputs.get(change.port.name);
        if (channel) {
          this.#inputs.delete(change.port.name);
          this.#runners.get(channel.to.node)?.detachInput(channel);
          channel.close();
        }
        return;
      }
      case 'RenameInport': {
        const channel = this.#inputs.get(change.old);
        if (channel) {
          this.#inputs.delete(change.old);
          this.#inputs.set(change.new, channel);
        }
        return;
      }
      case 'AddOutport': {
        const ref = this.#builder.source(change.port, '', 'live edit');
        if (ref) this.#addExport(change.port.name, ref);
        return;
      }
      case 'RemoveOutport':
      case 'RenameOutport': {
        const name = change._type === 'RemoveOutport' ? change.port.name : change.old;
        const rename = change._type === 'RenameOutport' ? change.new : undefined;
        for (const r of this.#runners.values()) r.unexportOutput(name, rename);
        if (change._type === 'RenameOutport') {
          this.#results.set(change.new, this.#results.get(change.old) ?? []);
          this.#results.delete(change.old);
        }
        return;
      }
      default:
        return; // metadata, groups, properties and transactions don't change a running network
    }
  }

  /** A node was renamed: its runner (and a subgraph's inner runners, `old/…`) take the new id. */
  #renameRunners(oldId: string, newId: string): void {
    const renamed = new Map<string, string>();
    for (const id of this.#runners.keys()) {
      if (id === oldId) renamed.set(id, newId);
      else if (id.startsWith(`${oldId}/`)) renamed.set(id, newId + id.slice(oldId.length));
    }
    for (const [from, to] of renamed) {
      const runner = this.#runners.get(from)!;
      this.#runners.delete(from);
      runner.id = to;
      this.#runners.set(to, runner);
    }
    // Top-level connections share the graph's port references (already renamed); fix the copies.
    const fix = (ref: PortRef) => {
      const to = renamed.get(ref.node);
      if (to !== undefined) ref.node = to;
    };
    for (const runner of this.#runners.values()) {
      for (const p of runner.inports) for (const c of p.channels) {
        fix(c.from);
        fix(c.to);
      }
    }
    for (const [key, channel] of [...this.#iipChannels]) {
      this.#iipChannels.delete(key);
      this.#iipChannels.set(formatRef(channel.to), channel);
    }
    const boundary = this.#builder.boundaries.get(oldId);
    if (boundary) {
      this.#builder.boundaries.delete(oldId);
      for (const m of [boundary.inports, boundary.outports]) for (const ref of m.values()) fix(ref);
      this.#builder.boundaries.set(newId, boundary);
    }
  }

  async #startLate(runner: NodeRunner): Promise<void> {
    if (this.#status === 'created' || this.#status === 'starting') return;
    if (await runner.setup()) runner.activate();
  }

  #removeRunner(id: string): void {
    const runner = this.#runners.get(id);
    if (!runner) return;
    for (const p of runner.inports) for (const c of p.channels) if (c.from.node !== '') this.#disconnect(c);
    for (const c of [...runner.outputChannels()]) this.#disconnect(c);
    for (const [key, channel] of this.#iipChannels) if (channel.to.node === id) this.#iipChannels.delete(key);
    for (const [name, channel] of this.#inputs) if (channel.to.node === id) this.#inputs.delete(name);
    this.#runners.delete(id);
    this.waits.delete(runner);
    void runner.teardown().then(() => this.checkIdle());
  }

  #disconnect(channel: Channel): void {
    this.#runners.get(channel.to.node)?.detachInput(channel);
    this.#runners.get(channel.from.node)?.detachOutput(channel);
    const dropped = channel.close();
    this.#closedDropped += channel.dropped;
    if (dropped > 0 && this.events.wants.MessageDropped) {
      this.events.emit({ _type: 'MessageDropped', fromActor: channel.from.node, fromPort: channel.from.port, toActor: channel.to.node, toPort: channel.to.port, reason: 'removed', count: dropped, timestamp: Date.now() });
    }
    this.checkIdle();
  }
}
