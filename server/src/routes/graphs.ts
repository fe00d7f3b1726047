// POST /graphs/validate: checks a graph without running it and reports every problem (errors and
// warnings) with its path. The body is the graph document itself (JSON), or `.fbp` text
// (content-type text/plain or application/x-fbp). Answers 200 with `valid` either way: the
// request was fine even when the graph is not.
import type { FastifyInstance } from 'fastify';
import { envelopeSchema, ok } from '../envelope.ts';
import { inspectGraph } from '../engine/graph-intake.ts';
import { errorResponses } from '../schemas/common.ts';

export async function graphRoutes(app: FastifyInstance): Promise<void> {
  const { registry, config } = app.actorflow;
  app.addContentTypeParser(['text/plain', 'application/x-fbp'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post('/graphs/validate', {
    schema: {
      tags: ['graphs'],
      summary: 'Validate a graph (JSON document or .fbp text) against the component registry',
      body: { anyOf: [{ $ref: 'GraphDocument#' }, { type: 'string', description: '.fbp text' }] },
      response: { 200: envelopeSchema({ $ref: 'GraphValidation#' }), ...errorResponses(413, 415) },
    },
  }, async (request) => {
    const { valid, graph, problems } = inspectGraph(request.body, registry, { maxNodes: config.maxNodes, maxEdges: config.maxEdges, maxIipBytes: config.maxIipBytes });
    return ok({
      valid,
      problems,
      summary: {
        name: graph?.name || null,
        nodes: graph?.nodes.size ?? 0,
        edges: graph?.edges.length ?? 0,
        initials: graph?.initials.length ?? 0,
        inports: graph ? [...graph.inports.keys()] : [],
        outports: graph ? [...graph.outports.keys()] : [],
      },
    });
  });
}
