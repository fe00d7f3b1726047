// ZipConnection: one Socket.IO connection to Zeal's ZIP channel for one workflow (Zeal binds a
// socket to one workflow). Authenticates with `auth` and waits for `auth.success`, reconnects
// with backoff, handles every `error` code, and sends through a bounded outbox that keeps order
// between runtime events and binary stream frames and never holds more than `ackWindow`
// unacknowledged events on the wire. Our own events echoed back as `zip.event` are ignored.
import { createRequire } from 'node:module';
import type * as SocketIo from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { ZipTuning } from './config.ts';
import { silentLogger, type ZealLogger } from './logger.ts';
import { backoffDelay } from './rest-client.ts';
import type { ControlEventMessage, RuntimeEvent, WorkflowStateMessage, ZipBroadcastEvent, ZipErrorPayload } from './wire.ts';

export type ZipConnectionState =
  /** Connecting (or reconnecting) the socket. */
  | 'connecting'
  /** Connected; `auth` sent, waiting for `auth.success`. */
  | 'authenticating'
  /** Authenticated: events flow. */
  | 'ready'
  /** Zeal answered WORKFLOW_NOT_FOUND: this workflow cannot be traced live. Final. */
  | 'rejected'
  | 'closed';

/** Per-run counters of what a run handed to the connection and what became of it. */
export class ZipTally {
  /** Runtime events handed over. */
  queued = 0;
  /** Runtime events emitted on the socket. */
  sent = 0;
  /** Emitted events Zeal acknowledged (`event.acknowledged`). */
  acknowledged = 0;
  /** Emitted events Zeal refused (VALIDATION_ERROR, EVENT_ERROR, NOT_AUTHENTICATED). */
  rejected = 0;
  /** Events never emitted: outbox full, workflow rejected, connection closed, finish deadline. */
  dropped = 0;
  /** Emitted events whose answer never came because the connection dropped. */
  lost = 0;
  framesQueued = 0;
  framesSent = 0;
  framesDropped = 0;

  /** Every event and frame has an outcome. */
  get settled(): boolean {
    return this.queued === this.acknowledged + this.rejected + this.dropped + this.lost
      && this.framesQueued === this.framesSent + this.framesDropped;
  }
}

type OutboxItem =
  | { kind: 'event'; event: RuntimeEvent; tally: ZipTally; keep: boolean }
  | { kind: 'frame'; frame: Buffer; tally: ZipTally };

interface Inflight {
  tally: ZipTally;
  type: string;
}

export interface ZipConnectionHandlers {
  /** `workflow.state`: the stored graph, on auth and whenever Zeal's stored version changes. */
  workflowState?(message: WorkflowStateMessage): void;
  /** `control.event`: the user pressed Execute. */
  control?(message: ControlEventMessage): void;
  /** A `zip.event` that is not an echo of ours. */
  zipEvent?(event: ZipBroadcastEvent): void;
}

export interface ZipConnectionOptions {
  /** Socket.IO origin, e.g. http://127.0.0.1:3001. */
  url: string;
  /** Socket.IO path, normally `/zip/events`. */
  path: string;
  workflowId: string;
  apiKey?: string | undefined;
  tuning: ZipTuning;
  handlers?: ZipConnectionHandlers;
  log?: ZealLogger;
  /** Sent in the `auth` message's metadata. */
  runtime?: Record<string, unknown>;
}

export interface ZipConnectionStats {
  workflowId: string;
  state: ZipConnectionState;
  connects: number;
  disconnects: number;
  authFailures: number;
  sent: number;
  acknowledged: number;
  rejected: Record<string, number>;
  dropped: number;
  framesSent: number;
  framesDropped: number;
  /** Our own events echoed back to us as `zip.event`, ignored. */
  echoes: number;
  lastError?: string;
  lastRejection?: ZipErrorPayload;
}

/** Types Zeal rebuilds and broadcasts back to the room (so to us too). */
const ECHOED = new Set(['node.executing', 'node.completed', 'node.failed', 'execution.started', 'execution.completed', 'execution.failed', 'stream.opened', 'stream.closed', 'stream.error']);
/** Frames are held back while Engine.IO's write buffer holds more packets than this. */
const WRITE_BUFFER_LIMIT = 64;

export class ZipConnection {
  readonly workflowId: string;
  readonly #options: ZipConnectionOptions;
  readonly #tuning: ZipTuning;
  readonly #log: ZealLogger;
  readonly #socket: Socket;
  #state: ZipConnectionState = 'connecting';
  #outbox: OutboxItem[] = [];
  #frameBytes = 0;
  #inflight: Inflight[] = [];
  #pendingEchoes = new Map<string, number>();
  #authTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #waiters = new Set<() => void>();
  #readyWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #stats: ZipConnectionStats;

  constructor(options: ZipConnectionOptions) {
    this.workflowId = options.workflowId;
    this.#options = options;
    this.#tuning = options.tuning;
    this.#log = options.log ?? silentLogger;
    this.#stats = {
      workflowId: options.workflowId, state: 'connecting', connects: 0, disconnects: 0, authFailures: 0,
      sent: 0, acknowledged: 0, rejected: {}, dropped: 0, framesSent: 0, framesDropped: 0, echoes: 0,
    };
    // socket.io-client is loaded when Zeal is first connected (most servers never are).
    const { io } = createRequire(import.meta.url)('socket.io-client') as typeof SocketIo;
    this.#socket = io(options.url, {
      path: options.path,
      transports: ['websocket'],
      forceNew: true,
      // Its timers (reconnect backoff, heartbeats) never keep the process alive.
      autoUnref: true,
      reconnection: true,
      reconnectionDelay: this.#tuning.reconnectBaseMs,
      reconnectionDelayMax: this.#tuning.reconnectMaxMs,
      randomizationFactor: 0.5,
      ...(options.apiKey ? { auth: { token: options.apiKey }, extraHeaders: { authorization: `Bearer ${options.apiKey}` } } : {}),
    });
    this.#listen();
  }

  get state(): ZipConnectionState {
    return this.#state;
  }

  #setState(state: ZipConnectionState): void {
    this.#state = state;
    this.#stats.state = state;
  }

  #listen(): void {
    const s = this.#socket;
    s.on('connect', () => {
      this.#stats.connects++;
      this.#socket.io.engine?.on('drain', () => this.#pump());
      this.#authenticate();
    });
    s.on('connect_error', (err) => {
      this.#stats.lastError = `connect: ${err.message}`;
    });
    s.on('disconnect', (reason) => this.#onDisconnect(reason));
    s.on('auth.success', (msg: { workflowId?: unknown }) => {
      if (msg?.workflowId !== undefined && msg.workflowId !== this.workflowId) return;
      clearTimeout(this.#authTimer);
      this.#failures = 0;
      this.#setState('ready');
      this.#log.info({ workflowId: this.workflowId }, 'zeal: ZIP session authenticated');
      for (const w of this.#readyWaiters.splice(0)) w.resolve();
      this.#pump();
    });
    s.on('error', (payload: ZipErrorPayload) => this.#onError(payload));
    s.on('event.acknowledged', () => this.#settleInflight('ack'));
    s.on('workflow.state', (msg: WorkflowStateMessage) => this.#handle('workflowState', msg));
    s.on('control.event', (msg: ControlEventMessage) => this.#handle('control', msg));
    s.on('zip.event', (event: ZipBroadcastEvent) => {
      const type = typeof event?.type === 'string' ? event.type : '';
      const pending = this.#pendingEchoes.get(type) ?? 0;
      if (pending > 0) {
        this.#pendingEchoes.set(type, pending - 1);
        this.#stats.echoes++;
        return;
      }
      this.#handle('zipEvent', event);
    });
  }

  #handle<K extends keyof ZipConnectionHandlers>(name: K, payload: Parameters<NonNullable<ZipConnectionHandlers[K]>>[0]): void {
    const handler = this.#options.handlers?.[name] as ((p: typeof payload) => void) | undefined;
    if (!handler) return;
    try {
      handler(payload);
    } catch (err) {
      this.#log.error({ err, workflowId: this.workflowId, event: name }, 'zeal: handler for an inbound ZIP message failed');
    }
  }

  #authenticate(): void {
    this.#setState('authenticating');
    this.#socket.emit('auth', { type: 'auth', workflowId: this.workflowId, metadata: { runtime: 'actorflow', ...this.#options.runtime } });
    clearTimeout(this.#authTimer);
    this.#authTimer = setTimeout(() => {
      this.#stats.authFailures++;
      this.#stats.lastError = `auth: no auth.success within ${this.#tuning.authTimeoutMs} ms`;
      this.#retryAuth();
    }, this.#tuning.authTimeoutMs);
    this.#authTimer.unref();
  }

  /** Tries `auth` again after a backoff (the socket stays connected). */
  #retryAuth(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (this.#socket.connected && this.#state === 'authenticating') this.#authenticate();
    }, backoffDelay(++this.#failures, this.#tuning.reconnectBaseMs, this.#tuning.reconnectMaxMs));
    this.#retryTimer.unref();
  }

  #onError(payload: ZipErrorPayload): void {
    const code = typeof payload?.code === 'string' ? payload.code : 'UNKNOWN';
    const message = typeof payload?.message === 'string' ? payload.message : '';
    switch (code) {
      case 'WORKFLOW_NOT_FOUND':
        // Fatal for this workflow (zeal.md §9.2): stop, drop what waits.
        clearTimeout(this.#authTimer);
        this.#stats.lastError = `${code}: ${message}`;
        this.#log.warn({ workflowId: this.workflowId, code, message }, 'zeal: Zeal does not know this workflow; live events for it are off');
        this.#setState('rejected');
        this.#socket.disconnect();
        this.#dropAll();
        for (const w of this.#readyWaiters.splice(0)) w.reject(new Error(`Zeal rejected workflow ${this.workflowId}: ${message}`));
        return;
      case 'AUTH_ERROR':
        clearTimeout(this.#authTimer);
        this.#stats.authFailures++;
        this.#stats.lastError = `${code}: ${message}`;
        this.#log.warn({ workflowId: this.workflowId, code, message, details: payload.details }, 'zeal: ZIP auth failed; retrying');
        this.#retryAuth();
        return;
      case 'NOT_AUTHENTICATED':
        // Zeal lost our session (e.g. it restarted behind the same socket): count and re-authenticate.
        this.#reject(code, payload);
        if (this.#state === 'ready') this.#authenticate();
        return;
      case 'UPDATE_ERROR':
        this.#stats.rejected[code] = (this.#stats.rejected[code] ?? 0) + 1;
        return;
      default:
        // VALIDATION_ERROR, EVENT_ERROR: the answer to one runtime.event.
        this.#reject(code, payload);
    }
  }

  #reject(code: string, payload: ZipErrorPayload): void {
    this.#stats.rejected[code] = (this.#stats.rejected[code] ?? 0) + 1;
    const first = this.#stats.lastRejection === undefined;
    this.#stats.lastRejection = { code, message: String(payload?.message ?? ''), ...(payload?.details !== undefined ? { details: payload.details } : {}) };
    if (first) this.#log.warn({ workflowId: this.workflowId, rejection: this.#stats.lastRejection }, 'zeal: Zeal refused a runtime event');
    this.#settleInflight('reject');
  }

  #settleInflight(outcome: 'ack' | 'reject'): void {
    const entry = this.#inflight.shift();
    if (!entry) return;
    if (outcome === 'ack') {
      entry.tally.acknowledged++;
      this.#stats.acknowledged++;
    } else {
      entry.tally.rejected++;
      const pending = this.#pendingEchoes.get(entry.type) ?? 0;
      if (pending > 0) this.#pendingEchoes.set(entry.type, pending - 1);
    }
    this.#pump();
  }

  #onDisconnect(reason: string): void {
    clearTimeout(this.#authTimer);
    this.#stats.disconnects++;
    for (const entry of this.#inflight) entry.tally.lost++;
    this.#inflight = [];
    this.#pendingEchoes.clear();
    if (this.#state === 'rejected' || this.#state === 'closed') {
      this.#notify();
      return;
    }
    this.#setState('connecting');
    this.#stats.lastError = `disconnected: ${reason}`;
    this.#log.warn({ workflowId: this.workflowId, reason }, 'zeal: ZIP connection lost; reconnecting');
    // Socket.IO reconnects by itself except when the server closed the socket on purpose.
    if (reason === 'io server disconnect') {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        if (this.#state === 'connecting') this.#socket.connect();
      }, backoffDelay(++this.#failures, this.#tuning.reconnectBaseMs, this.#tuning.reconnectMaxMs));
      this.#retryTimer.unref();
    }
    this.#notify();
  }

  /**
   * Queues a runtime event. `keep` marks events the outbox drops last (execution.* ones). Never
   * throws, never blocks: a full outbox drops its oldest droppable item and counts it.
   */
  send(event: RuntimeEvent, tally: ZipTally, keep = false): void {
    tally.queued++;
    if (this.#state === 'rejected' || this.#state === 'closed') {
      tally.dropped++;
      this.#stats.dropped++;
      return;
    }
    if (this.#outbox.length >= this.#tuning.outboxSize) this.#evict();
    this.#outbox.push({ kind: 'event', event, tally, keep });
    this.#pump();
  }

  /** Queues binary stream frames (in order with the events). Over the byte budget they are dropped. */
  sendFrames(frames: Buffer[], tally: ZipTally): void {
    for (const frame of frames) {
      tally.framesQueued++;
      if (this.#state === 'rejected' || this.#state === 'closed' || this.#frameBytes + frame.byteLength > this.#tuning.frameBufferBytes) {
        tally.framesDropped++;
        this.#stats.framesDropped++;
        continue;
      }
      this.#frameBytes += frame.byteLength;
      this.#outbox.push({ kind: 'frame', frame, tally });
    }
    this.#pump();
  }

  /** Makes room: drops the oldest event that is not kept (or the oldest item when all are kept). */
  #evict(): void {
    let at = this.#outbox.findIndex((item) => item.kind === 'event' && !item.keep);
    if (at < 0) at = 0;
    const [item] = this.#outbox.splice(at, 1);
    this.#dropItem(item);
  }

  #dropItem(item: OutboxItem): void {
    if (item.kind === 'event') {
      item.tally.dropped++;
      this.#stats.dropped++;
    } else {
      this.#frameBytes -= item.frame.byteLength;
      item.tally.framesDropped++;
      this.#stats.framesDropped++;
    }
  }

  #dropAll(): void {
    for (const item of this.#outbox.splice(0)) this.#dropItem(item);
    this.#notify();
  }

  #writeBacklog(): number {
    const engine = this.#socket.io.engine as unknown as { writeBuffer?: unknown[] } | undefined;
    return engine?.writeBuffer?.length ?? 0;
  }

  #pump(): void {
    if (this.#state === 'ready') {
      let sent = 0;
      for (const item of this.#outbox) {
        if (item.kind === 'event') {
          if (this.#inflight.length >= this.#tuning.ackWindow) break;
          this.#socket.emit('runtime.event', item.event);
          item.tally.sent++;
          this.#stats.sent++;
          this.#inflight.push({ tally: item.tally, type: item.event.type });
          if (ECHOED.has(item.event.type)) this.#pendingEchoes.set(item.event.type, (this.#pendingEchoes.get(item.event.type) ?? 0) + 1);
        } else {
          if (this.#writeBacklog() > WRITE_BUFFER_LIMIT) break; // resumed on the engine's 'drain'
          this.#socket.emit('stream.frame', item.frame);
          this.#frameBytes -= item.frame.byteLength;
          item.tally.framesSent++;
          this.#stats.framesSent++;
        }
        sent++;
      }
      if (sent > 0) this.#outbox.splice(0, sent);
    }
    this.#notify();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves once authenticated; rejects when Zeal rejects the workflow or the connection closes. */
  ready(): Promise<void> {
    if (this.#state === 'ready') return Promise.resolve();
    if (this.#state === 'rejected' || this.#state === 'closed') return Promise.reject(new Error(`ZIP connection for ${this.workflowId} is ${this.#state}`));
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  /** Resolves when everything a tally queued has an outcome (acknowledged, refused, dropped or lost). */
  settled(tally: ZipTally): Promise<void> {
    if (tally.settled) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!tally.settled) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  /** Drops whatever a tally still has queued, and counts its unanswered events as lost. */
  abandon(tally: ZipTally): void {
    const keep: OutboxItem[] = [];
    for (const item of this.#outbox) {
      if (item.tally === tally) this.#dropItem(item);
      else keep.push(item);
    }
    this.#outbox = keep;
    const detached = new ZipTally(); // answers still to come no longer count for the run
    for (const entry of this.#inflight) if (entry.tally === tally) entry.tally = detached;
    tally.lost += tally.sent - tally.acknowledged - tally.rejected - tally.lost;
    this.#notify();
  }

  stats(): ZipConnectionStats {
    return { ...this.#stats, rejected: { ...this.#stats.rejected } };
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    clearTimeout(this.#authTimer);
    clearTimeout(this.#retryTimer);
    this.#dropAll();
    for (const w of this.#readyWaiters.splice(0)) w.reject(new Error(`ZIP connection for ${this.workflowId} closed`));
    this.#socket.removeAllListeners();
    this.#socket.disconnect();
  }
}
