// PartitionHost: runs, inside a worker thread, the nodes of a network placed in that thread. It
// hosts their runners like the Network does on the main thread, and reports to the main thread:
// idle/active status with link counters (for distributed completion), events, failures, outputs.
import type { MessagePort } from 'node:worker_threads';
import { isActorDefinition } from '../actor/define.ts';
import { ActorflowError } from '../errors.ts';
import { formatRef } from '../graph/graph.ts';
import type { PortRef } from '../graph/types.ts';
import { encodeMessage, encodeMessages } from '../messages/codec.ts';
import { Channel } from '../runtime/channel.ts';
import type { EventInterest, EventSink } from '../runtime/event-hub.ts';
import { errorInfo, type NetworkEvent, type NetworkEventType } from '../runtime/events.ts';
import { NodeRunner, type FailurePhase, type RunnerHost } from '../runtime/node-runner.ts';
import { Waits } from '../runtime/deadlock.ts';
import { Scheduler } from '../runtime/scheduler.ts';
import type { NodeStats } from '../runtime/types.ts';
import { encodeBatch, Egress, Ingress, unsendable } from './link.ts';
import type { FromWorker, PartitionSpec, PartitionTask, ToWorker } from './protocol.ts';

/** An event whose message cannot cross threads goes with a description of the value instead. */
function portable(event: NetworkEvent): NetworkEvent {
  if (!('message' in event)) return event;
  try {
    encodeMessage(event.message);
    return event;
  } catch (err) {
    return { ...event, message: `[not sendable across threads: ${(err as Error).message}]` };
  }
}

/** Node stats go with idle reports at most this often (and always when the partition stops). */
const STATS_EVERY_MS = 200;

/** Events buffered in a worker before the oldest unsent ones are dropped (and counted). */
const EVENT_BUFFER = 10_000;

/** Forwards events to the main thread in batches. */
class EventForwarder implements EventSink {
  wants: Record<NetworkEventType, boolean>;
  #nodes: Map<NetworkEventType, Set<string>>;
  #buffer: NetworkEvent[] = [];
  #dropped = 0;
  #scheduled = false;
  readonly #post: (m: FromWorker) => void;

  constructor(interest: EventInterest, post: (m: FromWorker) => void) {
    this.wants = interest.wants;
    this.#nodes = EventForwarder.#nodeSets(interest);
    this.#post = post;
  }

  static #nodeSets(interest: EventInterest): Map<NetworkEventType, Set<string>> {
    return new Map(Object.entries(interest.nodes).map(([t, nodes]) => [t as NetworkEventType, new Set(nodes)]));
  }

  /** The main thread's subscribers changed what they watch. */
  update(interest: EventInterest): void {
    this.wants = interest.wants;
    this.#nodes = EventForwarder.#nodeSets(interest);
  }

  watches(type: NetworkEventType, node: string): boolean {
    return this.wants[type] && (this.#nodes.get(type)?.has(node) ?? true);
  }

  emit(event: NetworkEvent): void {
    if (this.#buffer.length >= EVENT_BUFFER) {
      this.#dropped++;
      return;
    }
    this.#buffer.push(event);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.flush);
    }
  }

  flush = (): void => {
    this.#scheduled = false;
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    let bytes: Uint8Array;
    try {
      bytes = encodeMessages(batch);
    } catch {
      bytes = encodeMessages(batch.map(portable)); // rare: some event carries a value msgpack can't
    }
    this.#post({ type: 'events', batch: bytes, dropped: this.#dropped });
    this.#dropped = 0;
  };
}

export class PartitionHost implements RunnerHost {
  readonly scheduler: Scheduler;
  readonly events: EventForwarder;
  readonly timing: boolean;
  readonly signal: AbortSignal;
  pending = 0;
  readonly #spec: PartitionSpec;
  readonly #control: MessagePort;
  readonly #runners = new Map<string, NodeRunner>();
  readonly #egress = new Map<string, Egress>();
  readonly #ingress = new Map<string, Ingress>();
  readonly #channels: Channel[] = [];
  readonly waits = new Waits();
  readonly #abort = new AbortController();
  #outputs: { port: string; value: unknown }[] = [];
  #outputsScheduled = false;
  #running = false;
  #lastReport = '';
  #statsAt = 0;
  #stopped: (() => void) | null = null;

  constructor(task: PartitionTask) {
    this.#spec = task.spec;
    this.#control = task.control;
    this.timing = task.spec.timing;
    this.signal = this.#abort.signal;
    this.scheduler = new Scheduler(() => this.checkIdle());
    this.events = new EventForwarder(task.spec.interest, (m) => this.#post(m));
    for (const link of task.spec.links) {
      const port = task.links[link.id];
      if (link.role === 'egress') this.#egress.set(link.id, new Egress(port, this.scheduler, task.spec.batch, task.spec.window, () => this.checkIdle(), (channel, error) => this.#unsendable(channel, error)));
      else this.#ingress.set(link.id, new Ingress(port, task.spec.window));
    }
  }

  #post(message: FromWorker): void {
    this.#control.postMessage(message);
  }

  /** Loads the components and wires the partition. */
  async build(): Promise<void> {
    const spec = this.#spec;
    for (const node of spec.nodes) {
      const mod = (await import(node.source.module)) as Record<string, unknown>;
      const def = mod[node.source.exportName];
      if (!isActorDefinition(def)) {
        throw new ActorflowError('THREAD_COMPONENT', `worker '${spec.thread}': ${node.source.module} does not export actor '${node.source.exportName}'`, 'register components from modules that export their defineActor() values');
      }
      this.#runners.set(node.id, new NodeRunner(node.id, def, node.ports, node.config, node.env, node.settings, this));
    }
    for (const e of spec.edges) {
      const src = this.#runner(e.src);
      const tgt = this.#runner(e.tgt);
      const channel = new Channel(e.src, e.tgt, tgt, src, e.capacity, e.policy);
      tgt.attachInput(channel);
      src.attachOutput(channel);
      this.#channels.push(channel);
    }
    for (const link of spec.links) {
      if (link.role === 'egress') {
        const egress = this.#egress.get(link.id)!;
        const channel = new Channel(link.from, link.to, egress, null, link.capacity, link.policy);
        egress.channel = channel;
        this.#runner(link.from).attachOutput(channel);
      } else {
        const ingress = this.#ingress.get(link.id)!;
        const channel = new Channel(link.from, link.to, this.#runner(link.to), ingress, link.capacity, link.policy);
        ingress.channel = channel;
        this.#runner(link.to).attachInput(channel);
        this.#channels.push(channel);
      }
    }
    for (const x of spec.exports) {
      this.#runner(x.ref).exportOutput(x.ref.port, x.name, x.ref.index);
    }
  }

  #runner(ref: PortRef): NodeRunner {
    const r = this.#runners.get(ref.node);
    if (!r) throw new ActorflowError('THREAD_WIRING', `worker '${this.#spec.thread}': no node for ${formatRef(ref)}`, 'this is a bug in thread placement');
    return r;
  }

  /** Handles the main thread's commands until stopped. */
  run(): Promise<void> {
    this.#control.on('message', (m: ToWorker) => void this.#command(m));
    this.#post({ type: 'built' });
    return new Promise((resolve) => (this.#stopped = resolve));
  }

  async #command(m: ToWorker): Promise<void> {
    switch (m.type) {
      case 'setup':
        await Promise.all([...this.#runners.values()].map((r) => r.setup()));
        this.#post({ type: 'setup-done' });
        return;
      case 'activate': {
        for (const iip of this.#spec.initials) {
          const runner = this.#runner(iip.tgt);
          const channel = new Channel({ node: '', port: 'IIP' }, iip.tgt, runner, null, Number.POSITIVE_INFINITY, 'block');
          runner.attachInput(channel);
          channel.push(iip.data);
        }
        this.#running = true;
        for (const r of this.#runners.values()) r.activate();
        this.checkIdle();
        return;
      }
      case 'interest':
        this.events.update(m.interest);
        return;
      case 'stop':
        await this.#stop(m.graceMs);
        return;
    }
  }

  async #stop(graceMs: number): Promise<void> {
    this.#running = false;
    this.#abort.abort(new ActorflowError('NETWORK_STOPPED', 'network stopped', ''));
    this.scheduler.clear();
    for (const r of this.#runners.values()) r.deactivate();
    const deadline = Date.now() + graceMs;
    while (this.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await Promise.race([
      Promise.all([...this.#runners.values()].map((r) => r.teardown())),
      new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
    ]);
    this.events.flush();
    this.#flushOutputs();
    for (const l of this.#egress.values()) l.close();
    for (const l of this.#ingress.values()) l.close();
    this.#post({ type: 'stopped', stats: this.#stats(), connections: this.#channels.map((c) => c.traffic()), messages: this.#messages() });
    this.#control.close();
    this.#stopped?.();
  }

  // ------------------------------------------------------------------ RunnerHost

  checkIdle(): void {
    if (!this.#running) return;
    if (!this.scheduler.busy && this.waits.breakDeadlock(this.scheduler)) return;
    this.#report();
  }

  #waitingLinks(): boolean {
    for (const l of this.#ingress.values()) if (l.waiting) return true;
    for (const l of this.#egress.values()) if (l.waiting) return true;
    return false;
  }

  /**
   * Tells the main thread this partition went idle, with its link counters (distributed completion:
   * the network is idle when every thread is and every link's sent count equals its received
   * count). Becoming busy needs no report: after an idle report, only a message over a link — which
   * the counters show — or a command from the main thread can wake a partition. Node stats ride
   * along at most every STATS_EVERY_MS (and always when the partition stops).
   */
  #report(): void {
    if (!this.#running) return;
    if (this.scheduler.busy || this.pending > 0 || this.#waitingLinks() || this.waits.blocked.size > 0) {
      this.#lastReport = '';
      return;
    }
    const sent: Record<string, number> = {};
    const received: Record<string, number> = {};
    let signature = 'idle';
    for (const [id, l] of this.#egress) signature += `,${(sent[id] = l.sent)}`;
    for (const [id, l] of this.#ingress) signature += `,${(received[id] = l.received)}`;
    if (signature === this.#lastReport) return;
    this.#lastReport = signature;
    this.events.flush();
    this.#flushOutputs();
    const now = Date.now();
    const withStats = now - this.#statsAt >= STATS_EVERY_MS;
    if (withStats) this.#statsAt = now;
    this.#post({
      type: 'status', idle: true, sent, received, messages: this.#messages(),
      ...(withStats ? { stats: this.#stats(), connections: this.#channels.map((c) => c.traffic()) } : {}),
    });
  }


  /** A message could not cross to another thread: the actor that sent it fails (the message is dropped). */
  #unsendable(channel: Channel, error: unknown): void {
    const runner = this.#runners.get(channel.from.node);
    if (runner) this.onActorFailure(runner, unsendable(channel, error), 'process', false);
  }

  onActorFailure(actor: { readonly id: string; readonly component: string }, error: unknown, phase: FailurePhase, handled: boolean): void {
    this.#post({ type: 'failure', actorId: actor.id, component: actor.component, error: errorInfo(error), phase, handled });
  }

  recordOutput(port: string, value: unknown): void {
    this.#outputs.push({ port, value });
    if (!this.#outputsScheduled) {
      this.#outputsScheduled = true;
      setImmediate(() => this.#flushOutputs());
    }
  }

  #flushOutputs(): void {
    this.#outputsScheduled = false;
    if (this.#outputs.length === 0) return;
    const batch = this.#outputs;
    this.#outputs = [];
    const bytes = encodeBatch(batch, (output, error) => {
      const port = (output as { port: string }).port;
      this.onActorFailure({ id: '', component: '' }, new ActorflowError('UNSENDABLE_OUTPUT', `a value for exported outport '${port}' cannot leave worker thread '${this.#spec.thread}': ${(error as Error).message}`, 'emit plain data (JSON values, Uint8Array, Date, bigint, Error) on ports that cross threads'), 'process', false);
    });
    this.#post({ type: 'outputs', batch: bytes });
  }

  #stats(): Record<string, NodeStats> {
    const out: Record<string, NodeStats> = {};
    for (const [id, r] of this.#runners) out[id] = r.snapshot();
    return out;
  }

  #messages(): number {
    let n = 0;
    for (const c of this.#channels) n += c.delivered;
    return n;
  }
}

/** The piscina task: runs one partition until the main thread stops it. */
export default async function runPartition(task: PartitionTask): Promise<void> {
  const host = new PartitionHost(task);
  await host.build();
  await host.run();
}
