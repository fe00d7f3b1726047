// GET /metrics: Prometheus text format.
import type { FastifyInstance } from 'fastify';

export async function metricsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/metrics', {
    config: { rateLimit: false },
    schema: { tags: ['server'], summary: 'Prometheus metrics', produces: ['text/plain'], response: { 200: { type: 'string', description: 'Prometheus text exposition format' } } },
  }, async (_request, reply) => {
    const { metrics } = app.actorflow;
    reply.type(metrics.contentType);
    return metrics.text();
  });
}
