// GET /components: the component palette (registry) with ports and config schemas.
import type { FastifyInstance } from 'fastify';
import { envelopeSchema, ok } from '../envelope.ts';
import { errorResponses } from '../schemas/common.ts';

export async function componentRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { category?: string } }>('/components', {
    schema: {
      tags: ['components'],
      summary: 'Every component graphs can use, with its ports and configuration schema',
      querystring: { type: 'object', properties: { category: { type: 'string', description: 'Only this category' } }, additionalProperties: false },
      response: {
        200: envelopeSchema({ type: 'object', required: ['components'], properties: { components: { type: 'array', items: { $ref: 'Component#' } } } }),
        ...errorResponses(),
      },
    },
  }, async (request) => {
    const all = app.actorflow.registry.list();
    const { category } = request.query;
    return ok({ components: category ? all.filter((c) => c.category === category) : all });
  });
}
