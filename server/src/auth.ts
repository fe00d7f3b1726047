// API keys. When keys are configured every route except the public ones (health, OpenAPI
// document) needs one: `Authorization: Bearer <key>` or `X-API-Key: <key>`; WebSocket clients,
// which cannot always set headers, may pass `?api_key=<key>` instead. Keys are compared in
// constant time. Each request gets a `clientId` (a hash of its key, never the key) that scopes
// rate limits and idempotency keys.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: `key:<hash prefix>` with API keys, else `anonymous`. */
    clientId: string;
  }
  interface FastifyContextConfig {
    /** Reachable without an API key. */
    public?: boolean;
  }
}

const digest = (key: string) => createHash('sha256').update(key).digest();

/** The credential a request presents, if any. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const query = request.query as Record<string, unknown> | undefined;
  if (request.headers.upgrade?.toLowerCase() === 'websocket' && typeof query?.api_key === 'string') return query.api_key;
  return undefined;
}

/** Installs the API key check on every route (no-op when no key is configured). */
export function installAuth(app: FastifyInstance, apiKeys: readonly string[]): void {
  app.decorateRequest('clientId', 'anonymous');
  if (apiKeys.length === 0) return;
  const accepted = apiKeys.map(digest);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public) return;
    const key = presentedKey(request);
    if (key !== undefined) {
      const d = digest(key);
      if (accepted.some((a) => timingSafeEqual(a, d))) {
        request.clientId = `key:${d.subarray(0, 8).toString('hex')}`;
        return;
      }
    }
    reply.header('www-authenticate', 'Bearer realm="actorflow"');
    throw new ApiError('UNAUTHORIZED', key === undefined ? 'this server requires an API key' : 'the API key is not valid',
      'send `Authorization: Bearer <key>` or `X-API-Key: <key>` (WebSocket: `?api_key=<key>`)');
  });
}
