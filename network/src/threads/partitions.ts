// ThreadPartitions: the main thread's side of worker-thread placement. Nodes whose metadata (or
// group metadata) says `thread: 'name'` run in that worker thread, hosted through piscina; every
// connection between threads becomes a batched, credit-flow-controlled MessagePort link. A worker
// that crashes or runs out of memory fails its own actors (ActorFailed) — never the process.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ActorflowError, ValidationError, type Problem } from '../errors.ts';
import type { PortRef } from '../graph/types.ts';
import { decodeMessages } from '../messages/codec.ts';
import { Channel } from '../runtime/channel.ts';
import type { ErrorInfo, NetworkEvent } from '../runtime/events.ts';
import type { Network } from '../runtime/network.ts';
import { MAIN_THREAD } from '../runtime/plan.ts';
import type { ConnectionStats, NodeStats, ThreadOptions } from '../runtime/types.ts';
import { Egress, Ingress, unsendable } from './link.ts';
import type { FromWorker, PartitionSpec, PartitionTask, ToWorker } from './protocol.ts';

const WORKER = new URL('./partition-host.ts', import.meta.url).href;
const DEFAULT_WINDOW = 8192;
const DEFAULT_BATCH = 256;
const DEFAULT_MEMORY_MB = 512;

interface Partition {
  thread: string;
  spec: PartitionSpec;
  /** Our end of the control channel; the other end goes to the worker. */
  control: MessagePort;
  workerControl: MessagePort;
  linkPorts: Record<string, MessagePort>;
  task: Promise<void> | null;
  idle: boolean;
  dead: boolean;
  sent: Record<string, number>;
  received: Record<string, number>;
  stats: Record<string, NodeStats>;
  connections: ConnectionStats[];
  messages: number;
  waiters: Map<FromWorker['type'], () => void>;
}

interface LinkEnds {
  sender: string;
  receiver: string;
}

function toError(info: ErrorInfo): Error {
  return Object.assign(new Error(info.message), { name: info.name, ...(info.code ? { code: info.code } : {}), ...(info.stack ? { stack: info.stack } : {}) });
}

export class ThreadPartitions {
  readonly #net: Network;
  readonly #partitions = new Map<string, Partition>();
  readonly #links = new Map<string, LinkEnds>();
  readonly #egress = new Map<string, Egress>();
  readonly #ingress = new Map<string, Ingress>();
  readonly #owner = new Map<string, string>();
  readonly #pool: Piscina;

  /** Plans the partitions, starts the worker threads and waits until each has loaded its nodes. */
  static async create(net: Network, options: ThreadOptions): Promise<ThreadPartitions> {
    const partitions = new ThreadPartitions(net, options);
    await partitions.#launch();
    return partitions;
  }

  private constructor(net: Network, options: ThreadOptions) {
    this.#net = net;
    const plan = net.plan;
    const window = options.window ?? DEFAULT_WINDOW;
    const batch = options.batch ?? DEFAULT_BATCH;
    const problems: Problem[] = [];
    const threadOf = (id: string) => plan.nodes.get(id)?.settings.thread ?? MAIN_THREAD;
    const partition = (thread: string): Partition => {
      let p = this.#partitions.get(thread);
      if (!p) {
        const { port1, port2 } = new MessageChannel();
        port1.on('message', (m: FromWorker) => this.#onMessage(p!, m));
        p = {
          thread, control: port1, workerControl: port2, linkPorts: {}, task: null, idle: false, dead: false, sent: {}, received: {}, stats: {}, connections: [], messages: 0, waiters: new Map(),
          spec: { networkId: net.id, thread, nodes: [], edges: [], initials: [], links: [], exports: [], timing: net.timing, batch, window, interest: net.events.interest() },
        };
        this.#partitions.set(thread, p);
      }
      return p;
    };

    for (const node of plan.nodes.values()) {
      const thread = node.settings.thread;
      if (thread === MAIN_THREAD) continue;
      if (!node.source) {
        problems.push({
          code: 'THREAD_COMPONENT', path: `$.processes.${node.id}.metadata.thread`, severity: 'error',
          message: `node '${node.id}' is placed in thread '${thread}', but its component '${node.def.name}' was registered in-process`,
          hint: 'worker threads load components from modules: register it with registry.registerModule(url)',
        });
        continue;
      }
      this.#owner.set(node.id, thread);
      partition(thread).spec.nodes.push({ id: node.id, component: node.def.name, source: node.source, config: node.config, env: node.env, ports: node.ports, settings: node.settings });
    }
    if (problems.length > 0) throw new ValidationError('thread placement', problems);

    let linkCount = 0;
    const addLink = (from: PortRef, to: PortRef, capacity: number, policy: PartitionSpec['links'][number]['policy'], sender: string, receiver: string): { id: string; egress?: Egress } => {
      const id = `L${++linkCount}`;
      const { port1, port2 } = new MessageChannel();
      this.#links.set(id, { sender, receiver });
      let egress: Egress | undefined;
      if (sender === MAIN_THREAD) {
        egress = new Egress(port1, net.scheduler, batch, window, () => net.checkIdle(), (channel, error) => {
          const runner = net.runner(channel.from.node);
          net.onActorFailure(runner ?? { id: channel.from.node, component: '' }, unsendable(channel, error), 'process', false);
        });
        this.#egress.set(id, egress);
      } else {
        const p = partition(sender);
        p.linkPorts[id] = port1;
        p.spec.links.push({ id, role: 'egress', from, to, capacity, policy });
      }
      if (receiver === MAIN_THREAD) {
        const ingress = new Ingress(port2, window);
        const runner = net.runner(to.node)!;
        const channel = new Channel(from, to, runner, ingress, capacity, policy);
        ingress.channel = channel;
        runner.attachInput(channel);
        this.#ingress.set(id, ingress);
      } else {
        const p = partition(receiver);
        p.linkPorts[id] = port2;
        p.spec.links.push({ id, role: 'ingress', from, to, capacity, policy });
      }
      return { id, ...(egress ? { egress } : {}) };
    };

    for (const edge of plan.edges) {
      const s = threadOf(edge.src.node);
      const t = threadOf(edge.tgt.node);
      if (s === t) {
        if (s !== MAIN_THREAD) partition(s).spec.edges.push({ src: edge.src, tgt: edge.tgt, capacity: edge.capacity, policy: edge.policy });
        continue;
      }
      const { egress } = addLink(edge.src, edge.tgt, edge.capacity, edge.policy, s, t);
      if (egress) {
        const runner = net.runner(edge.src.node)!;
        const channel = new Channel(edge.src, edge.tgt, egress, runner, edge.capacity, edge.policy);
        egress.channel = channel;
        runner.attachOutput(channel);
      }
    }
    for (const iip of plan.initials) {
      const t = threadOf(iip.tgt.node);
      if (t !== MAIN_THREAD) partition(t).spec.initials.push({ tgt: iip.tgt, data: iip.data });
    }
    for (const [name, ref] of plan.inports) {
      const t = threadOf(ref.node);
      if (t === MAIN_THREAD) continue;
      const capacity = plan.nodes.get(ref.node)?.ports.inports[ref.port]?.capacity ?? DEFAULT_BATCH;
      const { egress } = addLink({ node: '', port: name }, ref, capacity, 'block', MAIN_THREAD, t);
      const channel = new Channel({ node: '', port: name }, ref, egress!, null, capacity, 'block');
      egress!.channel = channel;
      net.attachInput(name, channel);
    }
    for (const [name, ref] of plan.outports) {
      const s = threadOf(ref.node);
      if (s !== MAIN_THREAD) partition(s).spec.exports.push({ name, ref });
    }

    const threads = this.#partitions.size;
    this.#pool = new Piscina({
      filename: WORKER, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1, idleTimeout: 1000,
      atomics: 'disabled', resourceLimits: { maxOldGenerationSizeMb: options.maxMemoryMb ?? DEFAULT_MEMORY_MB },
    });
    net.events.onInterestChange(() => {
      for (const p of this.#partitions.values()) this.#send(p, { type: 'interest', interest: net.events.interest() });
    });
  }

  async #launch(): Promise<void> {
    await Promise.all([...this.#partitions.values()].map((p) => {
      const workerControl = p.workerControl;
      const task: PartitionTask = { spec: p.spec, control: workerControl, links: p.linkPorts };
      const built = this.#expect(p, 'built');
      p.task = this.#pool.run(task, { transferList: [workerControl, ...Object.values(p.linkPorts)] as never });
      p.task.then(() => {}, (err: unknown) => this.#crashed(p, err));
      return Promise.race([built, p.task.then(() => {
        throw new ActorflowError('THREAD_EXITED', `worker thread '${p.thread}' ended before it was built`, 'see the error above');
      })]);
    }));
  }

  /** Whether a node runs in a worker thread. */
  owns(nodeId: string): boolean {
    return this.#owner.has(nodeId);
  }

  /** Runs every worker's setup hooks. */
  async start(): Promise<void> {
    await Promise.all([...this.#partitions.values()].filter((p) => !p.dead).map((p) => {
      const done = this.#expect(p, 'setup-done');
      this.#send(p, { type: 'setup' });
      return done;
    }));
  }

  /** Delivers the workers' IIPs and starts their actors. */
  activate(): void {
    for (const p of this.#partitions.values()) this.#send(p, { type: 'activate' });
  }

  /** Every worker reported idle and no message is in flight between threads. */
  get idle(): boolean {
    for (const p of this.#partitions.values()) if (!p.idle && !p.dead) return false;
    for (const l of this.#egress.values()) if (l.waiting) return false;
    for (const l of this.#ingress.values()) if (l.waiting) return false;
    for (const [id, ends] of this.#links) {
      const sender = ends.sender === MAIN_THREAD ? null : this.#partitions.get(ends.sender)!;
      const receiver = ends.receiver === MAIN_THREAD ? null : this.#partitions.get(ends.receiver)!;
      if (sender?.dead || receiver?.dead) continue;
      const sent = sender ? sender.sent[id] ?? 0 : this.#egress.get(id)!.sent;
      const received = receiver ? receiver.received[id] ?? 0 : this.#ingress.get(id)!.received;
      if (sent !== received) return false;
    }
    return true;
  }

  /** Stops every worker (teardown within the grace period), then ends the threads. */
  async stop(graceMs: number): Promise<void> {
    const live = [...this.#partitions.values()].filter((p) => !p.dead);
    await Promise.all(live.map((p) => {
      // The final stats come with 'stopped' (a crash settles the wait too); the task itself may
      // finish before that message is read, so it is not waited on here.
      const stopped = this.#expect(p, 'stopped');
      this.#send(p, { type: 'stop', graceMs });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((r) => (timer = setTimeout(r, graceMs + 500)));
      return Promise.race([stopped, late]).finally(() => clearTimeout(timer));
    }));
    for (const l of this.#egress.values()) l.close();
    for (const l of this.#ingress.values()) l.close();
    for (const p of this.#partitions.values()) p.control.close();
    await this.#pool.destroy();
  }

  stats(): Record<string, NodeStats> {
    const out: Record<string, NodeStats> = {};
    for (const p of this.#partitions.values()) {
      for (const n of p.spec.nodes) {
        out[n.id] = p.stats[n.id] ?? { component: '', firings: 0, failures: 0, messagesIn: 0, messagesOut: 0, busyMs: 0, queued: 0, peakQueued: 0, thread: p.thread };
      }
    }
    return out;
  }

  /** Traffic of the connections inside workers and of the links into them (last reported). */
  connections(): ConnectionStats[] {
    const out = [...this.#partitions.values()].flatMap((p) => p.connections);
    for (const l of this.#ingress.values()) if (l.channel) out.push(l.channel.traffic());
    return out;
  }

  /** Messages delivered over worker-internal and cross-thread connections. */
  messages(): number {
    let n = 0;
    for (const p of this.#partitions.values()) n += p.messages;
    for (const l of this.#ingress.values()) n += l.received;
    return n;
  }

  #send(p: Partition, message: ToWorker): void {
    if (!p.dead) p.control.postMessage(message);
  }

  #expect(p: Partition, type: FromWorker['type']): Promise<void> {
    return new Promise((resolve) => p.waiters.set(type, resolve));
  }

  #onMessage(p: Partition, m: FromWorker): void {
    const net = this.#net;
    switch (m.type) {
      case 'status':
        p.idle = true;
        p.sent = m.sent;
        p.received = m.received;
        p.messages = m.messages;
        if (m.stats) p.stats = m.stats;
        if (m.connections) p.connections = m.connections;
        net.checkIdle();
        break;
      case 'events':
        for (const e of decodeMessages(m.batch) as NetworkEvent[]) net.events.emit(e);
        break;
      case 'outputs':
        for (const o of decodeMessages(m.batch) as { port: string; value: unknown }[]) net.recordOutput(o.port, o.value);
        break;
      case 'failure':
        net.onActorFailure({ id: m.actorId, component: m.component }, toError(m.error), 'thread', m.handled);
        break;
      case 'stopped':
        p.stats = m.stats;
        p.connections = m.connections;
        p.messages = m.messages;
        break;
    }
    const waiter = p.waiters.get(m.type);
    if (waiter) {
      p.waiters.delete(m.type);
      waiter();
    }
  }

  /** A worker died (crash, out of memory): its actors fail; the rest of the network goes on. */
  #crashed(p: Partition, err: unknown): void {
    if (p.dead) return;
    p.dead = true;
    const reason = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: string }).code;
    for (const node of p.spec.nodes) {
      const error = new ActorflowError(code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'THREAD_OUT_OF_MEMORY' : 'THREAD_CRASHED',
        `worker thread '${p.thread}' died (${reason}); node '${node.id}' stopped with it`,
        code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'raise threads.maxMemoryMb or reduce what the actor keeps in memory' : 'see the error for the cause');
      if (this.#net.events.wants.ActorFailed) {
        this.#net.events.emit({ _type: 'ActorFailed', actorId: node.id, component: node.component, timestamp: Date.now(), error: { message: error.message, name: error.name, code: error.code }, attempt: 1, willRetry: false, handled: false, phase: 'thread' });
      }
      this.#net.onActorFailure({ id: node.id, component: node.component }, error, 'thread', false);
    }
    for (const [id, ends] of this.#links) if (ends.receiver === p.thread) this.#egress.get(id)?.close();
    for (const w of p.waiters.values()) w();
    p.waiters.clear();
    this.#net.checkIdle();
  }
}
