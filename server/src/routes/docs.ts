// GET /docs/json: the OpenAPI 3.1 document of this API (generated from the route schemas).
import type { FastifyInstance } from 'fastify';

export async function docsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/docs/json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
