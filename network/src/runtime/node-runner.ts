// NodeRunner: one node's actor instance at run time — its inports (channels in arrival order),
// outports (fan-out to every connection), firing rules, state, failures, retries and timeouts.
import type {
  ActorContext, ActorDefinition, ActorLogger, InPortSpec, LogLevel, OutPortSpec, StreamWriter,
} from '../actor/types.ts';
import { resolvePorts } from '../actor/define.ts';
import { ActorflowError, TimeoutError } from '../errors.ts';
import { messageSize } from '../messages/size.ts';
import type { Channel, ChannelConsumer, ChannelProducer } from './channel.ts';
import type { Waits } from './deadlock.ts';
import { errorInfo } from './events.ts';
import type { EventSink } from './event-hub.ts';
import { Ring } from './ring.ts';
import type { Runnable, Scheduler } from './scheduler.ts';
import type { NodeStats, RetryPolicy } from './types.ts';

/** What a runner needs from the network hosting it. */
export interface RunnerHost {
  readonly scheduler: Scheduler;
  readonly events: EventSink;
  readonly signal: AbortSignal;
  readonly timing: boolean;
  /** Number of async firings, retry waits and running sources in flight (for idle detection). */
  pending: number;
  /** Nodes waiting for room in full channels (for deadlock breaking). */
  readonly waits: Waits;
  /** Something settled: check whether the network went idle. */
  checkIdle(): void;
  /** A failure that no retry and no `error` port absorbed. */
  onActorFailure(actor: { readonly id: string; readonly component: string }, error: unknown, phase: FailurePhase, handled: boolean): void;
  /** A value left through an exported outport. */
  recordOutput(port: string, value: unknown): void;
}

export type FailurePhase = 'setup' | 'process' | 'run' | 'teardown';

/** An inport at run time. */
export interface InPortRuntime {
  readonly name: string;
  readonly spec: InPortSpec;
  /** Replaced (copy on write) when connections change: arrays stay exactly sized. */
  channels: readonly Channel[];
  /** Sticky ports keep their last value (NOTHING until one arrived; a default counts). */
  last: unknown;
  /** Builds `{ [name]: value }` with a stable object shape (computed keys are slow). */
  readonly makeInput: (value: unknown) => Record<string, unknown>;
}

/** An outport at run time. */
export interface OutPortRuntime {
  readonly name: string;
  readonly spec: OutPortSpec;
  /** Replaced (copy on write) when connections change: arrays stay exactly sized. */
  channels: readonly Channel[];
  /** Exported outports fed by this port, each maybe for one slot only (copy on write too). */
  exports: readonly ExportTarget[];
}

const NONE: readonly never[] = Object.freeze([]);

/** An exported outport fed by an actor's outport (`index`: only that slot of an addressable port). */
export interface ExportTarget {
  name: string;
  index?: number;
}

/** "No value yet" for sticky ports (null and undefined are values). */
const NOTHING: unique symbol = Symbol('nothing');

interface Counters {
  firings: number;
  failures: number;
  messagesIn: number;
  messagesOut: number;
  busyMs: number;
  peakQueued: number;
}

function newCounters(): Counters {
  return { firings: 0, failures: 0, messagesIn: 0, messagesOut: 0, busyMs: 0, peakQueued: 0 };
}

/** Packets queued on a port (its channels' sizes). */
function queuedOn(p: InPortRuntime): number {
  let n = 0;
  for (const c of p.channels) n += c.size;
  return n;
}

/** Stream ids are unique in the process. */
let streamCount = 0;

function without<T>(items: readonly T[], item: T): readonly T[] {
  const rest = items.filter((x) => x !== item);
  return rest.length === 0 ? NONE : rest;
}

/** Firing modes, as small integers for the hot path. */
const EACH = 0;
const ALL = 1;
const CUSTOM = 2;
const MODE = 3;
/** Flag bit beside the mode: some inport is sticky. */
const STICKY = 4;

const inputFactories = new Map<string, (value: unknown) => Record<string, unknown>>();

/** `v => ({ [port]: v })` with a stable object shape (computed keys are slow); one per port name. */
function inputFactory(port: string): (value: unknown) => Record<string, unknown> {
  let make = inputFactories.get(port);
  if (!make) {
    // Port names are checked by defineActor (letters, digits, _ and -); JSON.stringify quotes them.
    make = new Function('v', `return { ${JSON.stringify(port)}: v };`) as (value: unknown) => Record<string, unknown>;
    inputFactories.set(port, make);
  }
  return make;
}

/** Per-node settings taken from node metadata. */
export interface NodeSettings {
  retry?: RetryPolicy;
  timeoutMs?: number;
  thread: string;
}

export class NodeRunner implements Runnable, ChannelConsumer, ChannelProducer {
  /** The node id (changes when the node is renamed while running). */
  id: string;
  readonly def: ActorDefinition;
  /** Few ports per node: arrays scanned by name are smaller than Maps and as fast. */
  readonly inports: readonly InPortRuntime[];
  readonly outports: readonly OutPortRuntime[];
  #ctx: NodeContext | null = null;
  readonly #config: Record<string, unknown>;
  readonly #env: Record<string, string | undefined>;

  /** The actor's context, created when the actor first runs (idle actors cost less). */
  get ctx(): NodeContext {
    if (this.#ctx === null) {
      this.#counters ??= newCounters(); // an actor with a context can emit: counters must exist
      this.#ctx = new NodeContext(this, this.#config, this.#env, this.def.state ? this.def.state() : undefined);
    }
    return this.#ctx;
  }
  readonly settings: NodeSettings;
  queued = false;
  /** Messages waiting across all inports. */
  backlog = 0;
  /** Full downstream channels (policy 'block'). */
  blockedOn = 0;
  /** Run once even though blocked (breaks feedback-loop deadlocks). */
  forced = false;
  /** An async firing (or retry wait) is in flight. */
  busy = false;
  /**
   * The common case of output, kept direct: one outport feeding one connection and no exported
   * port (emit then skips the port lookup and the fan-out loop).
   */
  #fastOut: { name: string; channel: Channel } | null = null;

  #updateFastOut(): void {
    const outs = this.outports;
    this.#fastOut = outs.length === 1 && outs[0].channels.length === 1 && outs[0].exports.length === 0
      ? { name: outs[0].name, channel: outs[0].channels[0] } : null;
  }

  /** A full channel whose drain promise the actor was handed (its firing is probably awaiting it). */
  get drainWait(): Channel | null {
    return this.#ctx?.drainWait ?? null;
  }
  #running = false;
  #draining = false;
  readonly #host: RunnerHost;
  /** Firing mode (EACH/ALL/CUSTOM) plus the STICKY bit when a port is sticky. */
  #mode: number;
  /** Arrival order across input channels ('each' mode with more than one input channel). */
  #order: Ring<Channel> | null = null;
  /** The only input channel, when there is exactly one ('each' mode): read directly, no order queue. */
  #single: Channel | null = null;
  /** Counters, allocated when the node first does something (idle nodes cost less). */
  #counters: Counters | null = null;

  /** The node's port specs (static, or computed again from its config). */
  get ports(): { inports: Record<string, InPortSpec>; outports: Record<string, OutPortSpec> } {
    return resolvePorts(this.def, this.#config);
  }

  constructor(id: string, def: ActorDefinition, ports: { inports: Record<string, InPortSpec>; outports: Record<string, OutPortSpec> },
    config: Record<string, unknown>, env: Record<string, string | undefined>, settings: NodeSettings, host: RunnerHost) {
    this.id = id;
    this.def = def;
    this.settings = settings;
    this.#host = host;
    this.#mode = def.fire === 'all' ? ALL : typeof def.fire === 'function' ? CUSTOM : EACH;
    if (Object.values(ports.inports).some((spec) => spec.sticky)) this.#mode |= STICKY;
    this.inports = Object.entries(ports.inports).map(([name, spec]) => {
      return { name, spec, channels: NONE, last: spec.default === undefined ? NOTHING : spec.default, makeInput: inputFactory(name) };
    });
    this.outports = Object.entries(ports.outports).map(([name, spec]) => ({ name, spec, channels: NONE, exports: NONE }));
    this.#config = config;
    this.#env = env;
  }

  get component(): string {
    return this.def.name;
  }

  get signal(): AbortSignal {
    return this.#ctx?.firingAbort?.signal ?? this.#host.signal;
  }


  // ------------------------------------------------------------------ wiring

  /** The inport named `name`. */
  inport(name: string): InPortRuntime | undefined {
    const ports = this.inports;
    for (let i = 0; i < ports.length; i++) if (ports[i].name === name) return ports[i];
    return undefined;
  }

  /** The outport named `name`. */
  outport(name: string): OutPortRuntime | undefined {
    const ports = this.outports;
    for (let i = 0; i < ports.length; i++) if (ports[i].name === name) return ports[i];
    return undefined;
  }

  attachInput(channel: Channel): void {
    const port = this.inport(channel.to.port);
    if (!port) throw new ActorflowError('UNKNOWN_PORT', `node '${this.id}' has no inport '${channel.to.port}'`, `inports: ${this.inports.map((p) => p.name).join(', ') || '(none)'}`);
    channel.slot = port;
    port.channels = port.channels.concat(channel); // exactly sized (a spread over-allocates)
    this.#countInputs(+1, channel);
  }

  /** Keeps the single-channel fast path in step with the number of input channels. */
  #countInputs(delta: number, channel: Channel): void {
    if ((this.#mode & MODE) !== EACH) return;
    const previous = this.#single;
    let inputs = 0;
    for (const p of this.inports) inputs += p.channels.length;
    if (inputs === 1) {
      this.#single = delta > 0 ? channel : this.inports.flatMap((p) => p.channels)[0];
      this.#order = null;
      this.#single.skip = 0;
    } else if (previous !== null) {
      this.#single = null; // from one to several: record the arrival order of what is queued
      const order = (this.#order = new Ring<Channel>(16));
      for (let i = previous.size; i > 0; i--) order.push(previous);
    }
  }

  detachInput(channel: Channel): void {
    const port = channel.slot as InPortRuntime;
    port.channels = without(port.channels, channel);
    this.backlog -= channel.size;
    this.#order?.removeWhere((c) => c === channel);
    if (this.#single === channel) this.#single = null;
    this.#countInputs(-1, channel);
  }

  attachOutput(channel: Channel): void {
    const port = this.#outport(channel.from.port);
    channel.producer = this;
    port.channels = port.channels.concat(channel);
    this.#updateFastOut();
  }

  detachOutput(channel: Channel): void {
    const port = this.#outport(channel.from.port);
    port.channels = without(port.channels, channel);
    this.#updateFastOut();
    channel.producer = null;
    if (channel.full) this.onChannelDrained(channel);
  }

  #outport(name: string): OutPortRuntime {
    const port = this.outport(name);
    if (!port) throw this.#unknownOutport(name);
    return port;
  }

  #unknownOutport(name: string): ActorflowError {
    return new ActorflowError('UNKNOWN_PORT', `node '${this.id}' (${this.def.name}) has no outport '${name}'`, `outports: ${this.outports.map((p) => p.name).join(', ') || '(none)'}`);
  }

  /** Outgoing channels at capacity (what a blocked node waits for). */
  fullOutputs(): Channel[] {
    const full: Channel[] = [];
    for (const p of this.outports) for (const c of p.channels) if (c.full) full.push(c);
    return full;
  }

  /** Feeds exported outport `name` from outport `port` (only slot `index`, when given). */
  exportOutput(port: string, name: string, index?: number): void {
    const p = this.outport(port);
    if (p && !p.exports.some((x) => x.name === name)) p.exports = p.exports.concat(index === undefined ? { name } : { name, index });
    this.#updateFastOut();
  }

  /** Stops feeding exported outport `name` (or renames it to `rename`). */
  unexportOutput(name: string, rename?: string): void {
    for (const p of this.outports) {
      const x = p.exports.find((e) => e.name === name);
      if (!x) continue;
      p.exports = rename === undefined ? without(p.exports, x) : p.exports.map((e) => (e === x ? { ...e, name: rename } : e));
    }
    this.#updateFastOut();
  }

  /** Every channel this node sends on. */
  *outputChannels(): IterableIterator<Channel> {
    for (const p of this.outports) yield* p.channels;
  }

  isConnected(port: string): boolean {
    const p = this.outport(port);
    return p !== undefined && (p.channels.length > 0 || p.exports.length > 0);
  }

  // ------------------------------------------------------------------ channel callbacks

  onDeliver(channel: Channel): void {
    this.backlog++; // the peak is taken when draining starts (backlogs only grow in between)
    if (this.#single === null && (this.#mode & MODE) === EACH) (this.#order ??= new Ring<Channel>(16)).push(channel);
    if (this.queued || !this.#running || this.busy || this.#draining) return;
    if (this.blockedOn === 0) this.#host.scheduler.enqueue(this);
    else this.#host.waits.setBlocked(this, true);
  }

  onDrop(channel: Channel): void {
    this.backlog--;
    if (channel === this.#single) channel.skip = 0; // read directly: nothing to skip
    if (this.#host.events.wants.MessageDropped) {
      this.#host.events.emit({ _type: 'MessageDropped', fromActor: channel.from.node, fromPort: channel.from.port, toActor: this.id, toPort: channel.to.port, reason: 'overflow', count: 1, timestamp: Date.now() });
    }
  }

  onChannelFull(): void {
    this.blockedOn++;
  }

  onChannelDrained(channel: Channel): void {
    const ctx = this.#ctx;
    if (ctx !== null && channel === ctx.drainWait) this.#host.waits.setDrainWait(this, (ctx.drainWait = null));
    if (--this.blockedOn > 0) return;
    this.#host.waits.setBlocked(this, false);
    if (this.backlog > 0 && this.#running && !this.busy && !this.#draining) this.#host.scheduler.enqueue(this);
  }

  // ------------------------------------------------------------------ lifecycle

  /** Runs setup; the node starts taking messages when `activate` is called. */
  async setup(): Promise<boolean> {
    if (!this.def.setup) return true;
    try {
      await this.def.setup(this.ctx);
      return true;
    } catch (err) {
      this.#reportFailure(err, 'setup', 1, false);
      return false;
    }
  }

  /** Starts firing (and the actor's run() source, if any). */
  activate(): void {
    this.#running = true;
    if (this.def.run) {
      this.#host.pending++;
      let p: Promise<void>;
      try {
        p = Promise.resolve(this.def.run(this.ctx));
      } catch (err) {
        p = Promise.reject(err);
      }
      p.then(() => this.#sourceDone(null), (err: unknown) => this.#sourceDone(err));
    }
    if (this.backlog > 0) this.#host.scheduler.enqueue(this);
  }

  #sourceDone(err: unknown): void {
    this.#host.pending--;
    if (err !== null && !this.#host.signal.aborted) this.#reportFailure(err, 'run', 1, false);
    this.#host.checkIdle();
  }

  /** Stops taking messages; runs teardown. */
  async teardown(): Promise<void> {
    this.#running = false;
    if (this.#ctx) this.#ctx.firingSeq++; // a firing still in flight is ignored when it settles
    if (!this.def.teardown) return;
    try {
      await this.def.teardown(this.ctx);
    } catch (err) {
      this.#reportFailure(err, 'teardown', 1, false);
    }
  }

  deactivate(): void {
    this.#running = false;
  }

  // ------------------------------------------------------------------ firing

  drain(budget: number): void {
    if (!this.#running || this.busy) return;
    const timing = this.#host.timing;
    const t0 = timing ? performance.now() : 0;
    this.#draining = true;
    this.#notePeak();
    if ((this.#mode & MODE) === EACH) this.#drainEach(budget);
    else this.#drainWhole(budget);
    this.#draining = false;
    this.forced = false;
    if (timing) this.#stats.busyMs += performance.now() - t0;
    if (!this.busy) this.#afterDrain();
  }

  #afterDrain(): void {
    if (this.backlog === 0 || !this.#running) return;
    if (this.blockedOn > 0) this.#host.waits.setBlocked(this, true);
    else if ((this.#mode & MODE) === EACH || this.#readyPorts() !== null) this.#host.scheduler.enqueue(this);
  }

  #drainEach(budget: number): void {
    const ctx = this.ctx;
    const stats = this.#stats;
    const watched = this.#watched(ctx);
    if (this.#single !== null && !watched && (this.#mode & STICKY) === 0) {
      this.#drainSingle(this.#single, budget, ctx, stats);
      return;
    }
    let last: Channel | null = null;
    let n = 0;
    while (n < budget) {
      if (this.blockedOn > 0 && !this.forced) return;
      let ch = this.#single;
      if (ch !== null) {
        if (ch.size === 0) return;
      } else {
        ch = this.#order?.shift() ?? null;
        if (ch === null) return;
        if (ch.skip > 0) {
          ch.skip--;
          continue;
        }
      }
      const port = ch.slot as InPortRuntime;
      const value = ch.take();
      this.backlog--;
      stats.messagesIn++;
      if (port.spec.sticky) {
        port.last = value;
        continue;
      }
      n++;
      const input = (this.#mode & STICKY) === 0 ? port.makeInput(value) : this.#withSticky(port.name, value);
      if (ch !== last) {
        last = ch;
        ctx.port = port.name;
        ctx.index = ch.to.index;
      }
      if (this.#fire(input, 1, ctx, stats, watched)) return;
    }
  }

  /**
   * The common case, kept tight: one input channel, no sticky ports, nobody watching firings.
   * Counters are settled once per batch.
   */
  #drainSingle(ch: Channel, budget: number, ctx: NodeContext, stats: Counters): void {
    const port = ch.slot as InPortRuntime;
    const def = this.def;
    const make = port.makeInput;
    ctx.port = port.name;
    ctx.index = ch.to.index;
    let n = 0;
    while (n < budget && ch.size > 0 && (this.blockedOn === 0 || this.forced)) {
      const input = make(ch.take());
      n++;
      let result: void | boolean | Promise<void>;
      try {
        result = def.process!(input, ctx);
      } catch (err) {
        this.#settleBatch(n, stats);
        n = 0;
        if (this.#failed(err, input, 1)) return;
        continue;
      }
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        this.#settleBatch(n, stats);
        this.#awaitFiring(result as Promise<void>, input, 1, 0);
        return;
      }
    }
    this.#settleBatch(n, stats);
  }

  #settleBatch(n: number, stats: Counters): void {
    this.backlog -= n;
    stats.messagesIn += n;
    stats.firings += n;
  }

  #withSticky(name: string, value: unknown): Record<string, unknown> {
    const input: Record<string, unknown> = {};
    for (const p of this.inports) if (p.spec.sticky && p.last !== NOTHING) input[p.name] = p.last;
    input[name] = value;
    return input;
  }

  /** 'all' and custom modes: one packet from each chosen port per firing. */
  #drainWhole(budget: number): void {
    for (let n = 0; n < budget; n++) {
      if (this.blockedOn > 0 && !this.forced) return;
      const ports = this.#readyPorts();
      if (ports === null) return;
      const input: Record<string, unknown> = {};
      for (const p of this.inports) {
        if (ports.includes(p.name)) input[p.name] = this.#takeFrom(p);
        else if (p.last !== NOTHING) input[p.name] = p.last;
      }
      const ctx = this.ctx;
      ctx.port = undefined;
      ctx.index = undefined;
      if (this.#fire(input, 1)) return;
    }
  }

  /** The ports to take from for the next firing, or null if not ready. */
  #readyPorts(): string[] | null {
    if ((this.#mode & MODE) === CUSTOM) {
      const counts: Record<string, number> = {};
      for (const p of this.inports) counts[p.name] = queuedOn(p);
      let chosen: false | readonly string[];
      try {
        chosen = (this.def.fire as (q: Record<string, number>) => false | readonly string[])(counts);
      } catch (err) {
        this.#reportFailure(err, 'process', 1, false);
        return null;
      }
      if (!chosen || chosen.length === 0) return null;
      for (const name of chosen) {
        if (!this.inport(name) || counts[name] === 0) {
          this.#reportFailure(new ActorflowError('BAD_READINESS', `node '${this.id}': fire() chose port '${name}', which ${this.inport(name) ? 'has nothing queued' : 'does not exist'}`, 'return only ports whose count is above 0'), 'process', 1, false);
          return null;
        }
      }
      return [...chosen];
    }
    const ports: string[] = [];
    for (const p of this.inports) {
      if (p.channels.length === 0) continue; // unconnected: default (if any) is offered as last value
      if (p.spec.addressable && !p.spec.sticky) {
        if (p.channels.some((c) => c.size === 0)) return null;
        ports.push(p.name);
      } else if (queuedOn(p) > 0) ports.push(p.name);
      else if (!(p.spec.sticky && p.last !== NOTHING)) return null;
    }
    return ports.length > 0 ? ports : null;
  }

  #takeFrom(p: InPortRuntime): unknown {
    if (p.spec.addressable && !p.spec.sticky) {
      const values: unknown[] = [];
      for (const c of p.channels) {
        values[c.to.index ?? values.length] = this.#takeOne(p, c);
      }
      return values;
    }
    let value: unknown;
    for (const c of p.channels) {
      if (c.size > 0) {
        value = this.#takeOne(p, c);
        break;
      }
    }
    if (p.spec.sticky) p.last = value;
    return value;
  }

  #takeOne(_p: InPortRuntime, c: Channel): unknown {
    this.backlog--;
    this.#stats.messagesIn++;
    return c.take();
  }

  /** Runs one firing. Returns true when it went asynchronous (the node is busy until it settles). */
  /** Whether firings need the slow path (events per firing, a timeout); clears stale measuring. */
  #watched(ctx: NodeContext): boolean {
    const wants = this.#host.events.wants;
    if (wants.ActorStarted || wants.ActorCompleted || this.settings.timeoutMs !== undefined) return true;
    ctx.measuring = null;
    return false;
  }

  #fire(input: Record<string, unknown>, attempt: number, ctx = this.ctx, stats = this.#stats, watched = this.#watched(ctx)): boolean {
    stats.firings++;
    if (watched) return this.#fireWatched(input, attempt, ctx, stats);
    let result: void | boolean | Promise<void>;
    try {
      result = this.def.process!(input, ctx);
    } catch (err) {
      return this.#failed(err, input, attempt);
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      this.#awaitFiring(result as Promise<void>, input, attempt, 0);
      return true;
    }
    return false;
  }

  /** #fire with the extras: ActorStarted/ActorCompleted events, a per-firing timeout. */
  #fireWatched(input: Record<string, unknown>, attempt: number, ctx: NodeContext, stats: Counters): boolean {
    const host = this.#host;
    const wants = host.events.wants;
    if (wants.ActorStarted) host.events.emit({ _type: 'ActorStarted', actorId: this.id, component: this.def.name, timestamp: Date.now(), ...(ctx.port ? { port: ctx.port } : {}) });
    let t0 = 0;
    if (wants.ActorCompleted) {
      t0 = performance.now();
      ctx.measuring = { before: stats.messagesOut, bytes: 0 };
    } else ctx.measuring = null;
    let result: void | boolean | Promise<void>;
    if (this.settings.timeoutMs !== undefined) ctx.firingAbort = new AbortController();
    try {
      result = this.def.process!(input, ctx);
    } catch (err) {
      ctx.firingAbort = null;
      return this.#failed(err, input, attempt);
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      this.#awaitFiring(result as Promise<void>, input, attempt, t0);
      return true;
    }
    ctx.firingAbort = null;
    if (ctx.measuring !== null) this.#completed(t0);
    return false;
  }


  #completed(t0: number): void {
    const measured = this.ctx.measuring!;
    this.#host.events.emit({
      _type: 'ActorCompleted', actorId: this.id, component: this.def.name, timestamp: Date.now(),
      durationMs: performance.now() - t0, outputCount: this.#stats.messagesOut - measured.before, outputSize: measured.bytes,
    });
  }

  #awaitFiring(promise: Promise<void>, input: Record<string, unknown>, attempt: number, t0: number): void {
    const host = this.#host;
    this.busy = true;
    host.pending++;
    const ctx = this.ctx;
    const seq = ++ctx.firingSeq;
    const started = host.timing ? performance.now() : 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const settle = (err: unknown, failed: boolean) => {
      if (done) return; // a timed-out firing settling late
      done = true;
      if (timer) clearTimeout(timer);
      this.busy = false;
      host.pending--;
      if (seq !== ctx.firingSeq) {
        host.checkIdle(); // the node was stopped or removed meanwhile
        return;
      }
      this.ctx.firingAbort = null;
      if (host.timing) this.#stats.busyMs += performance.now() - started;
      if (failed) {
        if (this.#failed(err, input, attempt)) return;
      } else if (this.ctx.measuring !== null) this.#completed(t0);
      if (this.#running) this.#afterDrain();
      host.checkIdle();
    };
    const timeoutMs = this.settings.timeoutMs;
    if (timeoutMs !== undefined) {
      const abort = this.ctx.firingAbort!;
      timer = setTimeout(() => {
        const err = new TimeoutError(`node '${this.id}' (${this.def.name}) firing`, timeoutMs);
        abort.abort(err);
        settle(err, true);
      }, timeoutMs);
    }
    promise.then(() => settle(null, false), (err: unknown) => settle(err, true));
  }

  /** Handles a failed firing: retry, route to the error port, or report. Returns true if a retry is pending. */
  #failed(err: unknown, input: Record<string, unknown>, attempt: number): boolean {
    const retry = this.settings.retry;
    if (retry && attempt < retry.attempts && this.#running && !this.#host.signal.aborted) {
      this.#reportFailure(err, 'process', attempt, true);
      this.#retryLater(input, attempt + 1, retry);
      return true;
    }
    const handled = this.isConnected('error');
    this.#reportFailure(err, 'process', attempt, false, handled);
    if (handled) {
      const info = errorInfo(err);
      delete info.stack;
      this.emit('error', { ...info, actorId: this.id, component: this.def.name, port: this.#ctx?.port, input });
    }
    return false;
  }

  #retryLater(input: Record<string, unknown>, attempt: number, retry: RetryPolicy): void {
    const host = this.#host;
    this.busy = true;
    host.pending++;
    const base = Math.min((retry.backoffMs ?? 100) * 2 ** (attempt - 2), retry.maxBackoffMs ?? 10_000);
    const jitter = retry.jitter ?? 0.2;
    const delay = Math.max(0, base * (1 + jitter * (Math.random() * 2 - 1)));
    const ctx = this.ctx;
    const seq = ++ctx.firingSeq;
    setTimeout(() => {
      host.pending--;
      this.busy = false;
      if (seq !== ctx.firingSeq || !this.#running) {
        host.checkIdle();
        return;
      }
      if (!this.#fire(input, attempt)) {
        this.#afterDrain();
        host.checkIdle();
      }
    }, delay);
  }

  #reportFailure(err: unknown, phase: FailurePhase, attempt: number, willRetry: boolean, handled = false): void {
    if (!willRetry) this.#stats.failures++;
    const host = this.#host;
    if (host.events.wants.ActorFailed) {
      host.events.emit({ _type: 'ActorFailed', actorId: this.id, component: this.def.name, timestamp: Date.now(), error: errorInfo(err), attempt, willRetry, handled, phase });
    }
    if (!willRetry) host.onActorFailure(this, err, phase, handled);
  }

  // ------------------------------------------------------------------ output

  /** Sends a value out of a port (see ActorContext.emit). */
  emit(port: string, value: unknown, index?: number): boolean {
    const fast = this.#fastOut;
    if (fast !== null && fast.name === port && index === undefined && !this.#host.events.wants.MessageSent && this.#ctx!.measuring === null) {
      this.#counters!.messagesOut++;
      fast.channel.push(value);
      return !fast.channel.full;
    }
    const out = this.outport(port);
    if (out === undefined) throw this.#unknownOutport(port);
    this.#counters!.messagesOut++;
    if (this.#host.events.wants.MessageSent || this.#ctx!.measuring !== null) return this.#emitWatched(out, value, index);
    const channels = out.channels;
    let room = true;
    for (let i = 0; i < channels.length; i++) {
      const c = channels[i];
      if (index !== undefined && c.from.index !== undefined && c.from.index !== index) continue;
      c.push(value);
      if (c.full) room = false;
    }
    if (out.exports.length !== 0) this.#exported(out, value, index);
    return room;
  }

  /** emit, when someone watches messages: sizes and MessageSent events. */
  #emitWatched(out: OutPortRuntime, value: unknown, index: number | undefined): boolean {
    const events = this.#host.events;
    const fromWatched = events.watches('MessageSent', this.id);
    let size = -1;
    const measuring = this.#ctx!.measuring;
    if (measuring !== null) measuring.bytes += (size = messageSize(value));
    let room = true;
    for (const c of out.channels) {
      if (index !== undefined && c.from.index !== undefined && c.from.index !== index) continue;
      c.push(value);
      if (c.full) room = false;
      // Per-message events are built only for connections a subscriber watches (either end).
      if (fromWatched || events.watches('MessageSent', c.to.node)) {
        if (size < 0) size = messageSize(value);
        events.emit({
          _type: 'MessageSent', fromActor: this.id, fromPort: out.name, toActor: c.to.node, toPort: c.to.port,
          ...(c.to.index !== undefined ? { toIndex: c.to.index } : {}), size, message: value, timestamp: Date.now(),
        });
      }
    }
    if (out.exports.length !== 0) this.#exported(out, value, index);
    return room;
  }

  #exported(out: OutPortRuntime, value: unknown, index: number | undefined): void {
    for (const x of out.exports) if (x.index === undefined || index === undefined || x.index === index) this.#host.recordOutput(x.name, value);
  }

  /** See ActorContext.keepAlive: the work counts as pending until it settles. */
  keepAlive<T>(work: Promise<T>): Promise<T> {
    const host = this.#host;
    host.pending++;
    const done = () => {
      host.pending--;
      host.checkIdle();
    };
    work.then(done, done);
    return work;
  }

  /** Packets waiting for this node (see ActorContext.queued). */
  waiting(port?: string): number {
    if (port === undefined) return this.backlog;
    const p = this.inport(port);
    return p === undefined ? 0 : queuedOn(p);
  }

  /** Resolves when no outgoing channel is full (see ActorContext.drained). */
  drained(): Promise<void> {
    const full = this.fullOutputs();
    if (full.length === 0) return Promise.resolve();
    const ctx = this.ctx;
    if (ctx.drainWait === null) this.#host.waits.setDrainWait(this, (ctx.drainWait = full[0]));
    return full.length === 1 ? full[0].drained() : Promise.all(full.map((c) => c.drained())).then(() => undefined);
  }

  openStream(port: string, info: { contentType?: string; name?: string } = {}): StreamWriter {
    this.#outport(port);
    const streamId = `${this.id}:${port}:${++streamCount}`;
    const host = this.#host;
    const base = { actorId: this.id, port, streamId };
    if (host.events.wants.StreamOpened) host.events.emit({ _type: 'StreamOpened', ...base, ...info, timestamp: Date.now() });
    let frames = 0;
    let bytes = 0;
    let open = true;
    const closed = () => new ActorflowError('STREAM_CLOSED', `stream ${streamId} is already closed`, 'open a new stream with ctx.stream()');
    return {
      streamId,
      write: (chunk: Uint8Array) => {
        if (!open) throw closed();
        frames++;
        bytes += chunk.byteLength;
        return this.emit(port, chunk);
      },
      end: () => {
        if (!open) return;
        open = false;
        if (host.events.wants.StreamClosed) host.events.emit({ _type: 'StreamClosed', ...base, frames, bytes, timestamp: Date.now() });
      },
      fail: (error: unknown) => {
        if (!open) return;
        open = false;
        if (host.events.wants.StreamError) host.events.emit({ _type: 'StreamError', ...base, error: errorInfo(error), timestamp: Date.now() });
      },
    };
  }

  log(level: LogLevel, message: string, data: unknown): void {
    const events = this.#host.events;
    if (events.wants.ActorLog) {
      events.emit({ _type: 'ActorLog', actorId: this.id, component: this.def.name, level, message: String(message), ...(data !== undefined ? { data } : {}), timestamp: Date.now() });
    }
  }

  get #stats(): Counters {
    return (this.#counters ??= newCounters());
  }

  #notePeak(): void {
    const stats = this.#stats;
    if (this.backlog > stats.peakQueued) stats.peakQueued = this.backlog;
  }

  snapshot(): NodeStats {
    if (this.backlog > 0) this.#notePeak();
    const c = this.#counters;
    return {
      component: this.def.name, firings: c?.firings ?? 0, failures: c?.failures ?? 0, messagesIn: c?.messagesIn ?? 0, messagesOut: c?.messagesOut ?? 0,
      busyMs: c?.busyMs ?? 0, queued: this.backlog, peakQueued: c?.peakQueued ?? 0, thread: this.settings.thread,
    };
  }
}

/** The ActorContext handed to an actor: one per node, for the node's lifetime. */
const NO_ENV: Readonly<Record<string, string | undefined>> = Object.freeze({});

class NodeContext implements ActorContext {
  /** The inport (and slot) of the current firing ('each' mode). */
  port: string | undefined = undefined;
  index: number | undefined = undefined;
  /** The current firing's abort controller, when it has a timeout. */
  firingAbort: AbortController | null = null;
  /** While an ActorCompleted event is being measured: outputs before the firing, bytes emitted. */
  measuring: { before: number; bytes: number } | null = null;
  /** Incremented per async firing: a firing that settles after being superseded is ignored. */
  firingSeq = 0;
  /** See NodeRunner.drainWait. */
  drainWait: Channel | null = null;
  readonly #runner: NodeRunner;
  readonly config: Record<string, unknown>;
  readonly env: Readonly<Record<string, string | undefined>>;
  #state: unknown;
  #log: ActorLogger | null = null;

  constructor(runner: NodeRunner, config: Record<string, unknown>, env: Record<string, string | undefined>, state: unknown) {
    this.#runner = runner;
    this.config = config;
    this.env = Object.keys(env).length === 0 ? NO_ENV : Object.freeze({ ...env });
    this.#state = state;
  }

  get state(): any {
    return (this.#state ??= {});
  }
  set state(value: unknown) {
    this.#state = value;
  }
  get log(): ActorLogger {
    return (this.#log ??= new NodeLogger(this.#runner));
  }

  get nodeId(): string {
    return this.#runner.id;
  }
  get component(): string {
    return this.#runner.def.name;
  }
  get signal(): AbortSignal {
    return this.#runner.signal;
  }

  emit(port: string, value: unknown, index?: number): boolean {
    return this.#runner.emit(port, value, index);
  }
  drained(): Promise<void> {
    return this.#runner.drained();
  }
  keepAlive<T>(work: Promise<T>): Promise<T> {
    return this.#runner.keepAlive(work);
  }
  queued(port?: string): number {
    return this.#runner.waiting(port);
  }
  isConnected(port: string): boolean {
    return this.#runner.isConnected(port);
  }
  stream(port: string, info?: { contentType?: string; name?: string }): StreamWriter {
    return this.#runner.openStream(port, info);
  }
}

/** ctx.log: structured log lines as ActorLog events. */
class NodeLogger implements ActorLogger {
  readonly #runner: NodeRunner;
  constructor(runner: NodeRunner) {
    this.#runner = runner;
  }
  debug(message: string, data?: unknown): void {
    this.#runner.log('debug', message, data);
  }
  info(message: string, data?: unknown): void {
    this.#runner.log('info', message, data);
  }
  warn(message: string, data?: unknown): void {
    this.#runner.log('warn', message, data);
  }
  error(message: string, data?: unknown): void {
    this.#runner.log('error', message, data);
  }
}
