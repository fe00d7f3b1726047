// Logging: pino JSON lines. Every request line carries `request_id` (the client's X-Request-Id
// when it sends a sane one), every run line `run_id`. Secrets never reach the log: credentials
// in headers and query strings and webhook header values are redacted.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import type { ServerConfig } from './config.ts';

const SECRET_QUERY = /([?&](?:api_key|apikey|token|access_token|key)=)[^&#]*/gi;

/** The URL with credential query parameters blanked. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request id: the client's X-Request-Id if it looks like an id, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** fastify logger options for the configured level, optionally writing to `stream`. */
export function loggerOptions(level: ServerConfig['logLevel'], stream?: DestinationStream): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.webhook_headers', '*.metadata.webhook_headers', 'headers.authorization', 'headers["x-api-key"]'],
      censor: '[redacted]',
    },
    serializers: {
      req(req: { method: string; url: string; hostname?: string; ip?: string }) {
        return { method: req.method, url: redactUrl(req.url), host: req.hostname, remote: req.ip };
      },
    },
  };
}
