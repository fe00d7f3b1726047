// The server's errors: every failure a client can see has an HTTP status, a stable `code`, a
// message saying what went wrong and where, a `hint` saying how to fix it, and (for bad input)
// the list of every problem found, each with a JSON path.
import { ActorflowError, type Problem } from '@actorflow/network';

export type { Problem };

/** Stable error codes of the REST and WebSocket APIs (part of the public API). */
export const ERROR_CODES = {
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_GRAPH: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  EXECUTION_EXISTS: 409,
  RUN_FINISHED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  QUEUE_FULL: 503,
  SHUTTING_DOWN: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error that becomes an API error response (HTTP status from its code). */
export class ApiError extends ActorflowError {
  override name = 'ApiError';
  declare readonly code: ErrorCode;
  readonly statusCode: number;
  readonly problems: Problem[] | undefined;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, hint: string, options: { problems?: Problem[]; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(code, message, hint, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = ERROR_CODES[code];
    this.problems = options.problems;
    this.headers = options.headers ?? {};
    // ActorflowError appends the hint to the message; the API reports them separately.
    this.message = message;
  }
}

/** A problem found in a request (not in a graph), in network's Problem shape. */
export function requestProblem(path: string, message: string, hint: string, code = 'INVALID_VALUE'): Problem {
  return { code, path, message, hint, severity: 'error' };
}

/** A 400 listing every problem. */
export function invalidRequest(problems: Problem[], what = 'request'): ApiError {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  const message = errors.length === 1 && first
    ? `invalid ${what}: ${first.path}: ${first.message}`
    : `invalid ${what}: ${errors.length} problems (see problems)`;
  return new ApiError('INVALID_REQUEST', message, first?.hint ?? 'fix the listed problems and retry', { problems });
}

export function executionNotFound(id: string): ApiError {
  return new ApiError('NOT_FOUND', `execution '${id}' not found`, 'list executions with GET /workflows; finished runs older than the retention period are deleted');
}
