// The `/ws` hub: Reflow's WebSocket protocol (JSON frames with a `type` field), made true.
//
// Client → server
//   {type:'start_workflow', data:{graph_json, input, metadata}, subscribe?: true | Filters}
//   {type:'subscribe_workflow', execution_id, filters?: Filters}
//   {type:'unsubscribe_workflow', execution_id}
//   {type:'cancel_workflow', execution_id}
//   Filters = {types?: NetworkEventType[], nodes?: string[], sample?: number | {Type: rate}}
//   Any frame may carry `request_id`; replies echo it.
// Server → client
//   workflow_started {success, execution_id, status, message}     (or workflow_error)
//   subscription_ack {success, execution_id, status}; unsubscription_ack
//   network_event {execution_id, event, timestamp}                 live runtime events
//   workflow_event {execution_id, event_type: Completed|Failed|Cancelled, data, timestamp, dropped}
//                  sent when the run ends (pushed, not polled); at once when subscribing to a finished run
//   workflow_cancelled {success, execution_id, status}
//   error {success:false, error, code, hint, problems?}
//
// Subscriptions with the same filters on one run share one runtime subscription and each event
// is serialised once, whatever the number of clients. Slow clients are handled by their Outbox.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { ValidateFunction } from 'ajv';
import type { WebSocket } from 'ws';
import { NETWORK_EVENT_TYPES, type NetworkEvent, type Subscription } from '@actorflow/network';
import type { ServerConfig } from '../config.ts';
import type { ExecutionEngine } from '../engine/engine.ts';
import type { Execution } from '../engine/execution.ts';
import { ApiError, invalidRequest } from '../errors.ts';
import { toApiError } from '../error-handler.ts';
import { toJsonText } from '../json-values.ts';
import type { ServerMetrics } from '../metrics.ts';
import { isTerminal, type RunRecord } from '../run-record.ts';
import { EXECUTION_ID_PATTERN } from '../schemas/common.ts';
import { ajvLater, compileLater, schemaProblem } from '../validation.ts';
import { terminalEvent } from '../views.ts';
import { Outbox } from './outbox.ts';

interface Filters {
  types?: string[];
  nodes?: string[];
  sample?: number | Record<string, number>;
}

const FiltersSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    types: { type: 'array', items: { type: 'string', enum: NETWORK_EVENT_TYPES }, uniqueItems: true },
    nodes: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 10_000 },
    sample: {
      anyOf: [
        { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        { type: 'object', propertyNames: { enum: NETWORK_EVENT_TYPES }, additionalProperties: { type: 'number', exclusiveMinimum: 0, maximum: 1 } },
      ],
    },
  },
} as const;

const idProperty = { type: 'string', pattern: EXECUTION_ID_PATTERN } as const;
const requestId = { type: ['string', 'number'] } as const;

const MESSAGE_SCHEMAS: Record<string, Record<string, unknown>> = {
  start_workflow: {
    type: 'object', required: ['type', 'data'], additionalProperties: false,
    properties: { type: {}, request_id: requestId, data: { $ref: 'WorkflowRequest#' }, subscribe: { anyOf: [{ type: 'boolean' }, FiltersSchema] } },
  },
  subscribe_workflow: {
    type: 'object', required: ['type', 'execution_id'], additionalProperties: false,
    properties: { type: {}, request_id: requestId, execution_id: idProperty, filters: FiltersSchema },
  },
  unsubscribe_workflow: { type: 'object', required: ['type', 'execution_id'], additionalProperties: false, properties: { type: {}, request_id: requestId, execution_id: idProperty } },
  cancel_workflow: { type: 'object', required: ['type', 'execution_id'], additionalProperties: false, properties: { type: {}, request_id: requestId, execution_id: idProperty } },
};

type Message = { type: string; request_id?: string | number; execution_id?: string; filters?: Filters; data?: { graph_json: unknown; input?: Record<string, unknown>; metadata?: Record<string, unknown> }; subscribe?: boolean | Filters };

/** One client's subscription to one run. */
interface ClientSub {
  client: Client;
  group: Group | null;
}

/** The subscribers of one run that share the same filters, fed by one runtime subscription. */
interface Group {
  key: string;
  filters: Filters;
  clients: Set<Client>;
  sub: Subscription | null;
}

/** Everyone watching one run. */
interface Channel {
  exec: Execution;
  groups: Map<string, Group>;
  unwatch: () => void;
}

class Client {
  readonly socket: WebSocket;
  readonly outbox: Outbox;
  readonly log: FastifyBaseLogger;
  readonly subscriptions = new Map<string, ClientSub>();
  constructor(socket: WebSocket, outbox: Outbox, log: FastifyBaseLogger) {
    this.socket = socket;
    this.outbox = outbox;
    this.log = log;
  }

  reply(frame: Record<string, unknown>, request?: Message): void {
    this.outbox.control(JSON.stringify(request?.request_id !== undefined ? { ...frame, request_id: request.request_id } : frame));
  }

  error(err: ApiError, request?: Message, type = 'error'): void {
    this.reply({ type, success: false, error: err.message, code: err.code, hint: err.hint, ...(err.problems ? { problems: err.problems } : {}) }, request);
  }
}

/**
 * The workflow_event frame of a finished run, serialised once however many clients get it;
 * each gets its own count of dropped events.
 */
function terminalFrame(record: RunRecord): (dropped: number) => string {
  const event = terminalEvent(record);
  const body = JSON.stringify({ type: 'workflow_event', execution_id: record.id, event_type: event.event_type, data: event.data, timestamp: event.timestamp });
  const open = body.slice(0, -1);
  return (dropped) => `${open},"dropped":${dropped}}`;
}

export interface HubOptions {
  engine: ExecutionEngine;
  config: ServerConfig;
  metrics: ServerMetrics;
  logger: FastifyBaseLogger;
  sharedSchemas: readonly Record<string, unknown>[];
}

export class WsHub {
  readonly #o: HubOptions;
  readonly #validators: Map<string, ValidateFunction>;
  readonly #channels = new Map<string, Channel>();
  readonly #clients = new Set<Client>();

  constructor(options: HubOptions) {
    this.#o = options;
    const ajv = ajvLater(false, options.sharedSchemas);
    this.#validators = new Map(Object.entries(MESSAGE_SCHEMAS).map(([type, schema]) => [type, compileLater(ajv, schema)]));
  }

  /** Connected clients. */
  get size(): number {
    return this.#clients.size;
  }

  /** Serves one connection (the @fastify/websocket handler). */
  connect(socket: WebSocket, request: FastifyRequest): void {
    const { metrics, config } = this.#o;
    const log = request.log;
    const outbox = new Outbox(socket, {
      queueLimit: config.wsQueueLimit,
      dropLimit: config.wsDropLimit,
      onDrop: () => metrics.wsDropped.inc(),
      onSlowClose: (dropped) => {
        metrics.wsSlowDisconnects.inc();
        log.warn({ dropped }, 'disconnected a slow /ws client');
      },
    });
    const client = new Client(socket, outbox, log);
    this.#clients.add(client);
    metrics.wsClients.inc();
    socket.on('message', (data, isBinary) => {
      void this.#onMessage(client, isBinary ? null : data.toString());
    });
    socket.on('close', () => {
      this.#clients.delete(client);
      metrics.wsClients.dec();
      for (const id of [...client.subscriptions.keys()]) this.#unsubscribe(client, id);
    });
    socket.on('error', (err) => log.debug({ err }, '/ws socket error'));
  }

  /** Closes every connection (graceful shutdown: after the runs have ended). */
  closeAll(code: number, reason: string): void {
    for (const client of this.#clients) client.socket.close(code, reason);
  }

  async #onMessage(client: Client, text: string | null): Promise<void> {
    let message: Message;
    try {
      if (text === null) throw new ApiError('INVALID_JSON', 'binary frames are not accepted', 'send JSON text frames');
      try {
        message = JSON.parse(text) as Message;
      } catch (err) {
        throw new ApiError('INVALID_JSON', `the frame is not valid JSON: ${(err as Error).message}`, 'send one JSON object per text frame');
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message) || typeof message.type !== 'string') {
        throw new ApiError('INVALID_REQUEST', 'missing message type', `send an object with "type": one of ${Object.keys(MESSAGE_SCHEMAS).join(', ')}`);
      }
    } catch (err) {
      client.error(err as ApiError);
      return;
    }
    const type = message.type;
    const validate = this.#validators.get(type);
    if (!validate) {
      client.error(new ApiError('INVALID_REQUEST', `unknown message type: ${type}`, `use one of ${Object.keys(MESSAGE_SCHEMAS).join(', ')}`), message);
      return;
    }
    if (!validate(message)) {
      client.error(invalidRequest((validate.errors ?? []).map((e) => schemaProblem(e, 'body')), `${type} message`), message);
      return;
    }
    try {
      switch (type) {
        case 'start_workflow':
          return await this.#start(client, message);
        case 'subscribe_workflow':
          return this.#subscribe(client, message.execution_id!, message.filters ?? {}, message);
        case 'unsubscribe_workflow':
          this.#unsubscribe(client, message.execution_id!);
          return client.reply({ type: 'unsubscription_ack', success: true, execution_id: message.execution_id }, message);
        case 'cancel_workflow': {
          const record = await this.#o.engine.cancel(message.execution_id!);
          return client.reply({ type: 'workflow_cancelled', success: true, execution_id: record.id, status: record.status }, message);
        }
      }
    } catch (err) {
      const api = toApiError(err as Error, this.#o.config.bodyLimitBytes);
      if (api.code === 'INTERNAL') client.log.error({ err }, '/ws message failed');
      client.error(api, message, type === 'start_workflow' && api.code !== 'INVALID_REQUEST' ? 'workflow_error' : 'error');
    }
  }

  async #start(client: Client, message: Message): Promise<void> {
    const data = message.data!;
    const submission = await this.#o.engine.submit({
      graph: data.graph_json, input: data.input, metadata: data.metadata, source: 'ws',
      paths: { graph: '$.data.graph_json', input: '$.data.input' },
    });
    client.reply({ type: 'workflow_started', success: true, execution_id: submission.id, status: submission.status, message: 'Workflow started' }, message);
    if (message.subscribe) this.#subscribe(client, submission.id, message.subscribe === true ? {} : message.subscribe, message);
  }

  #subscribe(client: Client, id: string, filters: Filters, message: Message): void {
    const exec = this.#o.engine.get(id);
    if (!exec) {
      const record = this.#o.engine.record(id);
      if (!record) throw new ApiError('NOT_FOUND', `execution '${id}' not found`, 'start it first, or list executions with GET /workflows');
      // A finished run: acknowledge, then replay its terminal state.
      client.reply({ type: 'subscription_ack', success: true, execution_id: id, status: record.status }, message);
      client.outbox.control(terminalFrame(record)(client.outbox.dropped));
      return;
    }
    this.#unsubscribe(client, id);
    const channel = this.#channel(exec);
    const key = JSON.stringify([filters.types?.slice().sort() ?? null, filters.nodes?.slice().sort() ?? null, filters.sample ?? null]);
    let group = channel.groups.get(key);
    if (!group) {
      group = { key, filters, clients: new Set(), sub: null };
      channel.groups.set(key, group);
      if (exec.network) this.#feed(exec, group);
    }
    group.clients.add(client);
    client.subscriptions.set(id, { client, group });
    client.reply({ type: 'subscription_ack', success: true, execution_id: id, status: exec.status }, message);
  }

  #channel(exec: Execution): Channel {
    let channel = this.#channels.get(exec.id);
    if (!channel) {
      const created: Channel = { exec, groups: new Map(), unwatch: () => undefined };
      created.unwatch = exec.onStatus((status) => {
        if (status === 'Running') for (const group of created.groups.values()) this.#feed(exec, group);
        else if (isTerminal(status)) this.#end(created);
      });
      this.#channels.set(exec.id, created);
      channel = created;
    }
    return channel;
  }

  /** Starts the runtime subscription of a group: each event is serialised once for all its clients. */
  #feed(exec: Execution, group: Group): void {
    if (group.sub || !exec.network) return;
    const prefix = `{"type":"network_event","execution_id":${JSON.stringify(exec.id)},"event":`;
    const { types, nodes, sample } = group.filters;
    group.sub = exec.network.events.subscribe((event: NetworkEvent) => {
      const frame = `${prefix}${toJsonText(event)},"timestamp":${Date.now()}}`;
      for (const client of group.clients) client.outbox.event(frame);
    }, {
      ...(types ? { types: types as NetworkEvent['_type'][] } : {}),
      ...(nodes ? { nodes } : {}),
      ...(sample !== undefined ? { sample: sample as number } : {}),
    });
  }

  /** The run ended: every subscriber gets the terminal workflow_event, then the channel closes. */
  #end(channel: Channel): void {
    const record = channel.exec.record();
    const frame = terminalFrame(record);
    for (const group of channel.groups.values()) {
      group.sub?.unsubscribe();
      for (const client of group.clients) {
        client.subscriptions.delete(record.id);
        client.outbox.control(frame((group.sub?.dropped ?? 0) + client.outbox.dropped));
      }
    }
    channel.unwatch();
    this.#channels.delete(record.id);
  }

  #unsubscribe(client: Client, id: string): void {
    const sub = client.subscriptions.get(id);
    if (!sub) return;
    client.subscriptions.delete(id);
    const channel = this.#channels.get(id);
    const group = sub.group;
    if (!channel || !group) return;
    group.clients.delete(client);
    if (group.clients.size === 0) {
      group.sub?.unsubscribe();
      channel.groups.delete(group.key);
    }
    if (channel.groups.size === 0) {
      channel.unwatch();
      this.#channels.delete(id);
    }
  }
}
