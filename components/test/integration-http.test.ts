import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Network, type Metadata } from '@actorflow/network';
import { retryAfterMs } from '../src/integration/http-client.ts';
import { assertProblem, graph, loadProblems, registryWith, run, runError, type GraphSpec } from './helpers.ts';
import { sendJson, startHttpServer, type TestHttpServer } from './support/http-server.ts';

const registry = await registryWith('integration');
const LOCAL = { allowAddresses: ['127.0.0.1'] };

/** One HttpRequest node `http` with exported ports in/request/headers → response/error. */
function httpGraph(config: Metadata, extra: Partial<GraphSpec> = {}): GraphSpec {
  return {
    nodes: { http: ['integration/HttpRequest', { ...LOCAL, ...config }] },
    inports: { in: 'http.in', request: 'http.request' },
    outports: { response: 'http.response' },
    ...extra,
  };
}

async function request(config: Metadata, input: Record<string, unknown> = { in: null }): Promise<Record<string, any>> {
  const result = await run(registry, httpGraph(config), input);
  return result.results.response[0] as Record<string, any>;
}

async function failure(config: Metadata, input: Record<string, unknown> = { in: null }): Promise<{ message: string; code?: string }> {
  return runError(await run(registry, httpGraph(config), input, 'failed'));
}

describe('integration/HttpRequest', () => {
  let server: TestHttpServer;
  let other: TestHttpServer; // another origin (127.0.0.2)
  before(async () => {
    server = await startHttpServer();
    other = await startHttpServer('127.0.0.2');
  });
  after(async () => {
    await server.close();
    await other.close();
  });

  describe('requests', () => {
    it('GETs the URL with query parameters from the config and from the message, and parses the JSON response', async () => {
      const response = await request({ url: `${server.origin}/echo?fixed=1`, query: { page: 2, tags: ['a', 'b'], skip: null } }, { in: { q: 'find me' } });
      assert.equal(response.status, 200);
      assert.equal(response.ok, true);
      assert.equal(response.headers['content-type'], 'application/json');
      assert.equal(response.attempts, 1);
      assert.equal(response.body.method, 'GET');
      assert.deepEqual(response.body.query, { fixed: '1', page: '2', tags: ['a', 'b'], q: 'find me' });
      assert.equal(response.body.bodyBytes, 0);
    });

    it('POSTs an object as JSON, a string as text/plain and bytes as application/octet-stream', async () => {
      const sent: [unknown, string, string][] = [
        [{ a: 1, list: [true, null] }, 'application/json', '{"a":1,"list":[true,null]}'],
        ['plain words', 'text/plain; charset=utf-8', 'plain words'],
        [new Uint8Array([0, 1, 254, 255]), 'application/octet-stream', '00 01 fe ff'],
      ];
      for (const [body, contentType, expected] of sent) {
        const response = await request({ url: `${server.origin}/echo`, method: 'POST' }, { in: body });
        assert.equal(response.body.headers['content-type'], contentType);
        const received = server.requestsTo('/echo').at(-1)!.body;
        assert.equal(body instanceof Uint8Array ? [...received].map((b) => b.toString(16).padStart(2, '0')).join(' ') : received.toString(), expected);
      }
    });

    it('sends a URL-encoded form body with bodyType "form"', async () => {
      const response = await request({ url: `${server.origin}/echo`, method: 'PUT', bodyType: 'form' }, { in: { name: 'Ada Lovelace', n: [1, 2] } });
      assert.equal(response.body.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(response.body.body, 'name=Ada+Lovelace&n=1&n=2');
    });

    it('takes a whole request from the `request` port over the config', async () => {
      const response = await request({ url: `${server.origin}/nowhere`, method: 'GET', headers: { 'x-from': 'config' } },
        { request: { url: `${server.origin}/echo`, method: 'PATCH', headers: { 'x-from': 'message' }, query: { v: 3 }, body: { patch: true } } });
      assert.equal(response.body.method, 'PATCH');
      assert.equal(response.body.headers['x-from'], 'message');
      assert.deepEqual(response.body.query, { v: '3' });
      assert.equal(response.body.body, '{"patch":true}');
    });

    it('adds the sticky `headers` port to every following request', async () => {
      const result = await run(registry, httpGraph({ url: `${server.origin}/echo`, headers: { 'x-config': 'c' } }, {
        iips: [[{ 'x-extra': 'from-port' }, 'http.headers'], [1, 'http.in'], [2, 'http.in']],
        inports: {},
      }));
      const bodies = (result.results.response as Record<string, any>[]).map((r) => r.body.headers);
      assert.equal(bodies.length, 2);
      for (const h of bodies) {
        assert.equal(h['x-config'], 'c');
        assert.equal(h['x-extra'], 'from-port');
      }
    });

    it('resolves ${env.NAME} in headers from the env_vars the node declares', async () => {
      const g = graph(httpGraph({ url: `${server.origin}/echo`, headers: { authorization: 'Bearer ${env.API_TOKEN}' }, env_vars: { API_TOKEN: 'required' } }));
      const net = await Network.create(g, { registry, env: { API_TOKEN: 's3cret' } });
      const result = await net.run({ input: { in: null } });
      assert.equal(result.status, 'completed');
      assert.equal((result.results.response[0] as Record<string, any>).body.headers.authorization, 'Bearer s3cret');
    });

    it('fails at start, naming the field, when ${env.NAME} refers to a variable the node does not declare', async () => {
      const error = await failure({ url: `${server.origin}/echo`, headers: { authorization: 'Bearer ${env.API_TOKEN}' } });
      assert.equal(error.code, 'INVALID_CONFIG');
      assert.match(error.message, /config field 'headers\.authorization' uses \$\{env\.API_TOKEN\}, but the node does not declare/);
      assert.match(error.message, /"env_vars": \{ "API_TOKEN": "required" \}/);
    });

    it('runs on a worker thread (metadata.thread)', async () => {
      const response = await request({ url: `${server.origin}/echo`, thread: 'http' }, { in: { via: 'worker' } });
      assert.deepEqual(response.body.query, { via: 'worker' });
    });

    it('sends credentials written in the URL as Basic authentication', async () => {
      const response = await request({ url: `http://ada:pa%24s@127.0.0.1:${new URL(server.origin).port}/echo` });
      assert.equal(response.body.headers.authorization, `Basic ${Buffer.from('ada:pa$s').toString('base64')}`);
      assert.equal(response.url, `${server.origin}/echo`);
    });

    it('emits only the body with output "body"', async () => {
      server.route('/greeting', (_req, res) => sendJson(res, 200, { hello: 'world' }));
      assert.deepEqual(await request({ url: `${server.origin}/greeting`, output: 'body' }), { hello: 'world' });
    });
  });

  describe('responses', () => {
    it('keeps binary bodies as bytes (Uint8Array) and decodes text in its charset', async () => {
      server.route('/bytes', (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from([137, 80, 78, 71, 0, 255]));
      });
      server.route('/latin1', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' });
        res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1
      });
      const bytes = await request({ url: `${server.origin}/bytes` });
      assert.ok(bytes.body instanceof Uint8Array);
      assert.deepEqual([...bytes.body], [137, 80, 78, 71, 0, 255]);
      assert.equal((await request({ url: `${server.origin}/latin1` })).body, 'café');
      const forcedText = await request({ url: `${server.origin}/echo`, responseType: 'text' });
      assert.equal(typeof forcedText.body, 'string');
      assert.match(forcedText.body, /^\{"method":"GET"/);
    });

    it('gives null for an empty body and lists Set-Cookie lines apart', async () => {
      server.route('/empty', (_req, res) => {
        res.writeHead(204, { 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
        res.end();
      });
      const response = await request({ url: `${server.origin}/empty` });
      assert.equal(response.status, 204);
      assert.equal(response.body, null);
      assert.deepEqual(response.setCookie, ['a=1; Path=/', 'b=2; Path=/']);
      assert.equal(response.headers['set-cookie'], undefined);
    });

    it('fails a 404 with HTTP_STATUS naming the method, URL, status and the start of the body', async () => {
      const error = await failure({ url: `${server.origin}/missing` });
      assert.equal(error.code, 'HTTP_STATUS');
      assert.match(error.message, new RegExp(`GET ${server.origin}/missing answered 404 Not Found: .*no route /missing`));
    });

    it('emits error statuses on `response` when failOnHttpError is false', async () => {
      const response = await request({ url: `${server.origin}/missing`, failOnHttpError: false });
      assert.equal(response.status, 404);
      assert.equal(response.ok, false);
      assert.deepEqual(response.body, { error: 'no route /missing' });
    });

    it('routes a failure to a connected `error` port and the run completes', async () => {
      const result = await run(registry, httpGraph({ url: `${server.origin}/missing` }, { outports: { response: 'http.response', error: 'http.error' } }), { in: 1 });
      assert.equal(result.results.response.length, 0);
      const [error] = result.results.error as Record<string, any>[];
      assert.equal(error.code, 'HTTP_STATUS');
      assert.equal(error.actorId, 'http');
      assert.deepEqual(error.input, { in: 1 });
    });

    it('fails with HTTP_BAD_RESPONSE when a body labelled JSON does not parse', async () => {
      server.route('/badjson', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html>oops</html>');
      });
      const error = await failure({ url: `${server.origin}/badjson` });
      assert.equal(error.code, 'HTTP_BAD_RESPONSE');
      assert.match(error.message, /not valid JSON .*starts with "<html>oops<\/html>"/);
      assert.match(error.message, /responseType to 'text'/);
    });

    it('refuses a body larger than maxResponseBytes, declared or streamed', async () => {
      server.route('/big', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(4096));
      });
      server.route('/big-chunked', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(Buffer.alloc(2048));
        res.end(Buffer.alloc(2048));
      });
      for (const path of ['/big', '/big-chunked']) {
        const error = await failure({ url: `${server.origin}${path}`, maxResponseBytes: 1000 });
        assert.equal(error.code, 'HTTP_RESPONSE_TOO_LARGE');
        assert.match(error.message, /more than maxResponseBytes \(1000\)/);
      }
    });
  });

  describe('retries and timeouts', () => {
    /** A route that answers `failures` times with `status` (and Retry-After), then 200. */
    function flaky(path: string, failures: number, status: number, retryAfter?: string): void {
      let seen = 0;
      server.route(path, (_req, res) => {
        seen++;
        if (seen <= failures) sendJson(res, status, { attempt: seen }, retryAfter === undefined ? {} : { 'retry-after': retryAfter });
        else sendJson(res, 200, { attempt: seen });
      });
    }

    it('retries 503 with backoff and succeeds on a later attempt', async () => {
      flaky('/flaky-503', 2, 503);
      const response = await request({ url: `${server.origin}/flaky-503`, maxRetries: 3, retryBackoffMs: 5 });
      assert.equal(response.status, 200);
      assert.equal(response.attempts, 3);
      assert.deepEqual(response.body, { attempt: 3 });
    });

    it('honours Retry-After on 429, for a POST too', async () => {
      flaky('/flaky-429', 1, 429, '1');
      const response = await request({ url: `${server.origin}/flaky-429`, method: 'POST', retryBackoffMs: 1 }, { in: { n: 1 } });
      assert.equal(response.attempts, 2);
      const [first, second] = server.requestsTo('/flaky-429');
      assert.equal(second.body.toString(), '{"n":1}', 'the body is sent again');
      assert.ok(first && response.durationMs >= 950, `waited ${response.durationMs} ms for Retry-After: 1`);
    });

    it('gives up at once when Retry-After asks for longer than maxRetryAfterMs, saying so', async () => {
      flaky('/flaky-long', 1, 429, '120');
      const error = await failure({ url: `${server.origin}/flaky-long`, maxRetryAfterMs: 1000 });
      assert.equal(error.code, 'HTTP_STATUS');
      assert.match(error.message, /answered 429 Too Many Requests \(it asked to retry after 120 s\)/);
      assert.equal(server.requestsTo('/flaky-long').length, 1);
    });

    it('does not retry a POST answered 500 (not idempotent), but does retry a PUT', async () => {
      flaky('/flaky-post', 1, 500);
      const error = await failure({ url: `${server.origin}/flaky-post`, method: 'POST', retryBackoffMs: 1 }, { in: {} });
      assert.match(error.message, /answered 500 Internal Server Error/);
      assert.equal(server.requestsTo('/flaky-post').length, 1);
      flaky('/flaky-put', 1, 500);
      assert.equal((await request({ url: `${server.origin}/flaky-put`, method: 'PUT', retryBackoffMs: 1 }, { in: {} })).attempts, 2);
    });

    it('times out an attempt that gets no answer, retries it, then fails with HTTP_TIMEOUT', async () => {
      server.route('/hang', () => {}); // never answers
      const error = await failure({ url: `${server.origin}/hang`, requestTimeoutMs: 150, maxRetries: 1, retryBackoffMs: 1 });
      assert.equal(error.code, 'HTTP_TIMEOUT');
      assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/hang got no complete response within 150 ms \(attempt 2 of 2\)/);
    });

    it('fails with HTTP_NETWORK naming the cause when nothing listens', async () => {
      const closed = await startHttpServer();
      const url = `${closed.origin}/x`;
      await closed.close();
      const error = await failure({ url, maxRetries: 0 });
      assert.equal(error.code, 'HTTP_NETWORK');
      assert.match(error.message, /ECONNREFUSED/);
    });

    it('reads Retry-After as seconds or as an HTTP date', () => {
      const now = Date.parse('2026-01-01T00:00:00Z');
      assert.equal(retryAfterMs('3', now), 3000);
      assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
      assert.equal(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
      assert.equal(retryAfterMs('soon', now), undefined);
      assert.equal(retryAfterMs(null, now), undefined);
    });
  });

  describe('redirects', () => {
    it('follows redirects, continuing a POST as a GET after 303 and dropping Authorization across origins', async () => {
      server.route('/see-other', (_req, res) => {
        res.writeHead(303, { location: `${other.origin}/echo?via=303` });
        res.end();
      });
      const response = await request({ url: `${server.origin}/see-other`, method: 'POST', headers: { authorization: 'Bearer t', 'x-keep': 'yes' }, allowAddresses: ['127.0.0.1', '127.0.0.2'] }, { in: { a: 1 } });
      assert.equal(response.redirected, true);
      assert.equal(response.url, `${other.origin}/echo?via=303`);
      assert.equal(response.body.method, 'GET');
      assert.equal(response.body.bodyBytes, 0);
      assert.equal(response.body.headers.authorization, undefined);
      assert.equal(response.body.headers['x-keep'], 'yes');
    });

    it('keeps the method and body through a 307 on the same origin', async () => {
      server.route('/temporary', (_req, res) => {
        res.writeHead(307, { location: '/echo' });
        res.end();
      });
      const response = await request({ url: `${server.origin}/temporary`, method: 'POST', headers: { authorization: 'Bearer t' } }, { in: 'again' });
      assert.equal(response.body.method, 'POST');
      assert.equal(response.body.body, 'again');
      assert.equal(response.body.headers.authorization, 'Bearer t');
    });

    it('stops after maxRedirects with HTTP_REDIRECT', async () => {
      server.route('/loop', (_req, res) => {
        res.writeHead(302, { location: '/loop' });
        res.end();
      });
      const error = await failure({ url: `${server.origin}/loop`, maxRedirects: 3 });
      assert.equal(error.code, 'HTTP_REDIRECT');
      assert.match(error.message, /was redirected more than 3 times/);
      assert.equal(server.requestsTo('/loop').length, 4);
    });

    it("emits the 3xx response with redirect 'manual' and fails with redirect 'error'", async () => {
      server.route('/moved', (_req, res) => {
        res.writeHead(301, { location: '/echo' });
        res.end();
      });
      const response = await request({ url: `${server.origin}/moved`, redirect: 'manual' });
      assert.equal(response.status, 301);
      assert.equal(response.headers.location, '/echo');
      const error = await failure({ url: `${server.origin}/moved`, redirect: 'error' });
      assert.equal(error.code, 'HTTP_REDIRECT');
      assert.match(error.message, /answered 301 redirecting to \/echo, and the node's redirect policy is 'error'/);
    });
  });

  describe('private-address guard', () => {
    it('refuses loopback addresses by default, with the address and how to allow it', async () => {
      const result = await run(registry, { nodes: { http: ['integration/HttpRequest', { url: `${server.origin}/echo` }] }, inports: { in: 'http.in' } }, { in: null }, 'failed');
      const error = runError(result);
      assert.equal(error.code, 'HTTP_BLOCKED_ADDRESS');
      assert.match(error.message, /refused to connect to 127\.0\.0\.1: it is a private, loopback or otherwise non-public address/);
      assert.match(error.message, /allowAddresses/);
    });

    it('checks host names on the addresses they resolve to', async () => {
      const port = new URL(server.origin).port;
      const error = runError(await run(registry, { nodes: { http: ['integration/HttpRequest', { url: `http://localhost:${port}/echo` }] }, inports: { in: 'http.in' } }, { in: null }, 'failed'));
      assert.equal(error.code, 'HTTP_BLOCKED_ADDRESS');
      assert.match(error.message, /refused to connect to localhost \((127\.0\.0\.1|::1)\)/);
    });

    it('checks every redirect hop: an allowed server cannot redirect to a refused address', async () => {
      server.route('/to-other', (_req, res) => {
        res.writeHead(302, { location: `${other.origin}/echo` });
        res.end();
      });
      const before = other.requestsTo('/echo').length;
      const error = await failure({ url: `${server.origin}/to-other` });
      assert.equal(error.code, 'HTTP_BLOCKED_ADDRESS');
      assert.match(error.message, /127\.0\.0\.2/);
      assert.equal(other.requestsTo('/echo').length, before, 'the refused server got no request');
    });

    it('allows everything with blockPrivateAddresses false', async () => {
      const response = await run(registry, { nodes: { http: ['integration/HttpRequest', { url: `${other.origin}/echo`, blockPrivateAddresses: false }] }, inports: { in: 'http.in' }, outports: { response: 'http.response' } }, { in: null });
      assert.equal((response.results.response[0] as Record<string, any>).status, 200);
    });
  });

  describe('bad input', () => {
    it('rejects a body on a GET request', async () => {
      const error = await failure({ url: `${server.origin}/echo`, inputAs: 'body' }, { in: { a: 1 } });
      assert.equal(error.code, 'INVALID_INPUT');
      assert.match(error.message, /a GET request cannot carry a body, but this one has an object/);
    });

    it('reports a bad request message with the field and what is expected', async () => {
      const error = await failure({ url: `${server.origin}/echo` }, { request: { method: 'FETCH', headers: { a: 1 } } });
      assert.equal(error.code, 'INVALID_INPUT');
      assert.match(error.message, /the request on port 'request' field 'method' must be equal to one of the allowed values, got a string \("FETCH"\)/);
      assert.match(error.message, /field 'headers\.a' must be string, got a number \(1\)/);
      assert.match(error.message, /use one of: "GET", "POST"/);
    });

    it('reports an invalid header without showing its value', async () => {
      const error = await failure({ url: `${server.origin}/echo` }, { request: { headers: { 'x-token': 'abc\r\ninjected: 1' } } });
      assert.equal(error.code, 'INVALID_INPUT');
      assert.match(error.message, /header "x-token" is not a valid HTTP header/);
      assert.doesNotMatch(error.message, /abc|injected/);
    });

    it('hides credential-like query values in error messages', async () => {
      const error = await failure({ url: `${server.origin}/missing?api_key=s3cret&page=2` });
      assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/missing\?api_key=\*\*\*&page=2 answered 404/);
      assert.doesNotMatch(error.message, /s3cret/);
    });

    it('reports a request without a URL', async () => {
      const error = await failure({}, { in: null });
      assert.match(error.message, /no URL to request: the node has no `url` in its config and the message sets none/);
    });

    it('reports query parameters that are not flat', async () => {
      const error = await failure({ url: `${server.origin}/echo` }, { in: { filter: { nested: true } } });
      assert.equal(error.code, 'INVALID_INPUT');
      assert.match(error.message, /query parameters on port 'in' .* field 'filter'/);
    });

    it('reports a body that does not fit the bodyType', async () => {
      const error = await failure({ url: `${server.origin}/echo`, method: 'POST', bodyType: 'text' }, { in: { a: 1 } });
      assert.match(error.message, /bodyType 'text' sends a string, but the body is an object/);
    });
  });

  describe('bad config', () => {
    it('is rejected by Network.create with the node, the field and what is expected', async () => {
      const problems = await loadProblems(registry, {
        nodes: {
          http: ['integration/HttpRequest', {
            url: 'ftp://example.com/file', method: 'FETCH', requestTimeoutMs: 0, retryStatuses: [99], redirect: 'sometimes', allowAddresses: ['not-an-ip'], metod: 'GET',
          }],
        },
      });
      const at = (field: string) => `$.processes.http.metadata.${field}`;
      assertProblem(problems, at('url'), /node 'http' \(integration\/HttpRequest\) config field 'url' must match pattern "\^https\?:\/\/", got a string \("ftp:\/\/example.com\/file"\)/, /absolute http\/https/);
      assertProblem(problems, at('method'), /field 'method' must be equal to one of the allowed values, got a string \("FETCH"\)/, /use one of: "GET", "POST", "PUT"/);
      assertProblem(problems, at('requestTimeoutMs'), /must be >= 1, got a number \(0\)/);
      assertProblem(problems, at('retryStatuses[0]'), /field 'retryStatuses\.0' must be >= 100, got a number \(99\)/);
      assertProblem(problems, at('redirect'), /got a string \("sometimes"\)/, /"follow", "manual", "error"/);
      assertProblem(problems, at('allowAddresses[0]'), /field 'allowAddresses\.0' must match a schema in anyOf, got a string \("not-an-ip"\)/, /an IPv4 address or network, e\.g\. "127\.0\.0\.1".*\| .*an IPv6 address/);
      assertProblem(problems, at('metod'), /field 'metod' is not allowed/, /remove 'metod'/);
    });

    it('reports an IPv6 network with an impossible prefix when the network starts', async () => {
      const error = await failure({ url: `${server.origin}/echo`, allowAddresses: ['127.0.0.1', 'fd00::/200'] });
      assert.equal(error.code, 'INVALID_CONFIG');
      assert.match(error.message, /allowAddresses\[1\] is "fd00::\/200", not an IP address or CIDR network/);
    });
  });
});
