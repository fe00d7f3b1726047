// GET /health: liveness and readiness (503 while shutting down). Public, never rate limited.
import type { FastifyInstance } from 'fastify';
import { envelopeSchema, ok } from '../envelope.ts';
import { ApiError } from '../errors.ts';
import { SERVER_VERSION } from '../version.ts';

const HealthSchema = {
  type: 'object',
  required: ['status', 'message', 'version', 'uptime_s', 'runs'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    message: { type: 'string' },
    version: { type: 'string' },
    uptime_s: { type: 'number' },
    runs: { type: 'object', required: ['queued', 'running'], properties: { queued: { type: 'integer' }, running: { type: 'integer' } } },
  },
} as const;

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', {
    config: { public: true, rateLimit: false },
    // A small answer, serialized with JSON.stringify: compiling a serializer for it (20-35 ms) would
    // delay the first probe answered after a start. The schema still documents it.
    serializerCompiler: () => (data) => JSON.stringify(data),
    schema: { tags: ['server'], summary: 'Is the server up and accepting runs?', response: { 200: envelopeSchema(HealthSchema), 503: { $ref: 'ErrorEnvelope#' } } },
  }, async () => {
    const { engine } = app.actorflow;
    if (engine.closing) throw new ApiError('SHUTTING_DOWN', 'the server is shutting down', 'retry against another instance or after the restart');
    return ok({ status: 'ok', message: 'Server is healthy', version: SERVER_VERSION, uptime_s: Math.round(process.uptime() * 10) / 10, runs: engine.counts() });
  });
}
