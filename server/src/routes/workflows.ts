// Runs over REST: Reflow's POST /workflows, GET /workflows/:id, POST /workflows/:id/cancel, plus
// listing with cursor pagination, the stored event log, synchronous runs (?wait=true) and
// Idempotency-Key.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { envelopeSchema, ok } from '../envelope.ts';
import { executionNotFound, invalidRequest, requestProblem } from '../errors.ts';
import { isValidCursor } from '../history/store.ts';
import { isTerminal, RUN_SOURCES, RUN_STATUSES, type RunSource, type RunStatus } from '../run-record.ts';
import { errorResponses, ExecutionIdParamsSchema } from '../schemas/common.ts';
import { executionView, summaryView } from '../views.ts';
import { NETWORK_EVENT_TYPES } from '@actorflow/network';

interface WorkflowBody {
  graph_json: Record<string, unknown>;
  input?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

const acceptedMessage = (status: RunStatus) => (status === 'Queued' ? 'queued; poll GET /workflows/{id} or subscribe on /ws' : `run is ${status}`);

export async function workflowRoutes(app: FastifyInstance): Promise<void> {
  const { engine, config } = app.actorflow;

  app.post<{ Body: WorkflowBody; Querystring: { wait?: boolean; timeout?: number }; Headers: { 'idempotency-key'?: string } }>('/workflows', {
    schema: {
      tags: ['workflows'],
      summary: 'Start a run of a graph',
      description: 'Validates the graph and input (400 lists every problem), records the run, queues it, and answers 202 with its id. '
        + 'With `?wait=true` the answer comes when the run has finished (200 with the full execution), or after `timeout` ms (202, still running). '
        + 'Repeating a request with the same Idempotency-Key returns the run it started (header Idempotent-Replayed: true).',
      headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255, description: 'Makes retries safe: the same key and body never start a second run' } } },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          wait: { type: 'boolean', description: 'Answer when the run has finished' },
          timeout: { type: 'integer', minimum: 1, maximum: config.waitTimeoutMs, description: `How long to wait, in ms (default and maximum ${config.waitTimeoutMs})` },
        },
      },
      body: { $ref: 'WorkflowRequest#' },
      response: {
        200: envelopeSchema({ $ref: 'Execution#' }, 'With ?wait=true: the finished run'),
        202: envelopeSchema({ $ref: 'WorkflowAccepted#' }, 'Accepted and recorded; the run is queued or running'),
        ...errorResponses(409, 413, 415, 422, 503),
      },
    },
  }, async (request, reply) => {
    const { body } = request;
    const key = request.headers['idempotency-key'];
    const submission = await engine.submit({
      graph: body.graph_json,
      input: body.input,
      metadata: body.metadata,
      source: 'rest',
      // A synchronous request tells its client about the run once it has ended: one write then.
      recordAtEnd: request.query.wait === true,
      idempotency: key === undefined ? undefined : { scope: request.clientId, key, requestHash: createHash('sha256').update(JSON.stringify(body)).digest('hex') },
    });
    const { id } = submission;
    if (submission.replayed) reply.header('idempotent-replayed', 'true');
    reply.header('location', `/workflows/${encodeURIComponent(id)}`);
    if (request.query.wait) {
      const timeout = request.query.timeout ?? config.waitTimeoutMs;
      const record = await engine.waitFor(id, timeout);
      if (record && isTerminal(record.status)) return reply.code(200).send(ok(executionView(record)));
      const status = record?.status ?? submission.status;
      await engine.acknowledge(id); // the 202 acknowledges the run: it is recorded first
      return reply.code(202).send(ok({ execution_id: id, status, message: `still ${status} after ${timeout} ms; poll GET /workflows/${id}` }));
    }
    return reply.code(202).send(ok({ execution_id: id, status: submission.status, message: submission.replayed ? 'idempotent replay: this key already started this run' : acceptedMessage(submission.status) }));
  });

  app.get<{ Querystring: { status?: string; source?: RunSource; workflow_id?: string; limit: number; cursor?: string } }>('/workflows', {
    schema: {
      tags: ['workflows'],
      summary: 'List runs, newest first',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { type: 'string', description: `Comma-separated statuses: ${RUN_STATUSES.join(', ')}` },
          source: { type: 'string', enum: RUN_SOURCES },
          workflow_id: { type: 'string', maxLength: 256 },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          cursor: { type: 'string', maxLength: 64, description: 'The next_cursor of the previous page' },
        },
      },
      response: {
        200: envelopeSchema({
          type: 'object',
          required: ['executions', 'next_cursor'],
          properties: { executions: { type: 'array', items: { $ref: 'ExecutionSummary#' } }, next_cursor: { type: ['string', 'null'] } },
        }),
        ...errorResponses(),
      },
    },
  }, async (request) => {
    const q = request.query;
    const problems = [];
    const statuses = q.status?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
    for (const s of statuses) {
      if (!RUN_STATUSES.includes(s as RunStatus)) problems.push(requestProblem('query.status', `'${s}' is not a status`, `use ${RUN_STATUSES.join(', ')} (comma-separated)`));
    }
    if (q.cursor !== undefined && !isValidCursor(q.cursor)) problems.push(requestProblem('query.cursor', 'is not a cursor this server handed out', 'pass the next_cursor of a previous page, or leave it out for the first page'));
    if (problems.length) throw invalidRequest(problems);
    const page = app.actorflow.history.list({ status: statuses as RunStatus[], source: q.source, workflowId: q.workflow_id, limit: q.limit, cursor: q.cursor });
    return ok({ executions: page.runs.map((r) => summaryView(engine.get(r.id)?.record() ?? r)), next_cursor: page.nextCursor });
  });

  app.get<{ Params: { id: string }; Querystring: { include?: string } }>('/workflows/:id', {
    schema: {
      tags: ['workflows'],
      summary: 'A run: true status, results of exported outports, per-node stats, errors',
      params: ExecutionIdParamsSchema,
      querystring: { type: 'object', additionalProperties: false, properties: { include: { type: 'string', pattern: '^(graph|input)(,(graph|input))?$', description: 'Also return `graph` and/or `input` (comma-separated)' } } },
      response: { 200: envelopeSchema({ $ref: 'Execution#' }), ...errorResponses(404) },
    },
  }, async (request) => {
    const { id } = request.params;
    const record = engine.record(id);
    if (!record) throw executionNotFound(id);
    const include = new Set(request.query.include?.split(',') ?? []);
    if (include.size === 0) return ok(executionView(record));
    const payload = app.actorflow.history.payload(id);
    return ok(executionView(record, { graph: include.has('graph') ? payload?.graph : undefined, input: include.has('input') ? payload?.input : undefined }));
  });

  app.get<{ Params: { id: string }; Querystring: { types?: string; after?: number; limit: number } }>('/workflows/:id/events', {
    schema: {
      tags: ['workflows'],
      summary: 'The stored event log of a run (its first and last events, bounded per run)',
      params: ExecutionIdParamsSchema,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          types: { type: 'string', description: `Comma-separated event types, e.g. ActorFailed,NetworkOutput (${NETWORK_EVENT_TYPES.join(', ')})` },
          after: { type: 'integer', minimum: -1, description: 'Only events with a larger seq (pagination)' },
          limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
        },
      },
      response: {
        200: envelopeSchema({
          type: 'object',
          required: ['execution_id', 'status', 'events', 'dropped', 'next_after'],
          properties: {
            execution_id: { type: 'string' },
            status: { type: 'string', enum: RUN_STATUSES },
            events: { type: 'array', items: { $ref: 'StoredEvent#' } },
            dropped: { type: 'integer', description: 'Events of the run that were not kept' },
            next_after: { type: ['integer', 'null'], description: 'Pass as `after` for the next page' },
          },
        }),
        ...errorResponses(404),
      },
    },
  }, async (request) => {
    const { id } = request.params;
    const q = request.query;
    const types = q.types?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
    const unknown = types.filter((t) => !(NETWORK_EVENT_TYPES as readonly string[]).includes(t));
    if (unknown.length) throw invalidRequest(unknown.map((t) => requestProblem('query.types', `'${t}' is not an event type`, `use ${NETWORK_EVENT_TYPES.join(', ')}`)));
    const live = engine.get(id);
    const record = live?.record() ?? app.actorflow.history.get(id);
    if (!record) throw executionNotFound(id);
    const log = live ? { events: live.eventLog.entries(), dropped: live.eventLog.dropped } : app.actorflow.history.events(id);
    const after = q.after ?? -1;
    const matching = log.events.filter((e) => e.seq > after && (types.length === 0 || types.includes(e.event._type)));
    const page = matching.slice(0, q.limit);
    return ok({ execution_id: id, status: record.status, events: page, dropped: log.dropped, next_after: matching.length > q.limit ? page[page.length - 1].seq : null });
  });

  app.post<{ Params: { id: string } }>('/workflows/:id/cancel', {
    schema: {
      tags: ['workflows'],
      summary: 'Cancel a queued or running run',
      description: 'Stops the run\'s network (every actor\'s abort signal) and answers once it has ended, with its final status (Completed if it finished first). 409 RUN_FINISHED if it had already ended.',
      params: ExecutionIdParamsSchema,
      response: {
        200: envelopeSchema({ type: 'object', required: ['execution_id', 'status', 'message'], properties: { execution_id: { type: 'string' }, status: { type: 'string', enum: RUN_STATUSES }, message: { type: 'string' } } }),
        ...errorResponses(404, 409),
      },
    },
  }, async (request) => {
    const record = await engine.cancel(request.params.id);
    return ok({ execution_id: record.id, status: record.status, message: record.status === 'Cancelled' ? 'cancelled' : `the run ended (${record.status}) before it could be cancelled` });
  });
}
