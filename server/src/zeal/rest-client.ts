// HTTP client for Zeal's ZIP REST routes: JSON in and out, auth headers, a timeout per request,
// and retries with exponential backoff for what can heal (network errors, timeouts, 429, 5xx).
// It uses undici's request() over a keep-alive agent: a third of fetch's CPU per request, which
// matters for the trace batches sent while a run is busy.
import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import type * as Undici from 'undici';
import { ActorflowError } from '@actorflow/network';

export interface RetryPolicy {
  /** Attempts including the first. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export interface ZealRestClientOptions {
  /** REST base, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  apiKey?: string | undefined;
  timeoutMs: number;
  retry: RetryPolicy;
}

/** A Zeal REST call that failed for good. `retryable` tells whether trying later might work. */
export class ZealRequestError extends ActorflowError {
  override name = 'ZealRequestError';
  /** HTTP status, or 0 when Zeal could not be reached. */
  readonly status: number;
  /** Zeal's own error code from `{error:{code}}`, when it sent one. */
  readonly zealCode: string | undefined;
  readonly retryable: boolean;
  readonly attempts: number;
  constructor(what: string, status: number, zealCode: string | undefined, detail: string, attempts: number) {
    const retryable = status === 0 || status === 429 || status >= 500;
    const code = status === 0 ? 'ZEAL_UNREACHABLE' : 'ZEAL_HTTP_ERROR';
    const hint = status === 0
      ? 'check ZEAL_URL and that Zeal is running'
      : status === 401 || status === 403 ? 'set ZEAL_API_KEY to a token Zeal accepts'
        : retryable ? 'Zeal failed internally; see its logs' : 'the request does not match what this Zeal version accepts';
    super(code, `${what}: ${status === 0 ? 'no answer' : `HTTP ${status}`}${zealCode ? ` ${zealCode}` : ''}${detail ? `: ${detail}` : ''} after ${attempts} attempt${attempts === 1 ? '' : 's'}`, hint);
    this.status = status;
    this.zealCode = zealCode;
    this.retryable = retryable;
    this.attempts = attempts;
  }
}

/** Delay before retry number `attempt` (1-based): exponential, capped, ±20% jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const raw = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

function describeBody(body: unknown): { zealCode: string | undefined; detail: string } {
  const err = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (err && typeof err === 'object') {
    return { zealCode: typeof err.code === 'string' ? err.code : undefined, detail: typeof err.message === 'string' ? err.message : '' };
  }
  return { zealCode: undefined, detail: typeof body === 'string' ? body.slice(0, 200) : '' };
}

export class ZealRestClient {
  readonly baseUrl: string;
  #headers: Record<string, string>;
  #timeoutMs: number;
  #retry: RetryPolicy;
  #closed = new AbortController();
  /** Loaded on first use (a server without Zeal never loads undici). */
  #http: { request: typeof Undici.request; agent: Undici.Agent } | null = null;

  constructor(options: ZealRestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.apiKey) this.#headers.authorization = `Bearer ${options.apiKey}`;
    this.#timeoutMs = options.timeoutMs;
    this.#retry = options.retry;
  }

  /**
   * POSTs JSON and returns the parsed 2xx answer. Retries per the policy (override `attempts`
   * per call; `onAttempt` is called for every request sent); throws ZealRequestError when it
   * gives up, or when the client is closed.
   */
  async post<T>(path: string, body: unknown, options: { attempts?: number; onAttempt?: () => void } = {}): Promise<T> {
    const attempts = options.attempts ?? this.#retry.attempts;
    const payload = JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      try {
        options.onAttempt?.();
        return await this.#once<T>(path, payload, attempt);
      } catch (err) {
        const failure = err as ZealRequestError;
        if (!failure.retryable || attempt >= attempts || this.#closed.signal.aborted) throw failure;
      }
      try {
        await delay(backoffDelay(attempt, this.#retry.baseMs, this.#retry.maxMs), undefined, { signal: this.#closed.signal });
      } catch {
        throw new ZealRequestError(`POST ${path}`, 0, undefined, 'client closed while waiting to retry', attempt);
      }
    }
  }

  async #once<T>(path: string, payload: string, attempt: number): Promise<T> {
    const what = `POST ${path}`;
    const http = this.#http ??= this.#loadHttp();
    let status: number;
    let text: string;
    try {
      const res = await http.request(this.baseUrl + path, {
        method: 'POST', headers: this.#headers, body: payload, dispatcher: http.agent,
        signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#closed.signal]),
      });
      status = res.statusCode;
      text = await res.body.text().catch(() => '');
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `timed out after ${this.#timeoutMs} ms` : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
      throw new ZealRequestError(what, 0, undefined, reason, attempt);
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the error message
    }
    if (status < 200 || status > 299) {
      const { zealCode, detail } = describeBody(parsed);
      throw new ZealRequestError(what, status, zealCode, detail, attempt);
    }
    return parsed as T;
  }

  #loadHttp(): { request: typeof Undici.request; agent: Undici.Agent } {
    const undici = createRequire(import.meta.url)('undici') as typeof Undici;
    return { request: undici.request, agent: new undici.Agent({ keepAliveTimeout: 10_000 }) };
  }

  /** Aborts requests in flight and pending retries, and closes the connections. */
  close(): void {
    this.#closed.abort();
    void this.#http?.agent.destroy().catch(() => undefined);
  }
}
