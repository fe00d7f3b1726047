// JSON Schemas of runs ("executions"): the request that starts one, and how the API shows it.
import { RUN_SOURCES, RUN_STATUSES } from '../run-record.ts';
import { EXECUTION_ID_PATTERN } from './common.ts';

export const RunMetadataSchema = {
  $id: 'RunMetadata',
  type: 'object',
  description: 'Reflow\'s execution metadata (every field optional here) plus Actorflow\'s; other keys are kept with the run.',
  properties: {
    execution_id: { type: 'string', pattern: EXECUTION_ID_PATTERN, description: 'Choose the execution id (default: a random UUID). Reusing one is a 409.' },
    workflow_id: { type: 'string', maxLength: 256, description: 'Groups runs of the same workflow (filter with GET /workflows?workflow_id=).' },
    source: { type: 'string', maxLength: 256, description: 'Free-form origin label (Reflow\'s field); the API source is recorded separately.' },
    webhook_url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'Receives a POST for each terminal event, with X-Reflow-* headers; retried with backoff.' },
    webhook_headers: { type: 'object', additionalProperties: { type: 'string', maxLength: 8192 }, description: 'Extra headers sent with each webhook (values are never logged nor stored).' },
    trace_webhook_url: { type: 'string', maxLength: 2048, description: 'Accepted for Reflow compatibility; not used.' },
    enable_tracing: { type: 'boolean', description: 'Accepted for Reflow compatibility; not used.' },
    timeout_ms: { type: 'integer', minimum: 1, description: 'Per-run timeout; capped by the server\'s ACTORFLOW_MAX_RUN_TIMEOUT_MS.' },
  },
  additionalProperties: true,
} as const;

export const WorkflowRequestSchema = {
  $id: 'WorkflowRequest',
  type: 'object',
  required: ['graph_json'],
  additionalProperties: false,
  properties: {
    graph_json: { $ref: 'GraphDocument#' },
    input: {
      type: 'object',
      additionalProperties: true,
      description: 'Values for the graph\'s exported inports: `{ "<inport>": value }`; each value is delivered once the network has started.',
    },
    metadata: { $ref: 'RunMetadata#' },
  },
} as const;

export const WorkflowAcceptedSchema = {
  $id: 'WorkflowAccepted',
  type: 'object',
  required: ['execution_id', 'status', 'message'],
  properties: {
    execution_id: { type: 'string' },
    status: { type: 'string', enum: RUN_STATUSES },
    message: { type: 'string' },
  },
} as const;

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

const RunErrorSchema = {
  type: ['object', 'null'],
  description: 'Why the run as a whole failed or was cancelled: RUN_TIMEOUT, INTERRUPTED, ACTOR_FAILED, NETWORK_FAILED, CANCELLED, SHUTDOWN.',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;

const summaryProperties = {
  id: { type: 'string' },
  workflow_id: { type: ['string', 'null'] },
  graph_name: { type: ['string', 'null'] },
  source: { type: 'string', enum: RUN_SOURCES, description: 'What started the run.' },
  status: { type: 'string', enum: RUN_STATUSES },
  created_at: { type: 'string', format: 'date-time' },
  started_at: nullableTime,
  finished_at: nullableTime,
  duration_ms: { type: ['integer', 'null'], description: 'From start to finish (queue time excluded).' },
  error: RunErrorSchema,
  error_count: { type: 'integer', description: 'Actor failures during the run (handled ones included).' },
} as const;

const SUMMARY_REQUIRED = Object.keys(summaryProperties);

export const ExecutionSummarySchema = {
  $id: 'ExecutionSummary',
  type: 'object',
  required: SUMMARY_REQUIRED,
  properties: summaryProperties,
} as const;

export const ExecutionSchema = {
  $id: 'Execution',
  type: 'object',
  required: [...SUMMARY_REQUIRED, 'metadata', 'result', 'stats', 'errors', 'events_dropped', 'webhook', 'integrations'],
  properties: {
    ...summaryProperties,
    metadata: { type: 'object', additionalProperties: true, description: 'The request\'s metadata (webhook header values redacted).' },
    result: {
      type: ['object', 'null'],
      description: 'Reflow\'s result block, set once the run has finished.',
      required: ['success', 'execution_id', 'start_time', 'end_time', 'results', 'errors', 'trace_session_id'],
      properties: {
        success: { type: 'boolean' },
        execution_id: { type: 'string' },
        start_time: nullableTime,
        end_time: nullableTime,
        results: { type: 'object', additionalProperties: { type: 'array', items: {} }, description: 'Values that reached each exported outport, in order.' },
        errors: { type: ['array', 'null'], items: { type: 'string' } },
        trace_session_id: { type: ['string', 'null'] },
      },
    },
    stats: {
      type: ['object', 'null'],
      description: 'Per-node statistics (the runtime\'s NodeStats, camelCase) and totals.',
      properties: {
        nodes: { type: 'object', additionalProperties: { type: 'object', additionalProperties: true } },
        connections: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Each connection\'s traffic: src, tgt, delivered, dropped, queued, capacity.' },
        messages: { type: 'integer' },
        dropped: { type: 'integer' },
        outputs: { type: 'integer' },
      },
      additionalProperties: true,
    },
    errors: {
      type: 'array',
      description: 'Actor failures (the runtime\'s ActorErrorRecord).',
      items: {
        type: 'object',
        required: ['actorId', 'component', 'error', 'timestamp', 'handled'],
        properties: {
          actorId: { type: 'string' },
          component: { type: 'string' },
          error: { type: 'object', additionalProperties: true },
          timestamp: { type: 'integer' },
          handled: { type: 'boolean' },
        },
      },
    },
    events_dropped: { type: 'integer', description: 'Events left out of the stored event log.' },
    integrations: {
      type: 'object', additionalProperties: true,
      description: 'What integrations reported about the run after it ended, by integration: `zeal` holds the Zeal bridge report (events and trace rows delivered, dropped, failed requests).',
    },
    webhook: {
      type: ['object', 'null'],
      required: ['url', 'delivered', 'failed', 'attempts', 'last_error'],
      properties: {
        url: { type: 'string' },
        delivered: { type: 'integer' },
        failed: { type: 'integer' },
        attempts: { type: 'integer' },
        last_error: { type: ['string', 'null'] },
      },
    },
    graph: { $ref: 'GraphDocument#' },
    input: { type: 'object', additionalProperties: true },
  },
} as const;

export const StoredEventSchema = {
  $id: 'StoredEvent',
  type: 'object',
  required: ['seq', 'event'],
  properties: {
    seq: { type: 'integer', description: 'Position in the run\'s event stream (gaps: events left out).' },
    event: {
      type: 'object',
      required: ['_type', 'timestamp'],
      description: 'A network event (`_type` tagged, camelCase, epoch-ms timestamp).',
      properties: { _type: { type: 'string' }, timestamp: { type: 'integer' } },
      additionalProperties: true,
    },
  },
} as const;
