// GET /ws: the WebSocket endpoint of the hub (see ws/hub.ts for the protocol).
import type { FastifyInstance } from 'fastify';

export async function wsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/ws', {
    websocket: true,
    schema: {
      tags: ['websocket'],
      summary: 'WebSocket: start, watch and cancel runs (Reflow\'s protocol); API key via header or ?api_key=',
      querystring: { type: 'object', properties: { api_key: { type: 'string' } } },
    },
  }, (socket, request) => app.actorflow.hub.connect(socket, request));
}
