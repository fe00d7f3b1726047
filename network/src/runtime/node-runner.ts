// NodeRunner: one node's actor instance at run time — its inports (channels in arrival order),
// outports (fan-out to every connection), firing rules, state, failures, retries and timeouts.
import type {
  ActorContext, ActorDefinition, ActorLogger, InPortSpec, LogLevel, OutPortSpec, StreamWriter,
} from '../actor/types.ts';
import { ActorflowError, TimeoutError } from '../errors.ts';
import { messageSize } from '../messages/size.ts';
import type { Channel, ChannelConsumer, ChannelProducer } from './channel.ts';
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
  /** A node with queued input is waiting for a full downstream channel. */
  setBlocked(runner: NodeRunner, blocked: boolean): void;
  /** A node handed out (or no longer has) a drain promise of a full channel. */
  setDrainWait(runner: NodeRunner, channel: Channel | null): void;
  /** Something settled: check whether the network went idle. */
  checkIdle(): void;
  /** A failure that no retry and no `error` port absorbed. */
  onActorFailure(runner: NodeRunner, error: unknown, phase: FailurePhase, handled: boolean): void;
  /** A value left through an exported outport. */
  recordOutput(port: string, value: unknown): void;
}

export type FailurePhase = 'setup' | 'process' | 'run' | 'teardown';

/** An inport at run time. */
export interface InPortRuntime {
  readonly name: string;
  readonly spec: InPortSpec;
  readonly channels: Channel[];
  /** Packets queued on this port. */
  queued: number;
  /** Sticky ports keep their last value. */
  last: unknown;
  hasLast: boolean;
  /** Builds `{ [name]: value }` with a stable object shape (computed keys are slow). */
  readonly makeInput: (value: unknown) => Record<string, unknown>;
}

/** An outport at run time. */
export interface OutPortRuntime {
  readonly name: string;
  readonly spec: OutPortSpec;
  readonly channels: Channel[];
  /** Exported outports fed by this port. */
  readonly exports: string[];
}

/** Firing modes, as small integers for the hot path. */
const EACH = 0;
const ALL = 1;
const CUSTOM = 2;
type Mode = typeof EACH | typeof ALL | typeof CUSTOM;

function inputFactory(port: string): (value: unknown) => Record<string, unknown> {
  // Port names are checked by defineActor (letters, digits, _ and -); JSON.stringify quotes them.
  return new Function('v', `return { ${JSON.stringify(port)}: v };`) as (value: unknown) => Record<string, unknown>;
}

/** Per-node settings taken from node metadata. */
export interface NodeSettings {
  retry?: RetryPolicy;
  timeoutMs?: number;
  thread: string;
}

export class NodeRunner implements Runnable, ChannelConsumer, ChannelProducer {
  readonly id: string;
  readonly def: ActorDefinition;
  readonly inports = new Map<string, InPortRuntime>();
  readonly outports = new Map<string, OutPortRuntime>();
  readonly ctx: NodeContext;
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
  /** A full channel whose drain promise an emit handed out (the firing is probably awaiting it). */
  drainWait: Channel | null = null;
  #running = false;
  #draining = false;
  readonly #host: RunnerHost;
  readonly #mode: Mode;
  readonly #order = new Ring<Channel>(16);
  #stickyPorts = 0;
  #firingSeq = 0;
  #firingAbort: AbortController | null = null;
  #emits = 0;
  #emitBytes = 0;
  #measure = false;
  #streams = 0;
  readonly stats: NodeStats;

  constructor(id: string, def: ActorDefinition, ports: { inports: Record<string, InPortSpec>; outports: Record<string, OutPortSpec> },
    config: Record<string, unknown>, env: Record<string, string | undefined>, settings: NodeSettings, host: RunnerHost) {
    this.id = id;
    this.def = def;
    this.settings = settings;
    this.#host = host;
    this.#mode = def.fire === 'all' ? ALL : typeof def.fire === 'function' ? CUSTOM : EACH;
    for (const [name, spec] of Object.entries(ports.inports)) {
      this.inports.set(name, { name, spec, channels: [], queued: 0, last: spec.default, hasLast: spec.default !== undefined, makeInput: inputFactory(name) });
      if (spec.sticky) this.#stickyPorts++;
    }
    for (const [name, spec] of Object.entries(ports.outports)) this.outports.set(name, { name, spec, channels: [], exports: [] });
    this.ctx = new NodeContext(this, config, env, def.state ? def.state() : {});
    this.stats = { component: def.name, firings: 0, failures: 0, messagesIn: 0, messagesOut: 0, busyMs: 0, queued: 0, peakQueued: 0, thread: settings.thread };
  }

  get component(): string {
    return this.def.name;
  }

  get signal(): AbortSignal {
    return this.#firingAbort?.signal ?? this.#host.signal;
  }

  /** The inport a firing came from (each mode). */
  firingPort: string | undefined = undefined;
  firingIndex: number | undefined = undefined;

  // ------------------------------------------------------------------ wiring

  attachInput(channel: Channel): void {
    const port = this.inports.get(channel.to.port);
    if (!port) throw new ActorflowError('UNKNOWN_PORT', `node '${this.id}' has no inport '${channel.to.port}'`, `inports: ${[...this.inports.keys()].join(', ') || '(none)'}`);
    channel.slot = port;
    port.channels.push(channel);
  }

  detachInput(channel: Channel): void {
    const port = channel.slot as InPortRuntime;
    const i = port.channels.indexOf(channel);
    if (i >= 0) port.channels.splice(i, 1);
    const dropped = channel.size;
    port.queued -= dropped;
    this.backlog -= dropped;
    if (this.#mode === EACH) this.#order.removeWhere((c) => c === channel);
  }

  attachOutput(channel: Channel): void {
    const port = this.#outport(channel.from.port);
    channel.producer = this;
    port.channels.push(channel);
  }

  detachOutput(channel: Channel): void {
    const port = this.#outport(channel.from.port);
    const i = port.channels.indexOf(channel);
    if (i >= 0) port.channels.splice(i, 1);
    channel.producer = null;
    if (channel.full) this.onChannelDrained(channel);
  }

  #outport(name: string): OutPortRuntime {
    const port = this.outports.get(name);
    if (!port) throw new ActorflowError('UNKNOWN_PORT', `node '${this.id}' has no outport '${name}'`, `outports: ${[...this.outports.keys()].join(', ') || '(none)'}`);
    return port;
  }

  /** Outgoing channels at capacity (what a blocked node waits for). */
  fullOutputs(): Channel[] {
    const full: Channel[] = [];
    for (const p of this.outports.values()) for (const c of p.channels) if (c.full) full.push(c);
    return full;
  }

  isConnected(port: string): boolean {
    const p = this.outports.get(port);
    return p !== undefined && (p.channels.length > 0 || p.exports.length > 0);
  }

  // ------------------------------------------------------------------ channel callbacks

  onDeliver(channel: Channel): void {
    (channel.slot as InPortRuntime).queued++;
    if (++this.backlog > this.stats.peakQueued) this.stats.peakQueued = this.backlog;
    if (this.#mode === EACH) this.#order.push(channel);
    if (this.queued || !this.#running || this.busy || this.#draining) return;
    if (this.blockedOn === 0) this.#host.scheduler.enqueue(this);
    else this.#host.setBlocked(this, true);
  }

  onDrop(channel: Channel): void {
    (channel.slot as InPortRuntime).queued--;
    this.backlog--;
    if (this.#host.events.wants.MessageDropped) {
      this.#host.events.emit({ _type: 'MessageDropped', fromActor: channel.from.node, fromPort: channel.from.port, toActor: this.id, toPort: channel.to.port, reason: 'overflow', count: 1, timestamp: Date.now() });
    }
  }

  onChannelFull(): void {
    this.blockedOn++;
  }

  onChannelDrained(channel: Channel): void {
    if (channel === this.drainWait) this.#host.setDrainWait(this, (this.drainWait = null));
    if (--this.blockedOn > 0) return;
    this.#host.setBlocked(this, false);
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
    this.#firingSeq++;
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
    if (this.#mode === EACH) this.#drainEach(budget);
    else this.#drainWhole(budget);
    this.#draining = false;
    this.forced = false;
    if (timing) this.stats.busyMs += performance.now() - t0;
    if (!this.busy) this.#afterDrain();
  }

  #afterDrain(): void {
    if (this.backlog === 0 || !this.#running) return;
    if (this.blockedOn > 0) this.#host.setBlocked(this, true);
    else if (this.#mode === EACH || this.#readyPorts() !== null) this.#host.scheduler.enqueue(this);
  }

  #drainEach(budget: number): void {
    const order = this.#order;
    let n = 0;
    while (n < budget) {
      if (this.blockedOn > 0 && !this.forced) return;
      const ch = order.shift();
      if (ch === undefined) return;
      if (ch.skip > 0) {
        ch.skip--;
        continue;
      }
      const port = ch.slot as InPortRuntime;
      const value = ch.take();
      port.queued--;
      this.backlog--;
      this.stats.messagesIn++;
      if (port.spec.sticky) {
        port.last = value;
        port.hasLast = true;
        continue;
      }
      n++;
      const input = this.#stickyPorts === 0 ? port.makeInput(value) : this.#withSticky(port.name, value);
      this.firingPort = port.name;
      this.firingIndex = ch.to.index;
      if (this.#fire(input, 1)) return;
    }
  }

  #withSticky(name: string, value: unknown): Record<string, unknown> {
    const input: Record<string, unknown> = {};
    for (const p of this.inports.values()) if (p.spec.sticky && p.hasLast) input[p.name] = p.last;
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
      for (const p of this.inports.values()) {
        if (ports.includes(p.name)) input[p.name] = this.#takeFrom(p);
        else if (p.hasLast) input[p.name] = p.last;
      }
      this.firingPort = undefined;
      this.firingIndex = undefined;
      if (this.#fire(input, 1)) return;
    }
  }

  /** The ports to take from for the next firing, or null if not ready. */
  #readyPorts(): string[] | null {
    if (this.#mode === CUSTOM) {
      const counts: Record<string, number> = {};
      for (const p of this.inports.values()) counts[p.name] = p.queued;
      let chosen: false | readonly string[];
      try {
        chosen = (this.def.fire as (q: Record<string, number>) => false | readonly string[])(counts);
      } catch (err) {
        this.#reportFailure(err, 'process', 1, false);
        return null;
      }
      if (!chosen || chosen.length === 0) return null;
      for (const name of chosen) {
        if (!this.inports.has(name) || counts[name] === 0) {
          this.#reportFailure(new ActorflowError('BAD_READINESS', `node '${this.id}': fire() chose port '${name}', which ${this.inports.has(name) ? 'has nothing queued' : 'does not exist'}`, 'return only ports whose count is above 0'), 'process', 1, false);
          return null;
        }
      }
      return [...chosen];
    }
    const ports: string[] = [];
    for (const p of this.inports.values()) {
      if (p.channels.length === 0) continue; // unconnected: default (if any) is offered as last value
      if (p.spec.addressable && !p.spec.sticky) {
        if (p.channels.some((c) => c.size === 0)) return null;
        ports.push(p.name);
      } else if (p.queued > 0) ports.push(p.name);
      else if (!(p.spec.sticky && p.hasLast)) return null;
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
    if (p.spec.sticky) {
      p.last = value;
      p.hasLast = true;
    }
    return value;
  }

  #takeOne(p: InPortRuntime, c: Channel): unknown {
    p.queued--;
    this.backlog--;
    this.stats.messagesIn++;
    return c.take();
  }

  /** Runs one firing. Returns true when it went asynchronous (the node is busy until it settles). */
  #fire(input: Record<string, unknown>, attempt: number): boolean {
    const host = this.#host;
    this.stats.firings++;
    const wants = host.events.wants;
    if (wants.ActorStarted) host.events.emit({ _type: 'ActorStarted', actorId: this.id, component: this.def.name, timestamp: Date.now(), ...(this.firingPort ? { port: this.firingPort } : {}) });
    this.#measure = wants.ActorCompleted;
    const t0 = this.#measure ? performance.now() : 0;
    this.#emits = 0;
    this.#emitBytes = 0;
    let result: void | boolean | Promise<void>;
    if (this.settings.timeoutMs !== undefined) this.#firingAbort = new AbortController();
    try {
      result = this.def.process!(input, this.ctx);
    } catch (err) {
      this.#firingAbort = null;
      return this.#failed(err, input, attempt);
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      this.#awaitFiring(result as Promise<void>, input, attempt, t0);
      return true;
    }
    this.#firingAbort = null;
    if (this.#measure) this.#completed(t0);
    return false;
  }

  #completed(t0: number): void {
    this.#host.events.emit({
      _type: 'ActorCompleted', actorId: this.id, component: this.def.name, timestamp: Date.now(),
      durationMs: performance.now() - t0, outputCount: this.#emits, outputSize: this.#emitBytes,
    });
  }

  #awaitFiring(promise: Promise<void>, input: Record<string, unknown>, attempt: number, t0: number): void {
    const host = this.#host;
    this.busy = true;
    host.pending++;
    const seq = ++this.#firingSeq;
    const started = host.timing ? performance.now() : 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const settle = (err: unknown, failed: boolean) => {
      if (done) return; // a timed-out firing settling late
      done = true;
      if (timer) clearTimeout(timer);
      this.busy = false;
      host.pending--;
      if (seq !== this.#firingSeq) {
        host.checkIdle(); // the node was stopped or removed meanwhile
        return;
      }
      this.#firingAbort = null;
      if (host.timing) this.stats.busyMs += performance.now() - started;
      if (failed) {
        if (this.#failed(err, input, attempt)) return;
      } else if (this.#measure) this.#completed(t0);
      if (this.#running) this.#afterDrain();
      host.checkIdle();
    };
    const timeoutMs = this.settings.timeoutMs;
    if (timeoutMs !== undefined) {
      const abort = this.#firingAbort!;
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
    const handled = this.isConnected('error') && this.outports.get('error') !== undefined;
    this.#reportFailure(err, 'process', attempt, false, handled);
    if (handled) {
      const info = errorInfo(err);
      delete info.stack;
      this.emit('error', { ...info, actorId: this.id, component: this.def.name, port: this.firingPort, input });
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
    const seq = ++this.#firingSeq;
    setTimeout(() => {
      host.pending--;
      this.busy = false;
      if (seq !== this.#firingSeq || !this.#running) {
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
    if (!willRetry) this.stats.failures++;
    const host = this.#host;
    if (host.events.wants.ActorFailed) {
      host.events.emit({ _type: 'ActorFailed', actorId: this.id, component: this.def.name, timestamp: Date.now(), error: errorInfo(err), attempt, willRetry, handled, phase });
    }
    if (!willRetry) host.onActorFailure(this, err, phase, handled);
  }

  // ------------------------------------------------------------------ output

  /** Sends a value out of a port (see ActorContext.emit). */
  emit(port: string, value: unknown, index?: number): boolean {
    const out = this.outports.get(port);
    if (out === undefined) {
      throw new ActorflowError('UNKNOWN_PORT', `node '${this.id}' (${this.def.name}) emitted on unknown outport '${port}'`, `outports: ${[...this.outports.keys()].join(', ') || '(none)'}`);
    }
    this.stats.messagesOut++;
    this.#emits++;
    const host = this.#host;
    const sized = this.#measure || host.events.wants.MessageSent;
    const size = sized ? messageSize(value) : 0;
    this.#emitBytes += size;
    const channels = out.channels;
    let room = true;
    for (let i = 0; i < channels.length; i++) {
      const c = channels[i];
      if (index !== undefined && c.from.index !== undefined && c.from.index !== index) continue;
      c.push(value);
      if (c.full) room = false;
      if (host.events.wants.MessageSent) {
        host.events.emit({
          _type: 'MessageSent', fromActor: this.id, fromPort: port, toActor: c.to.node, toPort: c.to.port,
          ...(c.to.index !== undefined ? { toIndex: c.to.index } : {}), size, message: value, timestamp: Date.now(),
        });
      }
    }
    for (let i = 0; i < out.exports.length; i++) host.recordOutput(out.exports[i], value);
    return room;
  }

  /** Resolves when no outgoing channel is full (see ActorContext.drained). */
  drained(): Promise<void> {
    const full = this.fullOutputs();
    if (full.length === 0) return Promise.resolve();
    if (this.drainWait === null) this.#host.setDrainWait(this, (this.drainWait = full[0]));
    return full.length === 1 ? full[0].drained() : Promise.all(full.map((c) => c.drained())).then(() => undefined);
  }

  openStream(port: string, info: { contentType?: string; name?: string } = {}): StreamWriter {
    this.#outport(port);
    const streamId = `${this.id}:${port}:${++this.#streams}`;
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

  snapshot(): NodeStats {
    return { ...this.stats, queued: this.backlog };
  }
}

/** The ActorContext handed to an actor: one per node, for the node's lifetime. */
class NodeContext implements ActorContext {
  readonly #runner: NodeRunner;
  readonly config: Record<string, unknown>;
  readonly env: Readonly<Record<string, string | undefined>>;
  state: unknown;
  readonly log: ActorLogger;

  constructor(runner: NodeRunner, config: Record<string, unknown>, env: Record<string, string | undefined>, state: unknown) {
    this.#runner = runner;
    this.config = config;
    this.env = Object.freeze({ ...env });
    this.state = state;
    this.log = {
      debug: (m, d) => runner.log('debug', m, d),
      info: (m, d) => runner.log('info', m, d),
      warn: (m, d) => runner.log('warn', m, d),
      error: (m, d) => runner.log('error', m, d),
    };
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
  get port(): string | undefined {
    return this.#runner.firingPort;
  }
  get index(): number | undefined {
    return this.#runner.firingIndex;
  }
  emit(port: string, value: unknown, index?: number): boolean {
    return this.#runner.emit(port, value, index);
  }
  drained(): Promise<void> {
    return this.#runner.drained();
  }
  isConnected(port: string): boolean {
    return this.#runner.isConnected(port);
  }
  stream(port: string, info?: { contentType?: string; name?: string }): StreamWriter {
    return this.#runner.openStream(port, info);
  }
}
