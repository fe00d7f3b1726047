// Turns every failure into the error envelope with the right status and a stable code: our
// ApiErrors, schema violations (every problem with its path), graph validation errors from the
// runtime, fastify's body-parsing errors (malformed JSON, oversized or unsupported bodies),
// rate limiting, unknown routes. Anything unexpected is a 500 that reveals nothing internal.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '@actorflow/network';
import { failure } from './envelope.ts';
import { ApiError, invalidRequest } from './errors.ts';
import { schemaProblem } from './validation.ts';

/** The ApiError equivalent of any error thrown while handling a request. */
export function toApiError(err: FastifyError | Error, bodyLimit: number): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ValidationError) return new ApiError('INVALID_GRAPH', err.message.split('\n')[0], 'fix the listed problems', { problems: err.problems });
  const fe = err as FastifyError;
  if (fe.validation) {
    return invalidRequest(fe.validation.map((v) => schemaProblem(v as never, fe.validationContext ?? 'body')));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('INVALID_JSON', `the body is not valid JSON: ${fe.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'$/, 'syntax error')}`, 'send a well-formed JSON document');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('INVALID_JSON', 'the body is empty but content-type is application/json', 'send a JSON document');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE', `the body is larger than the limit of ${bodyLimit} bytes`, 'send a smaller body; the server owner can raise ACTORFLOW_BODY_LIMIT');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', `content-type '${fe.message.split(': ').pop()}' is not supported`, 'send application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('INVALID_REQUEST', 'the content-length does not match the body', 'send a correct content-length');
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) {
    return new ApiError('INVALID_JSON', `the body is not valid JSON: ${err.message}`, 'send a well-formed JSON document');
  }
  if (fe.statusCode === 429) return new ApiError('RATE_LIMITED', 'too many requests', 'slow down; retry after the number of seconds in Retry-After');
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new ApiError('INVALID_REQUEST', fe.message, 'see GET /docs/json for what this route expects');
  return new ApiError('INTERNAL', 'internal server error', 'retry; if it persists, report it with the request id', { cause: err });
}

export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const api = toApiError(err, bodyLimit);
    if (api.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    else request.log.info({ code: api.code, error: api.message }, 'request rejected');
    for (const [name, value] of Object.entries(api.headers)) reply.header(name, value);
    return reply.status(api.statusCode).send(failure(api.code, api.message, api.hint, api.problems, request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(failure('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, 'the routes are listed in GET /docs/json', undefined, request.id));
  });
}
