// The Zeal bridge as a fastify plugin: follows every run of the server's engine, answers Zeal's
// Execute button, registers templates, and serves Reflow's Zeal routes:
//   POST /zeal/convert     Zeal workflow JSON → Actorflow graph (Reflow's response fields)
//   POST /zeal/workflows   convert and run a Zeal workflow ({workflow, input?})
//   GET  /zeal/status      connections, template registration, counters
//   GET  /zeal/runs/:id    what a run's bridge delivered to Zeal and what it dropped
import { randomUUID } from 'node:crypto';
import { toGraphJson } from '@actorflow/network';
import type { FastifyInstance } from 'fastify';
import { envelopeSchema, ok } from '../envelope.ts';
import { ApiError } from '../errors.ts';
import { EXECUTION_ID_PATTERN, errorResponses } from '../schemas/common.ts';
import { resolveZealConfig, type ZealConfig } from './config.ts';
import { ZealConversionError, type ConversionResult } from './converter.ts';
import { engineLauncher, followEngine } from './engine-hook.ts';
import type { BridgeReport } from './event-bridge.ts';
import { ZealIntegration } from './integration.ts';

export interface ZealPluginOptions {
  /** Bridge configuration; default: from the server configuration's zeal* options (ZEAL_* variables). */
  config?: ZealConfig;
  /** Template id → component aliases; default: the component library's table for Reflow's `tpl_*` templates. */
  aliases?: Readonly<Record<string, string>>;
}

/** Bridge reports kept for GET /zeal/runs/:id (the most recent runs). */
const REPORTS_KEPT = 1000;

const anyObject = { type: 'object', additionalProperties: true } as const;
const stringOrNull = { type: ['string', 'null'] } as const;

const ConvertResultSchema = {
  type: 'object',
  required: ['reflow_graph', 'required_actors', 'conversion_metadata', 'warnings'],
  properties: {
    reflow_graph: { ...anyObject, description: 'The Actorflow graph (canonical Reflow-compatible JSON); edges carry `metadata.zeal.connections`' },
    required_actors: { type: 'array', items: { type: 'string' }, description: 'Components the graph uses' },
    conversion_metadata: {
      type: 'object',
      required: ['source_workflow_id', 'source_workflow_name', 'node_count', 'connection_count'],
      properties: { source_workflow_id: stringOrNull, source_workflow_name: stringOrNull, node_count: { type: 'integer' }, connection_count: { type: 'integer' } },
    },
    warnings: { type: 'array', items: { $ref: 'Problem#' } },
  },
} as const;

const ZealAcceptedSchema = {
  type: 'object',
  required: ['execution_id', 'status', 'workflow_id', 'message'],
  properties: { execution_id: { type: 'string' }, status: { type: 'string' }, workflow_id: stringOrNull, message: { type: 'string' } },
} as const;

function conversionView(c: ConversionResult) {
  return {
    reflow_graph: toGraphJson(c.graph) as unknown as Record<string, unknown>,
    required_actors: c.components,
    conversion_metadata: { source_workflow_id: c.workflowId ?? null, source_workflow_name: c.workflowName ?? null, node_count: c.nodeCount, connection_count: c.connectionCount },
    warnings: c.problems.filter((p) => p.severity === 'warning'),
  };
}

/** Problems of a Zeal document sent inside a request body, with paths relative to the body. */
function invalidWorkflow(err: ZealConversionError, at: string): ApiError {
  const problems = err.problems.map((p) => ({ ...p, path: at + p.path.slice(1) }));
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  return new ApiError('INVALID_GRAPH', errors.length === 1 && first ? `invalid Zeal workflow: ${first.path}: ${first.message}` : `invalid Zeal workflow: ${errors.length} problems (see problems)`,
    first?.hint ?? 'fix the listed problems and retry', { problems });
}

export async function zealPlugin(app: FastifyInstance, options: ZealPluginOptions = {}): Promise<void> {
  const { engine, registry, history, config: server } = app.actorflow;
  const config = options.config ?? resolveZealConfig({
    ZEAL_URL: server.zealUrl, ZEAL_ZIP_URL: server.zealZipUrl, ZEAL_API_KEY: server.zealApiKey,
    ZEAL_NAMESPACE: server.zealNamespace, ZEAL_WORKFLOWS: server.zealWorkflows.join(','),
  });
  const log = app.log.child({ component: 'zeal' });
  const reports = new Map<string, BridgeReport>();
  const keep = (id: string, report: BridgeReport) => {
    reports.set(id, report);
    if (reports.size > REPORTS_KEPT) reports.delete(reports.keys().next().value!);
    // The report (what reached Zeal, what was dropped) is kept in the run's history too.
    history.annotate(id, 'zeal', report).catch((err: unknown) => {
      if (!history.closed) log.warn({ err, run_id: id }, 'zeal: the bridge report could not be saved in the history');
    });
  };
  const integration = new ZealIntegration({ config, registry, launch: engineLauncher(engine), log, ...(options.aliases ? { aliases: options.aliases } : {}) });
  const unfollow = followEngine(integration, engine, keep);
  let closed = false;
  // The component library (and its template table) loads once the server is up: Zeal is
  // connected when both are there, without holding the start-up back.
  void app.actorflow.loaded.then(async () => {
    if (!options.aliases) integration.resolver.addAliases((await import('@actorflow/components')).zealTemplateAliases);
    if (closed) return;
    integration.start();
    if (integration.tracing || integration.live) log.info({ restUrl: config.restUrl ?? null, zipUrl: config.zipUrl ?? null, namespace: config.namespace, workflows: config.workflows }, 'zeal: bridge on');
  }).catch((err: unknown) => log.error({ err }, 'zeal: the bridge could not start'));
  app.addHook('onClose', async () => {
    closed = true;
    unfollow();
    integration.close();
  });

  const convert = (doc: unknown, at: string, workflowId?: string): ConversionResult => {
    try {
      return integration.convert(doc, workflowId);
    } catch (err) {
      if (err instanceof ZealConversionError) throw invalidWorkflow(err, at);
      throw err;
    }
  };

  app.post<{ Body: Record<string, unknown> }>('/zeal/convert', {
    schema: {
      tags: ['zeal'],
      summary: 'Convert a Zeal workflow into an Actorflow graph',
      description: 'Takes Zeal\'s workflow JSON (a workflow, the `{success, data}` answer of GET /api/workflows/{id}, or a `workflow.state` / `workflow.published` message). '
        + 'Template ids `<namespace>/<component>` resolve to components, property values become node config, subgraphs are flattened, Zeal port ids map to actor ports. '
        + '400 INVALID_GRAPH lists every problem with its JSON path in the document.',
      body: { ...anyObject, description: 'A Zeal workflow' },
      response: { 200: envelopeSchema(ConvertResultSchema), ...errorResponses(413, 415) },
    },
  }, async (request) => ok(conversionView(convert(request.body, '$'))));

  app.post<{ Body: { workflow: Record<string, unknown>; input?: Record<string, unknown>; metadata?: Record<string, unknown> } }>('/zeal/workflows', {
    schema: {
      tags: ['zeal'],
      summary: 'Run a Zeal workflow',
      description: 'Converts the workflow (as POST /zeal/convert) and starts a run with source `zeal` (id `zeal_exec_<uuid>` unless metadata.execution_id is given). '
        + 'When the bridge is connected, the run\'s live events and trace go to Zeal under the workflow\'s id.',
      body: {
        type: 'object',
        required: ['workflow'],
        additionalProperties: false,
        properties: {
          workflow: { ...anyObject, description: 'A Zeal workflow' },
          input: { ...anyObject, description: 'Values for the graph\'s exported inports (its top-level graph_input nodes)' },
          metadata: { ...anyObject, description: 'Reflow execution metadata (execution_id, webhook_url, timeout_ms, …)' },
        },
      },
      response: { 202: envelopeSchema(ZealAcceptedSchema), ...errorResponses(409, 413, 415, 503) },
    },
  }, async (request, reply) => {
    const { workflow, input = {}, metadata = {} } = request.body;
    const conversion = convert(workflow, '$.workflow');
    const executionId = typeof metadata.execution_id === 'string' ? metadata.execution_id : `zeal_exec_${randomUUID()}`;
    const workflowId = conversion.workflowId ?? null;
    const submission = await engine.submit({
      graph: conversion.graph, input, source: 'zeal',
      metadata: { ...metadata, execution_id: executionId, ...(workflowId ? integration.runMetadata({ workflowId, executionId }) : {}) },
      paths: { graph: '$.workflow', input: '$.input' },
    });
    reply.header('location', `/workflows/${encodeURIComponent(submission.id)}`);
    return reply.code(202).send(ok({ execution_id: submission.id, status: submission.status, workflow_id: workflowId, message: `run ${submission.status}; poll GET /workflows/${submission.id}` }));
  });

  app.get('/zeal/status', {
    schema: {
      tags: ['zeal'],
      summary: 'State of the Zeal bridge',
      response: { 200: envelopeSchema(anyObject) },
    },
  }, async () => ok(integration.status()));

  app.get<{ Params: { id: string } }>('/zeal/runs/:id', {
    schema: {
      tags: ['zeal'],
      summary: 'What a run\'s bridge delivered to Zeal and what it dropped',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: EXECUTION_ID_PATTERN } } },
      response: { 200: envelopeSchema(anyObject), ...errorResponses(404) },
    },
  }, async (request) => {
    const report = reports.get(request.params.id);
    if (!report) throw new ApiError('NOT_FOUND', `no Zeal bridge report for execution '${request.params.id}'`, 'reports exist for runs the bridge followed (tracing or live events on), once they finished; the latest 1000 are kept');
    return ok(report);
  });
}
