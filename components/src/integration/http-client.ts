// HTTP exchanges on Node's fetch, as the integration and media components need them: a
// per-node connection pool whose sockets pass the private-address guard, a timeout per attempt,
// retries with exponential backoff on 429/5xx and network errors (honouring Retry-After),
// redirects followed under a policy (hop limit, credentials dropped across origins), response
// size limits and body parsing (JSON, text or bytes).
import { setTimeout as sleep } from 'node:timers/promises';
import { ActorflowError } from '@actorflow/network';
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type { Agent } from 'undici';
import type { AddressGuard } from './address-guard.ts';
import { BlockedAddressError } from './address-guard.ts';

export type RedirectPolicy = 'follow' | 'manual' | 'error';
export type ResponseType = 'auto' | 'json' | 'text' | 'binary';

/** How a client sends requests (one client per node). */
export interface HttpClientOptions {
  /** Checks every address connected to; null sends anywhere. */
  guard: AddressGuard | null;
  /** Limit per attempt, from sending the request to the last byte of the body. */
  requestTimeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  retryBackoffMs: number;
  retryMaxBackoffMs: number;
  /** Statuses worth another attempt (429 is retried for every method, the others for `retryMethods`). */
  retryStatuses: readonly number[];
  /** Methods retried on retryable statuses and network errors. */
  retryMethods: readonly string[];
  /** A Retry-After longer than this ends the retries (the response stands). */
  maxRetryAfterMs: number;
  redirect: RedirectPolicy;
  maxRedirects: number;
  /** Responses with larger bodies fail (HTTP_RESPONSE_TOO_LARGE). */
  maxResponseBytes: number;
}

/** One request, ready to send. */
export interface HttpRequestSpec {
  method: string;
  url: URL;
  headers: Headers;
  body?: string | Uint8Array;
}

/** A response as components emit it: plain data, the body parsed or kept as bytes. */
export interface HttpResponseMessage {
  status: number;
  statusText: string;
  ok: boolean;
  /** The final URL (after redirects). */
  url: string;
  redirected: boolean;
  /** Header names in lower case; `set-cookie` lines are in `setCookie`. */
  headers: Record<string, string>;
  setCookie?: string[];
  /** Parsed JSON, text, bytes (Uint8Array), or null for an empty body. */
  body: unknown;
  /** Attempts made (1 + retries). */
  attempts: number;
  durationMs: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const TEXT_TYPES = /^(text\/|application\/(?:xml|javascript|ecmascript|x-www-form-urlencoded|graphql)|[^;]*\+xml)/i;
const JSON_TYPES = /^(application\/json|application\/[^;]*\+json|text\/json)/i;

/** An HTTP failure with its stable code (HTTP_TIMEOUT, HTTP_NETWORK, HTTP_STATUS, …). */
export class HttpError extends ActorflowError {
  override name = 'HttpError';
  /** The status of the response, for HTTP_STATUS. */
  readonly status?: number;
  constructor(code: string, message: string, hint: string, status?: number) {
    super(code, message, hint);
    if (status !== undefined) this.status = status;
  }
}

/** Milliseconds a Retry-After header asks for (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff for retry `attempt` (1 = first retry), capped, with ±20 % jitter. */
function backoffMs(options: HttpClientOptions, attempt: number): number {
  const base = Math.min(options.retryMaxBackoffMs, options.retryBackoffMs * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Query parameters whose values are hidden in messages (they usually carry credentials). */
const SECRET_PARAM = /key|token|secret|pass|sig|auth|credential|session/i;

/** `METHOD url` for messages, with the URL's password and credential-like query values hidden. */
function describeUrl(spec: { method: string; url: URL }): string {
  const shown = new URL(spec.url);
  if (shown.password) shown.password = '***';
  for (const name of new Set(shown.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) shown.searchParams.set(name, '***');
  }
  return `${spec.method} ${shown.href}`;
}

/** Sends requests for one node. Close it in the node's teardown. */
export class HttpClient {
  readonly options: HttpClientOptions;
  readonly #agent: Agent;

  constructor(options: HttpClientOptions) {
    this.options = options;
    // undici is loaded on first use: registering the component library stays fast.
    const { Agent: UndiciAgent } = createRequire(import.meta.url)('undici') as typeof Undici;
    this.#agent = new UndiciAgent(options.guard ? { connect: { lookup: options.guard.lookup } } : {});
  }

  /**
   * Sends `request` with retries and redirects, and reads the body as `responseType` says.
   * `signal` (the node's) cancels everything, waits included. Failures are HttpErrors.
   */
  async send(request: HttpRequestSpec, responseType: ResponseType, signal: AbortSignal): Promise<HttpResponseMessage> {
    const started = performance.now();
    const o = this.options;
    const retryableMethod = o.retryMethods.includes(request.method);
    for (let attempt = 1; ; attempt++) {
      const deadline = AbortSignal.timeout(o.requestTimeoutMs);
      const attemptSignal = AbortSignal.any([signal, deadline]);
      const canRetry = attempt <= o.maxRetries;
      let final: { response: Response; url: URL; redirected: boolean };
      try {
        final = await this.#follow(request, attemptSignal);
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        const error = this.#failure(err, request, deadline, attempt);
        if (canRetry && retryableMethod && (error.code === 'HTTP_TIMEOUT' || error.code === 'HTTP_NETWORK')) {
          await sleep(backoffMs(o, attempt), undefined, { signal });
          continue;
        }
        throw error;
      }
      const { response } = final;
      if (canRetry && o.retryStatuses.includes(response.status) && (retryableMethod || response.status === 429)) {
        const asked = retryAfterMs(response.headers.get('retry-after'));
        if (asked === undefined || asked <= o.maxRetryAfterMs) {
          await response.body?.cancel();
          await sleep(asked ?? backoffMs(o, attempt), undefined, { signal });
          continue;
        }
      }
      try {
        const body = await this.#readBody(response, request, responseType, attemptSignal);
        const headers: Record<string, string> = {};
        for (const [name, value] of response.headers) if (name !== 'set-cookie') headers[name] = value;
        const setCookie = response.headers.getSetCookie();
        return {
          status: response.status, statusText: response.statusText, ok: response.ok, url: final.url.href,
          redirected: final.redirected, headers, ...(setCookie.length > 0 ? { setCookie } : {}), body,
          attempts: attempt, durationMs: Math.round(performance.now() - started),
        };
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        throw this.#failure(err, request, deadline, attempt);
      }
    }
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** One attempt: the request, then each redirect hop the policy allows. */
  async #follow(request: HttpRequestSpec, signal: AbortSignal): Promise<{ response: Response; url: URL; redirected: boolean }> {
    let { method, url, body } = request;
    const headers = new Headers(request.headers);
    for (let hops = 0; ; hops++) {
      this.options.guard?.checkHost(url.hostname);
      const response = await fetch(url, { method, headers, body: body ?? null, redirect: 'manual', signal, dispatcher: this.#agent } as RequestInit);
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null || this.options.redirect === 'manual') {
        return { response, url, redirected: hops > 0 };
      }
      await response.body?.cancel();
      const here = describeUrl({ method, url });
      if (this.options.redirect === 'error') {
        throw new HttpError('HTTP_REDIRECT', `${here} answered ${response.status} redirecting to ${location}, and the node's redirect policy is 'error'`,
          "request the final URL, or set redirect to 'follow' (or 'manual' to receive the 3xx response)");
      }
      if (hops >= this.options.maxRedirects) {
        throw new HttpError('HTTP_REDIRECT', `${describeUrl(request)} was redirected more than ${this.options.maxRedirects} times (last hop: ${url.href} -> ${location})`,
          'raise maxRedirects, or request the final URL directly (a redirect loop never ends)');
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new HttpError('HTTP_REDIRECT', `${here} redirected to ${JSON.stringify(location)}, which is not a valid URL`, 'the server sends a broken Location header');
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new HttpError('HTTP_REDIRECT', `${here} redirected to ${next.href}, which is not an http(s) URL`, 'only http and https redirects are followed');
      }
      // Fetch semantics: 303 (and 301/302 after a POST) continue as a GET without a body.
      if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(h);
      }
      if (next.origin !== url.origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
      url = next;
    }
  }

  async #readBody(response: Response, request: HttpRequestSpec, responseType: ResponseType, signal: AbortSignal): Promise<unknown> {
    const bytes = await this.#readBytes(response, request, signal);
    const contentType = response.headers.get('content-type') ?? '';
    const kind = responseType !== 'auto' ? responseType
      : bytes.byteLength === 0 ? 'empty'
        : JSON_TYPES.test(contentType) ? 'json' : TEXT_TYPES.test(contentType) ? 'text' : 'binary';
    if (kind === 'empty') return null;
    if (kind === 'binary') return bytes;
    const text = decodeText(bytes, contentType);
    if (kind === 'text') return text;
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      const start = text.slice(0, 60).replace(/\s+/g, ' ');
      throw new HttpError('HTTP_BAD_RESPONSE', `${describeUrl(request)} answered ${response.status} with a body that is not valid JSON (${(err as Error).message}); it starts with ${JSON.stringify(start)}`,
        responseType === 'json' ? "set responseType to 'text' or 'binary' to receive it as it is" : `the server labelled it ${contentType}; set responseType to 'text' to receive it as text`);
    }
  }

  /** The body as bytes, refusing more than maxResponseBytes. */
  async #readBytes(response: Response, request: HttpRequestSpec, signal: AbortSignal): Promise<Uint8Array> {
    const limit = this.options.maxResponseBytes;
    const tooLarge = (size: string) => new HttpError('HTTP_RESPONSE_TOO_LARGE', `${describeUrl(request)} answered with a body of ${size}, more than maxResponseBytes (${limit})`,
      'raise maxResponseBytes, or ask the server for less (paging, a range)');
    const declared = Number(response.headers.get('content-length'));
    if (declared > limit) {
      await response.body?.cancel();
      throw tooLarge(`${declared} bytes`);
    }
    if (!response.body) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = response.body.getReader();
    const onAbort = () => void reader.cancel().catch(() => {});
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > limit) {
          await reader.cancel();
          throw tooLarge(`more than ${limit} bytes`);
        }
        chunks.push(value);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    signal.throwIfAborted();
    if (chunks.length === 1) return chunks[0];
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    return bytes;
  }

  /** Turns whatever an attempt threw into an HttpError. */
  #failure(err: unknown, request: HttpRequestSpec, deadline: AbortSignal, attempt: number): HttpError {
    if (err instanceof HttpError) return err;
    const cause = (err as { cause?: unknown })?.cause;
    if (err instanceof BlockedAddressError || cause instanceof BlockedAddressError) {
      const blocked = (err instanceof BlockedAddressError ? err : cause) as BlockedAddressError;
      return new HttpError('HTTP_BLOCKED_ADDRESS', `${describeUrl(request)}: ${blocked.message}`, blocked.hint);
    }
    const tries = `attempt ${attempt} of ${this.options.maxRetries + 1}`;
    if (deadline.aborted) {
      return new HttpError('HTTP_TIMEOUT', `${describeUrl(request)} got no complete response within ${this.options.requestTimeoutMs} ms (${tries})`,
        'raise requestTimeoutMs, or check that the server answers');
    }
    if (!(cause instanceof Error)) {
      // fetch refused to build the request (no network involved): say why, without the raw URL.
      const why = ((err as Error)?.message ?? String(err)).split(request.url.href).join('<url>');
      return new HttpError('INVALID_INPUT', `${describeUrl(request)} cannot be sent: ${why}`, 'fix the request (URL, method, headers)');
    }
    const code = (cause as NodeJS.ErrnoException).code;
    return new HttpError('HTTP_NETWORK', `${describeUrl(request)} failed: ${cause.message}${code && !cause.message.includes(code) ? ` (${code})` : ''} (${tries})`,
      'check the URL and that the server is reachable');
  }
}

/** The HTTP_STATUS error for a response that is not 2xx (the start of its body helps to see why). */
export function statusError(request: { method: string; url: URL }, response: HttpResponseMessage): HttpError {
  const body = typeof response.body === 'string' ? response.body : response.body instanceof Uint8Array || response.body === null ? '' : JSON.stringify(response.body);
  const excerpt = body.trim() === '' ? '' : `: ${JSON.stringify(body.length > 200 ? `${body.slice(0, 200)}…` : body)}`;
  const retryAfter = response.status === 429 || response.status === 503 ? response.headers['retry-after'] : undefined;
  const waited = response.attempts > 1 ? ` after ${response.attempts} attempts` : '';
  const asked = retryAfter !== undefined ? ` (it asked to retry after ${retryAfter}${/^\d+$/.test(retryAfter.trim()) ? ' s' : ''})` : '';
  return new HttpError('HTTP_STATUS', `${describeUrl(request)} answered ${response.status} ${response.statusText}${waited}${asked}${excerpt}`,
    retryAfter !== undefined ? 'raise maxRetryAfterMs or maxRetries to wait for the server, or send fewer requests'
      : 'check the request; set failOnHttpError to false to receive error responses on the response port', response.status);
}

function decodeText(bytes: Uint8Array, contentType: string): string {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder().decode(bytes); // an unknown charset label: read it as UTF-8
  }
}
