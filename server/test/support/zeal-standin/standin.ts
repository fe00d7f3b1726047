// A faithful Zeal stand-in for tests (zeal.md §7): the real `socket.io` server at path
// `/zip/events` on its own port, Zeal's ZIP HTTP routes on another, the same zod validation and
// the same replies — quirks included (a duplicate template is `status:'error'` inside a 200, the
// 1 MB Engine.IO message limit, our own events echoed to the room, a fractional trace duration
// failing the INTEGER column with a 500). Records everything it receives, and has fault knobs:
// stop/restart (down at start, killed mid-run), forced 400/500 answers, slow answers.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Server as SocketServer, type Socket } from 'socket.io';
import type { ZodError } from 'zod';
import type { ZealGraph } from '../../../src/zeal/wire.ts';
import * as schema from './schemas.ts';

/** A workflow Zeal knows. Without `graphs` it has no stored version (no `workflow.state` on auth). */
export interface StandInWorkflow {
  id: string;
  name: string;
  version?: number;
  graphs?: ZealGraph[];
}

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
  response: unknown;
}

export interface RecordedMessage {
  at: number;
  socketId: string;
  event: string;
  payload: unknown;
  /** Bytes of the JSON payload (or of the binary frame). */
  bytes: number;
  /** What the stand-in answered to the sender: 'acknowledged', an error code, or nothing. */
  reply?: string;
}

export interface TraceSessionRecord {
  sessionId: string;
  request: Record<string, unknown>;
  events: schema.TraceEventInput[];
  completion?: schema.TraceCompletionInput;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
}

export interface StandInFaults {
  /** Answer every matching REST request with this status (Zeal's error envelope). */
  restStatus?: 400 | 401 | 500 | 503;
  /** Only requests whose path matches. Default: every ZIP route. */
  restMatch?: RegExp;
  /** Only this many times (then answer normally). Default: until cleared. */
  restTimes?: number;
  /** Delay every REST answer and every socket reply by this long. */
  delayMs?: number;
  /** The `auth` handler throws (Zeal answers AUTH_ERROR 'Authentication failed'). */
  authThrows?: boolean;
  /** Zeal HEAD's defect 1: routes with a dynamic segment answer 400 "Missing … parameter". */
  routeParamsBug?: boolean;
  /** Require `Authorization: Bearer <key>` or `X-API-Key` on REST (ZEAL_AUTH_ENABLED=true). */
  apiKey?: string;
}

interface Ports {
  rest: number;
  zip: number;
}

const ZIP_ROUTE = /^\/api\/zip\//;

function evtId(): string {
  return `evt_${Date.now()}_${Math.random().toString(36).substring(2, 11)}`;
}

/** Zeal rebuilds each accepted runtime event as a typed event (§1.5): fields at top level. */
function typedEvent(e: schema.RuntimeEventInput): Record<string, unknown> | undefined {
  const base = { id: evtId(), timestamp: new Date().toISOString(), workflowId: e.workflowId, graphId: e.graphId || 'main' };
  const data = (e.data ?? {}) as Record<string, any>;
  switch (e.type) {
    case 'node.executing':
      return { ...base, type: e.type, nodeId: e.nodeId || '', inputConnections: data.inputConnections || [] };
    case 'node.completed':
      return { ...base, type: e.type, nodeId: e.nodeId || '', outputConnections: data.outputConnections || [], duration: data.duration, outputSize: data.outputSize, metadata: e.metadata };
    case 'node.failed':
      return { ...base, type: e.type, nodeId: e.nodeId || '', outputConnections: data.outputConnections || [], error: data.error };
    case 'execution.started':
      return { ...base, type: e.type, sessionId: data.sessionId || '', workflowName: data.workflowName || `Workflow ${e.workflowId}`, metadata: e.metadata };
    case 'execution.completed':
      return { ...base, type: e.type, sessionId: data.sessionId || '', duration: data.duration || 0, nodesExecuted: data.nodesExecuted || 0, summary: data.summary, metadata: e.metadata };
    case 'execution.failed':
      return { ...base, type: e.type, sessionId: data.sessionId || '', duration: data.duration, error: data.error, metadata: e.metadata };
    case 'stream.opened':
      return { ...base, type: e.type, nodeId: e.nodeId || '', port: e.port || '', streamId: e.streamId || 0, contentType: e.contentType, sizeHint: e.sizeHint, metadata: e.metadata };
    case 'stream.closed':
      return { ...base, type: e.type, nodeId: e.nodeId || '', streamId: e.streamId || 0, totalBytes: e.totalBytes || 0, metadata: e.metadata };
    case 'stream.error':
      return { ...base, type: e.type, nodeId: e.nodeId || '', streamId: e.streamId || 0, error: e.error || 'Unknown stream error', metadata: e.metadata };
    default:
      return undefined; // node.warning, connection.state, workflow.*: acknowledged, never broadcast
  }
}

/** Zeal's `parseStreamFrame`: type byte, u64 LE stream id, payload; an unknown type reads as data. */
function parseFrame(data: Buffer): { type: string; streamId: number; payload: Buffer; metadata?: unknown; message?: string } {
  if (data.byteLength < 9) throw new RangeError('frame shorter than its header');
  const streamId = data.readUInt32LE(1) + data.readUInt32LE(5) * 0x100000000;
  const payload = data.subarray(9);
  switch (data[0]) {
    case 0x01: return { type: 'begin', streamId, payload, metadata: JSON.parse(payload.toString('utf8')) };
    case 0x03: return { type: 'end', streamId, payload };
    case 0x04: return { type: 'error', streamId, payload, message: payload.toString('utf8') };
    default: return { type: 'data', streamId, payload };
  }
}

function issues(err: ZodError): unknown {
  return err.errors;
}

class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.body = { error: { code, message, ...(details !== undefined ? { details } : {}), ...(status >= 500 ? { traceId: `trace_${Date.now()}` } : {}) } };
  }
}

export class ZealStandIn extends EventEmitter {
  readonly workflows = new Map<string, StandInWorkflow>();
  readonly requests: RecordedRequest[] = [];
  readonly messages: RecordedMessage[] = [];
  readonly traces = new Map<string, TraceSessionRecord>();
  /** Registered templates by global id `<namespace>/<id>`. */
  readonly templates = new Map<string, schema.NodeTemplateInput>();
  readonly categories = new Map<string, { name: string; displayName: string }>();
  faults: StandInFaults = {};
  #ports: Ports | undefined;
  #http: HttpServer | undefined;
  #zipHttp: HttpServer | undefined;
  #io: SocketServer | undefined;
  #authed = new Map<string, string>(); // socket id → workflow id

  /** Starts on two free ports of 127.0.0.1. */
  static async start(workflows: StandInWorkflow[] = []): Promise<ZealStandIn> {
    const z = new ZealStandIn();
    for (const wf of workflows) z.workflows.set(wf.id, wf);
    await z.restart();
    return z;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.#require().rest}`;
  }

  get zipUrl(): string {
    return `http://127.0.0.1:${this.#require().zip}`;
  }

  get running(): boolean {
    return this.#io !== undefined;
  }

  /** The ZEAL_* settings that point a bridge at this stand-in. */
  settings(extra: Record<string, string> = {}): Record<string, string> {
    return { ZEAL_URL: this.restUrl, ZEAL_ZIP_URL: this.zipUrl, ...extra };
  }

  #require(): Ports {
    if (!this.#ports) throw new Error('stand-in has no ports yet: call start()');
    return this.#ports;
  }

  /** (Re)starts listening, on the same ports as before when it ran already. */
  async restart(): Promise<void> {
    if (this.#io) return;
    const http = createServer((req, res) => void this.#route(req, res));
    const zipHttp = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject).listen(this.#ports?.rest ?? 0, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve, reject) => {
      zipHttp.once('error', reject).listen(this.#ports?.zip ?? 0, '127.0.0.1', () => resolve());
    });
    this.#ports = { rest: (http.address() as AddressInfo).port, zip: (zipHttp.address() as AddressInfo).port };
    const io = new SocketServer(zipHttp, { path: '/zip/events', cors: { origin: '*', methods: ['GET', 'POST'] } });
    io.on('connection', (socket) => this.#onConnection(socket));
    this.#http = http;
    this.#zipHttp = zipHttp;
    this.#io = io;
  }

  /** Kills both servers (every socket and HTTP connection dropped); `restart()` brings them back. */
  async stop(): Promise<void> {
    const io = this.#io;
    if (!io) return;
    this.#io = undefined;
    this.#authed.clear();
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      void io.close(() => resolve());
    });
    this.#zipHttp?.closeAllConnections();
    const http = this.#http!;
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.stop();
    this.removeAllListeners();
  }

  // ---------------------------------------------------------------- waiting

  /** Resolves with the first recorded item satisfying `predicate`, now or later. */
  waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = probe();
        if (hit === undefined) return;
        cleanup();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`stand-in: timed out after ${timeoutMs} ms waiting for ${what}; recorded ${this.requests.length} requests (${this.requests.slice(-5).map((r) => `${r.method} ${r.path} ${r.status}`).join(', ')}) and ${this.messages.length} socket messages`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('record', check);
      };
      this.on('record', check);
    });
  }

  #record(): void {
    this.emit('record');
  }

  /** Runtime events received (validated or not), in order. */
  runtimeEvents(): RecordedMessage[] {
    return this.messages.filter((m) => m.event === 'runtime.event');
  }

  // ---------------------------------------------------------------- socket

  #onConnection(socket: Socket): void {
    const reply = async (event: string, payload: unknown) => {
      if (this.faults.delayMs) await delay(this.faults.delayMs);
      socket.emit(event, payload);
    };
    const recordIn = (event: string, payload: unknown, bytes: number): RecordedMessage => {
      const m: RecordedMessage = { at: Date.now(), socketId: socket.id, event, payload, bytes };
      this.messages.push(m);
      return m;
    };
    socket.on('auth', async (data: unknown) => {
      const m = recordIn('auth', data, JSON.stringify(data ?? null).length);
      const parsed = schema.authMessage.safeParse(data);
      if (!parsed.success) {
        await reply('error', { code: 'AUTH_ERROR', message: 'Invalid auth message', details: issues(parsed.error) });
        m.reply = 'AUTH_ERROR';
      } else if (this.faults.authThrows) {
        await reply('error', { code: 'AUTH_ERROR', message: 'Authentication failed' });
        m.reply = 'AUTH_ERROR';
      } else {
        const wf = this.workflows.get(parsed.data.workflowId);
        if (!wf) {
          await reply('error', { code: 'WORKFLOW_NOT_FOUND', message: `Workflow ${parsed.data.workflowId} not found` });
          m.reply = 'WORKFLOW_NOT_FOUND';
        } else {
          this.#authed.set(socket.id, wf.id);
          await socket.join(`workflow:${wf.id}`);
          if (wf.graphs) await reply('workflow.state', this.#workflowState(wf));
          await reply('auth.success', { workflowId: wf.id, message: 'Successfully authenticated', timestamp: Date.now() });
          m.reply = 'auth.success';
        }
      }
      this.#record();
    });
    socket.on('runtime.event', async (data: unknown) => {
      const m = recordIn('runtime.event', data, Buffer.byteLength(JSON.stringify(data ?? null)));
      if (!this.#authed.has(socket.id)) {
        await reply('error', { code: 'NOT_AUTHENTICATED', message: 'Please authenticate first' });
        m.reply = 'NOT_AUTHENTICATED';
        this.#record();
        return;
      }
      const parsed = schema.runtimeEvent.safeParse(data);
      if (!parsed.success) {
        await reply('error', { code: 'VALIDATION_ERROR', message: 'Invalid runtime event', details: issues(parsed.error) });
        m.reply = 'VALIDATION_ERROR';
        this.#record();
        return;
      }
      const typed = typedEvent(parsed.data);
      if (typed) this.#io?.to(`workflow:${parsed.data.workflowId}`).emit('zip.event', typed);
      await reply('event.acknowledged', { type: parsed.data.type, timestamp: Date.now() });
      m.reply = 'acknowledged';
      this.#record();
    });
    socket.on('visual.state.update', async (data: unknown) => {
      const m = recordIn('visual.state.update', data, JSON.stringify(data ?? null).length);
      const wf = this.#authed.get(socket.id);
      if (!wf) {
        await reply('error', { code: 'NOT_AUTHENTICATED', message: 'Please authenticate first' });
        m.reply = 'NOT_AUTHENTICATED';
      } else {
        const parsed = schema.visualStateUpdate.safeParse(data);
        if (!parsed.success) {
          await reply('error', { code: 'VALIDATION_ERROR', message: 'Invalid visual state update', details: issues(parsed.error) });
          m.reply = 'VALIDATION_ERROR';
        } else {
          this.#io?.to(`workflow:${wf}`).emit('visual.state.update', parsed.data);
          await reply('update.acknowledged', { type: 'visual.state.update', timestamp: Date.now() });
          m.reply = 'update.acknowledged';
        }
      }
      this.#record();
    });
    socket.on('stream.frame', (data: Buffer) => {
      const m = recordIn('stream.frame', data, data?.byteLength ?? 0);
      const wf = this.#authed.get(socket.id);
      if (wf && Buffer.isBuffer(data)) {
        try {
          const parsed = parseFrame(data);
          this.#io?.to(`workflow:${wf}`).emit('stream.frame', data);
          this.#io?.to(`workflow:${wf}`).emit('stream.frame.parsed', { streamId: parsed.streamId, type: parsed.type, metadata: parsed.metadata, message: parsed.message, payloadSize: parsed.payload.length });
          m.reply = 'broadcast';
        } catch {
          m.reply = 'unparseable';
        }
      }
      this.#record();
    });
    socket.on('disconnect', () => {
      this.#authed.delete(socket.id);
    });
  }

  #workflowState(wf: StandInWorkflow): Record<string, unknown> {
    return {
      id: randomUUID(), timestamp: new Date().toISOString(), type: 'workflow.updated', workflowId: wf.id, graphId: 'main',
      data: { version: wf.version ?? 1, graphs: wf.graphs, metadata: {} }, metadata: { namespace: 'default' },
    };
  }

  /** Stores a new version and tells the room, as Zeal's 2-second poll does. */
  updateWorkflow(workflowId: string, graphs: ZealGraph[]): void {
    const wf = this.#workflow(workflowId);
    wf.graphs = graphs;
    wf.version = (wf.version ?? 1) + 1;
    this.#io?.to(`workflow:${wf.id}`).emit('workflow.state', this.#workflowState(wf));
  }

  /** What `POST /api/workflows/{id}/publish` broadcasts. */
  publish(workflowId: string, graphs: ZealGraph[]): void {
    const wf = this.#workflow(workflowId);
    wf.graphs = graphs;
    wf.version = (wf.version ?? 1) + 1;
    this.#io?.to(`workflow:${wf.id}`).emit('zip.event', {
      id: evtId(), type: 'workflow.published', timestamp: new Date().toISOString(), workflowId: wf.id,
      workflowName: wf.name, version: wf.version, versionId: randomUUID(), userId: 'user-1', graphs, metadata: {},
    });
  }

  /**
   * What `POST /api/workflows/{id}/execute` emits (§1.4), in order: `execution.started`, the
   * `control.event`, then one `node.executing` per node of the main graph.
   */
  execute(workflowId: string, triggeredBy = 'user-1'): { executionId: string; sessionId: string } {
    const wf = this.#workflow(workflowId);
    const ms = Date.now();
    const executionId = `exec_${ms}_${Math.random().toString(36).substring(2, 9)}`;
    const sessionId = `trace_${ms}`;
    const room = this.#io?.to(`workflow:${wf.id}`);
    const at = () => new Date().toISOString();
    room?.emit('zip.event', {
      id: evtId(), type: 'execution.started', timestamp: at(), workflowId: wf.id, graphId: 'main', sessionId,
      workflowName: wf.name, trigger: { type: 'manual', source: triggeredBy }, metadata: { executionId, input: {}, configuration: {} },
    });
    room?.emit('control.event', {
      id: randomUUID(), timestamp: at(), type: 'control.execution.start', workflowId: wf.id,
      data: { executionId, sessionId, workflowId: wf.id, triggeredBy }, metadata: { namespace: 'default' },
    });
    const main = wf.graphs?.find((g) => g.isMain) ?? wf.graphs?.find((g) => g.id === 'main');
    for (const node of main?.nodes ?? []) {
      room?.emit('zip.event', { id: evtId(), type: 'node.executing', timestamp: at(), workflowId: wf.id, graphId: 'main', nodeId: node.id, inputConnections: [] });
    }
    return { executionId, sessionId };
  }

  #workflow(id: string): StandInWorkflow {
    const wf = this.workflows.get(id);
    if (!wf) throw new Error(`stand-in: no workflow ${id}`);
    return wf;
  }

  // ---------------------------------------------------------------- HTTP

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    let status = 200;
    let response: unknown;
    try {
      if (this.faults.delayMs) await delay(this.faults.delayMs);
      this.#checkAuth(req, path);
      this.#injectFault(path);
      response = await this.#handle(req.method ?? 'GET', path, () => {
        try {
          body = JSON.parse(raw);
          return body;
        } catch {
          // Next's request.json() throws inside each route's try: the route answers its 500.
          throw new HttpError(500, 'INTERNAL_ERROR', 'Failed to parse request body');
        }
      });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      status = err.status;
      response = err.body;
    }
    this.requests.push({ at: Date.now(), method: req.method ?? 'GET', path, headers: req.headers, body, status, response });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(response));
    this.#record();
  }

  #checkAuth(req: IncomingMessage, path: string): void {
    const key = this.faults.apiKey;
    if (!key || !ZIP_ROUTE.test(path) || path.includes('/health')) return;
    const bearer = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
    const token = bearer ?? (req.headers['x-api-key'] as string | undefined);
    if (!token) throw new HttpError(401, 'AUTH_REQUIRED', 'Authentication required');
    if (token !== key) throw new HttpError(401, 'INVALID_TOKEN', 'Invalid token');
  }

  #injectFault(path: string): void {
    const f = this.faults;
    if (!f.restStatus || !(f.restMatch ?? ZIP_ROUTE).test(path)) return;
    if (f.restTimes !== undefined) {
      if (f.restTimes <= 0) return;
      f.restTimes--;
    }
    throw f.restStatus >= 500
      ? new HttpError(f.restStatus, 'INTERNAL_ERROR', 'Injected failure')
      : new HttpError(f.restStatus, f.restStatus === 401 ? 'AUTH_REQUIRED' : 'VALIDATION_ERROR', 'Injected failure');
  }

  async #handle(method: string, path: string, json: () => unknown): Promise<unknown> {
    if (method === 'GET' && path === '/api/zip/health') {
      return { status: 'healthy', version: '1.0.0', services: { api: 'healthy', crdt: 'healthy', database: 'healthy', websocket: 'healthy' } };
    }
    if (method === 'GET' && path === '/api/zip/websocket') {
      return { status: 'running', message: 'ZIP WebSocket server is running', port: this.#require().zip };
    }
    if (method === 'POST' && path === '/api/zip/templates/register') return this.#registerTemplates(json());
    if (method === 'GET' && path === '/api/zip/categories') {
      const categories = [...this.categories.values()];
      return { categories, count: categories.length, source: 'database' };
    }
    if (method === 'POST' && path === '/api/zip/categories') return this.#registerCategories(json());
    if (method === 'POST' && path === '/api/zip/traces/sessions') return this.#createSession(json());
    const trace = path.match(/^\/api\/zip\/traces\/([^/]+)\/(events|complete)$/);
    if (method === 'POST' && trace) {
      if (this.faults.routeParamsBug) throw new HttpError(400, 'INVALID_REQUEST', 'Missing sessionId parameter');
      const sessionId = decodeURIComponent(trace[1]);
      return trace[2] === 'events' ? this.#submitEvents(sessionId, json()) : this.#complete(sessionId, json());
    }
    throw new HttpError(404, 'NOT_FOUND', `No route ${method} ${path}`);
  }

  #registerTemplates(body: unknown): unknown {
    const parsed = schema.registerTemplates.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid request format', issues(parsed.error));
    const { namespace, templates } = parsed.data;
    const out = { registered: 0, templates: [] as { id: string; globalId: string; status: string; error?: string }[] };
    for (const t of templates) {
      const globalId = `${namespace}/${t.id}`;
      if (this.templates.has(globalId)) {
        // A plain INSERT on a UNIQUE column: re-registering is an error inside the 200.
        out.templates.push({ id: t.id, globalId, status: 'error', error: 'duplicate key value violates unique constraint "node_templates_template_id_key"' });
        continue;
      }
      this.templates.set(globalId, t);
      out.registered++;
      out.templates.push({ id: t.id, globalId, status: 'registered' });
    }
    return out;
  }

  #registerCategories(body: unknown): unknown {
    const parsed = schema.registerCategories.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid request format', issues(parsed.error));
    const out = { registered: 0, updated: 0, categories: [] as { name: string; status: string; subcategoriesAdded: number }[] };
    for (const c of parsed.data.categories) {
      const exists = this.categories.has(c.name);
      if (!exists) {
        this.categories.set(c.name, { name: c.name, displayName: c.displayName });
        out.registered++;
      }
      out.categories.push({ name: c.name, status: exists ? 'exists' : 'created', subcategoriesAdded: 0 });
    }
    return out;
  }

  #createSession(body: unknown): unknown {
    const parsed = schema.createTraceSession.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid request format', issues(parsed.error));
    const sessionId = `fts_${Date.now().toString(36)}_${Math.random().toString(36).substring(2, 9)}`;
    this.traces.set(sessionId, { sessionId, request: parsed.data, events: [], status: 'running' });
    return { sessionId, startTime: new Date().toISOString() };
  }

  #submitEvents(sessionId: string, body: unknown): unknown {
    const parsed = schema.submitTraceEvents.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid request format', issues(parsed.error));
    // Zeal does not check the session exists; it inserts rows one at a time.
    let session = this.traces.get(sessionId);
    if (!session) this.traces.set(sessionId, (session = { sessionId, request: {}, events: [], status: 'running' }));
    for (const event of parsed.data.events) {
      if (event.duration !== undefined && !Number.isInteger(event.duration)) {
        // The duration column is INTEGER: the insert fails, the route answers 500.
        throw new HttpError(500, 'INTERNAL_ERROR', 'Failed to submit trace events');
      }
      session.events.push(event);
    }
    const n = parsed.data.events.length;
    return { success: true, eventsProcessed: n, message: `Successfully processed ${n} trace events` };
  }

  #complete(sessionId: string, body: unknown): unknown {
    const parsed = schema.completeTraceSession.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid request format', issues(parsed.error));
    const session = this.traces.get(sessionId);
    const { status } = parsed.data;
    if (session) {
      session.completion = parsed.data;
      session.status = status === 'success' ? 'completed' : status === 'cancelled' ? 'cancelled' : 'failed';
    }
    return { success: true, sessionId, status, message: `Trace session ${sessionId} completed with status: ${status}` };
  }
}
