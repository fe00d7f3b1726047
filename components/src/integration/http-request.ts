// integration/HttpRequest: one HTTP request per message, on Node's fetch, with everything a flow
// needs from it — method, headers, query, JSON/text/form/binary bodies, per-attempt timeouts,
// retries honouring Retry-After, a redirect policy, response parsing and the private-address guard.
import { defineActor, isFlow } from '@actorflow/network';
import { ADDRESS_OR_NETWORK, AddressGuard, parseAddressList } from './address-guard.ts';
import { checkInput, describe, ENV_VAR_KEYS, invalidInput, resolveEnvRefs } from './checks.ts';
import { appendParams, encodeBody, querySchema, type BodyType, type QueryValue } from './http-body.ts';
import { HttpClient, statusError, type HttpRequestSpec, type RedirectPolicy, type ResponseType } from './http-client.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
/** Methods that carry no body: `inputAs: 'auto'` turns an object packet into query parameters. */
const QUERY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);
const NO_BODY_METHODS = new Set(['GET', 'HEAD']);

type InputAs = 'auto' | 'body' | 'query' | 'none';

interface HttpRequestConfig {
  url?: string;
  method: string;
  headers: Record<string, string>;
  query: Record<string, QueryValue>;
  inputAs: InputAs;
  bodyType: BodyType;
  responseType: ResponseType;
  output: 'response' | 'body';
  failOnHttpError: boolean;
  requestTimeoutMs: number;
  maxRetries: number;
  retryBackoffMs: number;
  retryMaxBackoffMs: number;
  retryStatuses: number[];
  retryMethods: string[];
  maxRetryAfterMs: number;
  redirect: RedirectPolicy;
  maxRedirects: number;
  maxResponseBytes: number;
  blockPrivateAddresses: boolean;
  allowAddresses: string[];
}

const headersSchema = { type: 'object', additionalProperties: { type: 'string' }, description: 'Header name -> value' };
const urlSchema = { type: 'string', format: 'uri', pattern: '^https?://', description: 'Absolute http(s) URL' };

/** What the `request` port accepts: a whole request, laid over the node's config. */
const REQUEST_SCHEMA = {
  type: 'object',
  properties: {
    url: urlSchema,
    method: { enum: [...METHODS], description: 'HTTP method' },
    headers: headersSchema,
    query: querySchema,
    body: { description: 'Request body, encoded as the node\'s bodyType says' },
  },
  additionalProperties: false,
};

/** Per node: the resolved config and the client (its connection pool), made in setup. */
interface State {
  client?: HttpClient;
  config?: HttpRequestConfig;
}

export const HttpRequest = defineActor({
  name: 'integration/HttpRequest',
  description: 'Sends an HTTP request for each message (Node\'s fetch) and emits the response. Method, URL, headers and query come from the config and can be '
    + 'overridden per message on `request`; the packet on `in` becomes the body (POST/PUT/PATCH) or the query (GET/HEAD/OPTIONS/DELETE). '
    + 'Retries 429/5xx and network errors with exponential backoff, honouring Retry-After; follows redirects under a policy; parses JSON and text '
    + 'responses and keeps other bodies as bytes. Private, loopback and link-local addresses are refused unless allowed (allowAddresses). '
    + 'Secrets: write ${env.NAME} in url, headers or query and declare NAME in the node\'s env_vars.',
  category: 'integration',
  icon: 'globe',
  inports: {
    in: { description: 'Triggers a request: the body, or the query parameters (a flat object), as `inputAs` says. A bang (flow) or null only triggers; so does anything but an object for a GET/HEAD/OPTIONS/DELETE with inputAs "auto".' },
    request: { type: 'object', schema: REQUEST_SCHEMA, description: 'A whole request {url?, method?, headers?, query?, body?}, laid over the config' },
    headers: { type: 'object', schema: headersSchema, sticky: true, description: 'Extra headers for every following request (kept until replaced)' },
  },
  outports: {
    response: { description: '{status, statusText, ok, url, redirected, headers, setCookie?, body, attempts, durationMs}, or only the body (output: "body")' },
    error: { type: 'object', description: 'Failed requests (codes HTTP_STATUS, HTTP_TIMEOUT, HTTP_NETWORK, HTTP_BLOCKED_ADDRESS, HTTP_REDIRECT, HTTP_BAD_RESPONSE, HTTP_RESPONSE_TOO_LARGE, INVALID_INPUT)' },
  },
  config: {
    type: 'object',
    properties: {
      url: { ...urlSchema, description: 'Request URL (absolute http/https); may come from the `request` port instead' },
      method: { enum: [...METHODS], default: 'GET', description: 'HTTP method' },
      headers: { ...headersSchema, default: {}, description: 'Headers sent with every request' },
      query: { ...querySchema, default: {}, description: 'Query parameters added to every request' },
      inputAs: { enum: ['auto', 'body', 'query', 'none'], default: 'auto', description: "How a packet on `in` is used: 'auto' (body for POST/PUT/PATCH, query for GET/HEAD/OPTIONS/DELETE), 'body', 'query' or 'none' (trigger only)" },
      bodyType: { enum: ['auto', 'json', 'text', 'binary', 'form'], default: 'auto', description: "Body encoding: 'auto' (bytes as is, strings as text, anything else as JSON), 'json', 'text', 'binary' or 'form' (URL-encoded)" },
      responseType: { enum: ['auto', 'json', 'text', 'binary'], default: 'auto', description: "How to read the response body: 'auto' (by Content-Type: JSON parsed, text decoded, anything else bytes), 'json', 'text' or 'binary'" },
      output: { enum: ['response', 'body'], default: 'response', description: "What to emit on `response`: the whole response or only its body" },
      failOnHttpError: { type: 'boolean', default: true, description: 'A final status outside 200-299 fails the request (code HTTP_STATUS); false emits it on `response`' },
      requestTimeoutMs: { type: 'integer', minimum: 1, maximum: 3_600_000, default: 30_000, description: 'Time limit per attempt, until the last byte of the response' },
      maxRetries: { type: 'integer', minimum: 0, maximum: 10, default: 2, description: 'Retries after the first attempt, on retryStatuses and network errors/timeouts' },
      retryBackoffMs: { type: 'integer', minimum: 0, maximum: 600_000, default: 500, description: 'First retry delay; doubles each retry (±20 % jitter); a Retry-After header takes precedence' },
      retryMaxBackoffMs: { type: 'integer', minimum: 0, maximum: 3_600_000, default: 30_000, description: 'Upper bound of the backoff delay' },
      retryStatuses: { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 }, uniqueItems: true, default: [408, 429, 500, 502, 503, 504], description: 'Response statuses that are retried' },
      retryMethods: { type: 'array', items: { enum: [...METHODS] }, uniqueItems: true, default: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'], description: 'Methods retried on any retryable status or network error (429 is retried for every method: the server did not process the request)' },
      maxRetryAfterMs: { type: 'integer', minimum: 0, maximum: 3_600_000, default: 60_000, description: 'Longest Retry-After honoured; a longer one ends the retries' },
      redirect: { enum: ['follow', 'manual', 'error'], default: 'follow', description: "Redirects: 'follow' (credentials are dropped when the origin changes), 'manual' (emit the 3xx response) or 'error'" },
      maxRedirects: { type: 'integer', minimum: 0, maximum: 50, default: 10, description: 'Most redirects followed per request' },
      maxResponseBytes: { type: 'integer', minimum: 1, default: 50 * 1024 * 1024, description: 'Largest response body accepted (bytes)' },
      blockPrivateAddresses: { type: 'boolean', default: true, description: 'Refuse loopback, private, link-local and other non-public addresses (checked on every connection, redirects included)' },
      allowAddresses: { type: 'array', items: ADDRESS_OR_NETWORK, default: [], description: 'Addresses or CIDR networks always allowed, e.g. ["127.0.0.1"] or ["10.0.0.0/8"]' },
    },
    patternProperties: ENV_VAR_KEYS,
    additionalProperties: false,
  },
  state: (): State => ({}),

  setup(ctx) {
    const raw = ctx.config as unknown as HttpRequestConfig;
    const config: HttpRequestConfig = {
      ...raw,
      url: raw.url === undefined ? undefined : resolveEnvRefs(raw.url, ctx.env, 'url'),
      headers: resolveEnvRefs(raw.headers, ctx.env, 'headers'),
      query: resolveEnvRefs(raw.query, ctx.env, 'query'),
    };
    const guard = config.blockPrivateAddresses
      ? new AddressGuard({ blockPrivateAddresses: true, allowAddresses: parseAddressList(config.allowAddresses, 'allowAddresses') })
      : null;
    ctx.state.config = config;
    ctx.state.client = new HttpClient({ ...config, guard });
  },

  async process(input, ctx) {
    const { client, config } = ctx.state as Required<State>;
    const request = buildRequest(config, input, ctx.port ?? 'in');
    const response = await client.send(request, config.responseType, ctx.signal);
    if (config.failOnHttpError && !response.ok && !(config.redirect === 'manual' && response.status >= 300 && response.status < 400)) {
      throw statusError(request, response);
    }
    ctx.emit('response', config.output === 'body' ? response.body : response);
  },

  async teardown(ctx) {
    await ctx.state.client?.close();
    ctx.state.client = undefined;
  },
});

/** The request for one firing: config, then the sticky headers, then what arrived. */
function buildRequest(config: HttpRequestConfig, input: { in?: unknown; request?: Record<string, any>; headers?: Record<string, any> }, port: string): HttpRequestSpec {
  if (input.headers !== undefined) checkInput(headersSchema, input.headers, "the headers on port 'headers'");
  let { url, method } = config;
  const headerSets: Record<string, string>[] = [config.headers, input.headers ?? {}];
  const querySets: Record<string, QueryValue>[] = [config.query];
  let body: unknown;
  if (port === 'request') {
    const r = input.request;
    checkInput(REQUEST_SCHEMA, r, "the request on port 'request'");
    url = r!.url ?? url;
    method = r!.method ?? method;
    if (r!.headers) headerSets.push(r!.headers);
    if (r!.query) querySets.push(r!.query);
    body = r!.body;
  } else {
    const packet = input.in;
    const isParams = typeof packet === 'object' && packet !== null && Object.getPrototypeOf(packet) === Object.prototype;
    const as = config.inputAs !== 'auto' ? config.inputAs : !QUERY_METHODS.has(method) ? 'body' : isParams ? 'query' : 'none';
    const trigger = packet === undefined || packet === null || isFlow(packet);
    if (as === 'body') body = packet;
    else if (as === 'query' && !trigger) {
      checkInput(querySchema, packet, `the query parameters on port 'in' (inputAs: ${config.inputAs})`);
      querySets.push(packet as Record<string, QueryValue>);
    }
  }
  if (url === undefined) {
    throw invalidInput('no URL to request: the node has no `url` in its config and the message sets none', "set the node's `url`, or send {url: ...} on the `request` port");
  }
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw invalidInput(`the URL ${JSON.stringify(url)} is not valid`, 'use an absolute http(s) URL like "https://api.example.com/items"');
  }
  for (const query of querySets) appendParams(target.searchParams, query);
  const headers = new Headers();
  if (target.username || target.password) {
    // fetch refuses credentials in URLs: send them as Basic authentication, as curl does.
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
    target.username = '';
    target.password = '';
  }
  for (const set of headerSets) {
    for (const [name, value] of Object.entries(set)) {
      try {
        headers.set(name, value);
      } catch {
        throw invalidInput(`header ${JSON.stringify(name)} is not a valid HTTP header`, 'header names are tokens (letters, digits, -) and values have no line breaks; the value is not shown, it may be a secret');
      }
    }
  }
  const spec: HttpRequestSpec = { method, url: target, headers };
  if (body !== undefined && !(body === null && config.bodyType !== 'json') && !isFlow(body)) {
    if (NO_BODY_METHODS.has(method)) {
      throw invalidInput(`a ${method} request cannot carry a body, but this one has ${describe(body)}`,
        "send the data as query parameters (inputAs: 'query'), or use a method that carries a body (POST, PUT, PATCH)");
    }
    spec.body = encodeBody(body, config.bodyType, headers);
  }
  return spec;
}
