// The FBP runtime: every connected client, every graph they build, and the dispatch of their
// commands. Graphs are shared by all clients (as in NoFlo): a change made by one is echoed to
// every authorized client, the one who asked getting it as its reply (`responseTo`). Commands of
// one connection run one at a time, in order; each failure is answered with `<protocol>:error`.
import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { GraphError, type ComponentRegistry, type GraphChange } from '@actorflow/network';
import type { ExecutionEngine } from '../engine/engine.ts';
import { ApiError } from '../errors.ts';
import { jsonByteLength } from '../json-values.ts';
import { componentCommand } from './component-commands.ts';
import { FbpConnection, parseRequest } from './connection.ts';
import { changesPorts, graphFrames } from './graph-frames.ts';
import { graphCommand } from './graph-commands.ts';
import { HostedGraph, type GraphInfo, type GraphOutput, type SamplingLimits } from './hosted-graph.ts';
import { networkCommand } from './network-commands.ts';
import {
  FbpError, PROTOCOL_VERSION, RUNTIME_TYPE, requiredCapability, runtimeCapabilities,
  type Capability, type FbpFrame, type FbpRequest, type Subprotocol,
} from './protocol.ts';
import { runtimeCommand } from './runtime-commands.ts';
import { PayloadValidator } from './schemas.ts';
import { SourceComponents, type ComponentCompiler } from './source-components.ts';
import { traceCommand } from './trace-commands.ts';

export interface FbpLimits {
  /** Graphs the runtime holds at once. */
  maxGraphs: number;
  maxNodes: number;
  maxEdges: number;
  maxIipBytes: number;
  /** Longest a started network runs before the engine stops it. */
  runTimeoutMs: number;
}

export interface FbpRuntimeOptions {
  engine: ExecutionEngine;
  registry: ComponentRegistry;
  logger: FastifyBaseLogger;
  /** Secret clients must send (ACTORFLOW_FBP_SECRET); empty: none needed. */
  secret: string;
  limits: FbpLimits;
  /** Creates components from source (component:source); null: not allowed. */
  compiler: ComponentCompiler | null;
  /** Per-client send queue (see ws/outbox.ts). */
  queueLimit: number;
  dropLimit: number;
  sampling?: SamplingLimits;
  /** Human-readable name reported by runtime:runtime. */
  label?: string;
}

/** Who gets the reply to a command. */
export interface ReplyTarget {
  connection: FbpConnection;
  requestId: string | undefined;
}

/** One command being carried out. */
export interface Command {
  request: FbpRequest;
  target: ReplyTarget;
  /** Capabilities the command's sender has. */
  permitted: readonly Capability[];
  /** Replies to the sender only. */
  reply(command: string, payload: unknown, protocol?: Subprotocol): void;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Commands of one connection waiting to run before it is closed (a client must read its replies). */
const MAX_WAITING_COMMANDS = 10_000;
/** WebSocket close code for a client breaking the rules. */
const POLICY_VIOLATION = 1008;

/** Replies whose schema is the request's own (input) schema, which has no `responseTo`. */
const WITHOUT_RESPONSE_TO = new Set(['network:edges', 'runtime:packet']);

export class FbpRuntime {
  /** Runtime id (a UUID v4, as the protocol asks), fixed for the life of the server. */
  readonly id = randomUUID();
  readonly registry: ComponentRegistry;
  readonly engine: ExecutionEngine;
  readonly limits: FbpLimits;
  readonly sources: SourceComponents;
  readonly label: string;
  readonly graphs = new Map<string, HostedGraph>();
  /** Id of the last graph cleared with `main: true` (reported by runtime:runtime). */
  mainGraph: string | undefined;
  readonly #o: FbpRuntimeOptions;
  readonly #secret: Buffer | null;
  readonly #capabilities: Capability[];
  readonly #validator = new PayloadValidator();
  readonly #connections = new Set<FbpConnection>();
  readonly #queues = new WeakMap<FbpConnection, Promise<void>>();
  readonly #unlisten = new Map<HostedGraph, () => void>();
  /** The command whose graph edit is being applied (its sender gets the echo as its reply). */
  #editing: ReplyTarget | undefined;

  constructor(options: FbpRuntimeOptions) {
    this.#o = options;
    this.registry = options.registry;
    this.engine = options.engine;
    this.limits = options.limits;
    this.label = options.label ?? 'Actorflow';
    this.#secret = options.secret ? digest(options.secret) : null;
    this.sources = new SourceComponents(options.registry, options.compiler);
    this.#capabilities = runtimeCapabilities(this.sources.enabled);
  }

  // ------------------------------------------------------------------ connections

  /** Serves one WebSocket connection. */
  connect(socket: WebSocket, log: FastifyBaseLogger): FbpConnection {
    const connection = new FbpConnection(socket, log, {
      queueLimit: this.#o.queueLimit,
      dropLimit: this.#o.dropLimit,
      onSlowClose: (dropped) => log.warn({ dropped }, 'disconnected a slow FBP client'),
    }, this.#secret === null);
    this.#connections.add(connection);
    let waiting = 0;
    socket.on('message', (data, isBinary) => {
      if (++waiting > MAX_WAITING_COMMANDS) {
        socket.close(POLICY_VIOLATION, `more than ${MAX_WAITING_COMMANDS} commands waiting; wait for replies before sending more`);
        return;
      }
      const previous = this.#queues.get(connection) ?? Promise.resolve();
      const next = previous.then(() => this.#receive(connection, isBinary ? null : data.toString())).finally(() => waiting--);
      this.#queues.set(connection, next);
    });
    socket.on('close', () => this.#connections.delete(connection));
    socket.on('error', (err) => log.debug({ err }, 'FBP socket error'));
    return connection;
  }

  /** Stops every network the protocol started and closes every connection. */
  async close(code: number, reason: string): Promise<void> {
    await Promise.all([...this.graphs.values()].flatMap((g) => (g.session ? [g.session.stop()] : [])));
    for (const connection of this.#connections) connection.socket.close(code, reason);
  }

  /** The capabilities a secret grants: all when it is right (or none is required), none otherwise. */
  #permitted(secret: string | undefined): readonly Capability[] {
    if (this.#secret === null) return this.#capabilities;
    return secret !== undefined && timingSafeEqual(digest(secret), this.#secret) ? this.#capabilities : [];
  }

  async #receive(connection: FbpConnection, text: string | null): Promise<void> {
    // Commands still queued when their client went away are dropped.
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    let request: FbpRequest;
    try {
      if (text === null) throw new FbpError('binary frames are not part of the protocol; send JSON text frames', { protocol: 'runtime' });
      request = parseRequest(text);
    } catch (err) {
      const protocol = err instanceof FbpError && err.protocol ? err.protocol : 'runtime';
      connection.send({ protocol, command: 'error', payload: { message: (err as Error).message } });
      return;
    }
    const target: ReplyTarget = { connection, requestId: request.requestId };
    const permitted = this.#permitted(request.secret);
    if (permitted.length > 0) connection.authorized = true;
    const cmd: Command = {
      request, target, permitted,
      reply: (command, payload, protocol = request.protocol) => connection.send(this.#frame(protocol, command, payload, target)),
    };
    try {
      const needed = requiredCapability(request.protocol, request.command);
      if (needed !== null && !permitted.includes(needed)) throw this.#notPermitted(request, needed);
      this.#validator.check(request.protocol, request.command, request.payload);
      await this.#dispatch(cmd);
    } catch (err) {
      this.#fail(cmd, err);
    }
  }

  #notPermitted(request: FbpRequest, needed: Capability): FbpError {
    const what = `${request.protocol}:${request.command} is not permitted`;
    if (!this.#capabilities.includes(needed)) {
      return new FbpError(`${what}: this server does not create components from source (set ACTORFLOW_FBP_SOURCE_LANGUAGES to allow it)`);
    }
    return new FbpError(`${what}: send the runtime's secret (ACTORFLOW_FBP_SECRET) as "secret" in the message`);
  }

  #dispatch(cmd: Command): Promise<void> | void {
    switch (cmd.request.protocol) {
      case 'runtime':
        return runtimeCommand(this, cmd);
      case 'graph':
        return graphCommand(this, cmd);
      case 'network':
        return networkCommand(this, cmd);
      case 'component':
        return componentCommand(this, cmd);
      case 'trace':
        return traceCommand(this, cmd);
    }
  }

  /** Answers a failed command with `<protocol>:error`. */
  #fail(cmd: Command, err: unknown): void {
    const { request } = cmd;
    let message: string;
    let protocol: Subprotocol = request.protocol;
    let extra: Record<string, unknown> = {};
    if (err instanceof FbpError) {
      message = err.message;
      protocol = err.protocol ?? protocol;
      extra = err.extra;
    } else if (err instanceof GraphError) {
      message = err.message;
    } else if (err instanceof ApiError) {
      const problems = err.problems?.filter((p) => p.severity === 'error') ?? [];
      message = problems.length
        ? `${request.protocol}:${request.command}: the graph has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.map((p) => `${p.path}: ${p.message} (${p.hint})`).join('; ')}`
        : `${err.message} (${err.hint})`;
    } else {
      cmd.target.connection.log.error({ err, protocol: request.protocol, command: request.command }, 'FBP command failed');
      message = `internal error in ${request.protocol}:${request.command}: ${(err as Error).message ?? String(err)}`;
    }
    cmd.reply('error', { message, ...extra }, protocol);
  }

  // ------------------------------------------------------------------ sending

  #frame(protocol: string, command: string, payload: unknown, target?: ReplyTarget): FbpFrame {
    if (target?.requestId === undefined || WITHOUT_RESPONSE_TO.has(`${protocol}:${command}`)) return { protocol, command, payload };
    return { protocol, command, payload, responseTo: target.requestId };
  }

  /** Sends a frame to every authorized client; `target` gets it as its reply. Never dropped. */
  broadcast(protocol: Subprotocol, command: string, payload: unknown, target?: ReplyTarget): void {
    for (const connection of this.#connections) {
      if (connection.authorized || connection === target?.connection) connection.send(this.#frame(protocol, command, payload, connection === target?.connection ? target : undefined));
    }
  }

  /** Sends an event frame to every authorized client (serialised once; dropped for slow clients). */
  #event(protocol: Subprotocol, command: string, payload: Record<string, unknown>): void {
    let text: string | undefined;
    for (const connection of this.#connections) {
      if (!connection.authorized) continue;
      text ??= JSON.stringify({ protocol, command, payload });
      connection.event(text);
    }
  }

  #graphOutput(): GraphOutput {
    return {
      control: (protocol, command, payload, request) => this.broadcast(protocol, command, payload, request as ReplyTarget | undefined),
      event: (protocol, command, payload) => this.#event(protocol, command, payload),
    };
  }

  /** runtime:ports of a graph, to one client or to all. */
  sendPorts(graph: HostedGraph, target?: ReplyTarget): void {
    const payload = graph.ports(this.registry);
    if (target) target.connection.send(this.#frame('runtime', 'ports', payload));
    else this.broadcast('runtime', 'ports', payload);
  }

  // ------------------------------------------------------------------ graphs

  /** The graph a command names, or the protocol's exact errors when it names none or an unknown one. */
  requireGraph(payload: Record<string, unknown>): HostedGraph {
    const id = payload.graph;
    if (typeof id !== 'string' || id === '') throw new FbpError('No graph specified');
    const graph = this.graphs.get(id);
    if (!graph) throw new FbpError('Requested graph not found');
    return graph;
  }

  /** graph:clear: a new empty graph under `id` (an existing one is stopped and replaced). */
  async clearGraph(cmd: Command, id: string, info: GraphInfo): Promise<void> {
    const old = this.graphs.get(id);
    if (!old && this.graphs.size >= this.limits.maxGraphs) {
      throw new FbpError(`graph:clear: this runtime already holds ${this.graphs.size} graphs, its limit; reuse the id of one with graph:clear`);
    }
    if (old) {
      await old.session?.stop();
      this.#unlisten.get(old)?.();
      this.#unlisten.delete(old);
    }
    const hosted = new HostedGraph(id, info, this.#graphOutput(), this.#o.sampling);
    this.graphs.set(id, hosted);
    this.#unlisten.set(hosted, hosted.graph.on((change) => this.#onChange(hosted, change)));
    if (info.main) this.mainGraph = id;
    this.broadcast('graph', 'clear', { id, ...info }, cmd.target);
  }

  #onChange(hosted: HostedGraph, change: GraphChange): void {
    for (const frame of graphFrames(hosted.id, hosted.graph, change)) this.broadcast('graph', frame.command, frame.payload, this.#editing);
    if (changesPorts(change)) this.sendPorts(hosted);
  }

  /**
   * Applies a graph edit: its change events are echoed with `cmd` as the requester. A Graph error
   * (unknown node, duplicate edge, …) fails the command with its message; an edit the running
   * network could not follow is reported with network:error.
   */
  edit(cmd: Command, hosted: HostedGraph, apply: () => void): void {
    const liveFailures = hosted.session?.liveEditFailures() ?? 0;
    this.#editing = cmd.target;
    try {
      apply();
    } finally {
      this.#editing = undefined;
    }
    const failure = hosted.session?.liveEditFailure(liveFailures);
    if (failure) {
      throw new FbpError(`the running network could not apply ${cmd.request.protocol}:${cmd.request.command} (${failure}); the graph has the change: restart the network (network:stop, network:start) to run it`, { protocol: 'network', extra: { graph: hosted.id } });
    }
  }

  /** Throws when one more node or connection would exceed the server's graph limits. */
  checkLimit(hosted: HostedGraph, what: 'nodes' | 'edges'): void {
    const graph = hosted.graph;
    const count = what === 'nodes' ? graph.nodes.size : graph.edges.length + graph.initials.length;
    const max = what === 'nodes' ? this.limits.maxNodes : this.limits.maxEdges;
    if (count >= max) {
      throw new FbpError(`graph '${hosted.id}' already has ${count} ${what === 'nodes' ? 'nodes' : 'connections (IIPs included)'}, the server's limit (${what === 'nodes' ? 'ACTORFLOW_MAX_NODES' : 'ACTORFLOW_MAX_EDGES'})`);
    }
  }

  /** Throws when an initial packet is larger than the server accepts. */
  checkIipSize(data: unknown): void {
    const bytes = jsonByteLength(data);
    if (bytes > this.limits.maxIipBytes) {
      throw new FbpError(`the initial packet is ${bytes} bytes of JSON; the server accepts at most ${this.limits.maxIipBytes} (ACTORFLOW_MAX_IIP_BYTES)`);
    }
  }

  /** runtime:runtime for a client with these capabilities. */
  runtimeInfo(permitted: readonly Capability[]): Record<string, unknown> {
    return {
      type: RUNTIME_TYPE, version: PROTOCOL_VERSION, id: this.id, label: this.label,
      capabilities: [...permitted], allCapabilities: [...this.#capabilities],
      ...(this.mainGraph !== undefined && this.graphs.has(this.mainGraph) ? { graph: this.mainGraph } : {}),
    };
  }
}
