// A graph the FBP runtime holds: the Graph (the server's graph model) with its FBP identity
// (id, name, main, library…), its started network if any, its trace recording and the edges its
// clients watch. It decides which network frames leave: every one into the trace, data frames to
// clients only on watched edges and within the sampling limits.
import { Graph, type ComponentRegistry, type ExportedPort } from '@actorflow/network';
import type { TraceRecorder } from './flowtrace.ts';
import type { Admission, NetworkSession, SessionSink } from './network-session.ts';
import { portDefinition, type PortDefinition, type Subprotocol } from './protocol.ts';
import { RateLimiter, type RateLimit } from './rate-limiter.ts';

/** What graph:clear says about a graph (echoed back as given). */
export interface GraphInfo {
  name?: string;
  main?: boolean;
  library?: string;
  icon?: string;
  description?: string;
}

/** Sampling of the frames clients get from a network. */
export interface SamplingLimits {
  /** network:data per edge. */
  edge: RateLimit;
  /** network:data of the whole graph. */
  graph: RateLimit;
  /** network:processerror and network:output of the whole graph. */
  messages: RateLimit;
}

export const DEFAULT_SAMPLING: SamplingLimits = {
  edge: { burst: 20, perSecond: 10 },
  graph: { burst: 200, perSecond: 100 },
  messages: { burst: 50, perSecond: 20 },
};

/** How the hosted graph reaches the clients (the runtime's broadcast). */
export interface GraphOutput {
  /** A frame every client gets (never dropped); `request` gets it as the reply to its request. */
  control(protocol: Subprotocol, command: string, payload: Record<string, unknown>, request?: unknown): void;
  /** A frame dropped for clients that read too slowly. */
  event(protocol: Subprotocol, command: string, payload: Record<string, unknown>): void;
}

/** network:* frames that report state: sent as replies/control frames, never dropped. */
const STATE_COMMANDS = new Set(['started', 'stopped', 'status', 'error']);

export class HostedGraph implements SessionSink {
  readonly id: string;
  readonly graph: Graph;
  readonly info: GraphInfo;
  session: NetworkSession | null = null;
  trace: TraceRecorder | null = null;
  /** Edge ids chosen with network:edges; null until a client chooses (then every edge is shown). */
  watchedEdges: Set<string> | null = null;
  debug = false;
  readonly #out: GraphOutput;
  readonly #edgeLimiter: RateLimiter;
  readonly #graphLimiter: RateLimiter;
  readonly #messageLimiter: RateLimiter;

  constructor(id: string, info: GraphInfo, out: GraphOutput, sampling: SamplingLimits = DEFAULT_SAMPLING) {
    this.id = id;
    this.info = info;
    this.graph = new Graph({ name: info.name ?? id, id, ...(info.main !== undefined ? { main: info.main } : {}), ...(info.library ? { library: info.library } : {}), ...(info.icon ? { icon: info.icon } : {}), ...(info.description ? { description: info.description } : {}) });
    this.#out = out;
    this.#edgeLimiter = new RateLimiter(sampling.edge);
    this.#graphLimiter = new RateLimiter(sampling.graph);
    this.#messageLimiter = new RateLimiter(sampling.messages);
  }

  /** Started and not stopped. */
  get started(): boolean {
    return this.session?.started ?? false;
  }

  /** The runtime:ports payload: the exported ports with their inner ports' definitions. */
  ports(registry: ComponentRegistry): { graph: string; inPorts: PortDefinition[]; outPorts: PortDefinition[] } {
    const describe = (exported: ExportedPort, direction: 'in' | 'out'): PortDefinition => {
      const component = this.graph.nodes.get(exported.node)?.component;
      const info = component && registry.has(component) ? registry.info(component) : undefined;
      const inner = (direction === 'in' ? info?.inports : info?.outports)?.find((p) => p.name === exported.port);
      const def: PortDefinition = inner ? { ...portDefinition(inner), id: exported.name } : { id: exported.name, type: 'all', required: false, addressable: false };
      if (typeof exported.metadata.description === 'string') def.description = exported.metadata.description;
      return def;
    };
    return {
      graph: this.id,
      inPorts: [...this.graph.inports.values()].map((p) => describe(p, 'in')),
      outPorts: [...this.graph.outports.values()].map((p) => describe(p, 'out')),
    };
  }

  // ------------------------------------------------------------------ SessionSink

  admitData(id: string): Admission | null {
    const trace = this.trace?.recording === true;
    const send = (this.watchedEdges?.has(id) ?? true) && this.#edgeLimiter.take(id) && this.#graphLimiter.take('');
    return trace || send ? { trace, send } : null;
  }

  data(payload: Record<string, unknown>, admission: Admission): void {
    if (admission.trace) this.trace?.record('data', payload, this.id);
    if (admission.send) this.#out.event('network', 'data', payload);
  }

  network(command: string, payload: Record<string, unknown>, options: { sample?: string; request?: unknown } = {}): void {
    if (command !== 'status') this.trace?.record(command, payload, this.id);
    if (options.sample !== undefined && !this.#messageLimiter.take(options.sample)) return;
    if (STATE_COMMANDS.has(command)) this.#out.control('network', command, payload, options.request);
    else this.#out.event('network', command, payload);
  }

  packet(payload: Record<string, unknown>): void {
    this.#out.event('runtime', 'packet', payload);
  }
}
