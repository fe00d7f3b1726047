import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startServer, type TestServer } from './support/server.ts';
import { upperGraph } from './support/graphs.ts';
import { WsClient } from './support/ws-client.ts';
import { ConfigError, loadConfig, resolveConfig } from '../src/config.ts';

const KEY = 'k3y-0123456789abcdef-secret';

describe('API keys', () => {
  let s: TestServer;
  let logs = '';
  before(async () => {
    const logStream = new Writable({ write(chunk, _enc, done) { logs += chunk.toString(); done(); } });
    s = await startServer({ apiKeys: [KEY], logLevel: 'info', webhookAttempts: 1 }, { logStream });
  });
  after(() => s.close());

  it('refuses requests without a key or with a wrong one (401, WWW-Authenticate)', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-key-wrong-key' }, { 'x-api-key': 'nope' }, { authorization: `Basic ${KEY}` }];
    for (const headers of attempts) {
      const res = await s.request('GET', '/workflows', undefined, headers);
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'UNAUTHORIZED');
      assert.match(res.headers.get('www-authenticate')!, /Bearer/);
    }
  });

  it('accepts the key as a bearer token or in X-API-Key', async () => {
    assert.equal((await s.request('GET', '/workflows', undefined, { authorization: `Bearer ${KEY}` })).status, 200);
    const run = await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'k' } }, { 'x-api-key': KEY });
    assert.equal(run.body.data.status, 'Completed');
  });

  it('keeps /health and the OpenAPI document public', async () => {
    assert.equal((await s.request('GET', '/health')).status, 200);
    assert.equal((await s.request('GET', '/docs/json')).status, 200);
    assert.equal((await s.request('GET', '/metrics')).status, 401);
  });

  it('guards the WebSocket endpoint too (header or ?api_key=)', async () => {
    await assert.rejects(WsClient.connect(s.wsUrl), /401/);
    const byQuery = await WsClient.connect(`${s.wsUrl}?api_key=${KEY}`);
    await byQuery.close();
    const byHeader = await WsClient.connect(s.wsUrl, { 'x-api-key': KEY });
    await byHeader.close();
  });

  it('never writes a key or a webhook secret to the log, and tags request lines with request ids', async () => {
    await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'x' }, metadata: { webhook_url: 'http://127.0.0.1:9/none', webhook_headers: { authorization: 'hook-secret-value' } } }, { authorization: `Bearer ${KEY}`, 'x-request-id': 'req-abc-1' });
    const ws = await WsClient.connect(`${s.wsUrl}?api_key=${KEY}`);
    await ws.close();
    assert.ok(logs.length > 0);
    assert.ok(!logs.includes(KEY), 'the API key is not in the log');
    assert.ok(!logs.includes('hook-secret-value'), 'the webhook header is not in the log');
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.some((l) => l.request_id === 'req-abc-1'), 'the client request id is used');
    assert.ok(lines.some((l) => typeof l.run_id === 'string' && l.msg === 'run finished'), 'run lines carry run_id');
  });
});

describe('configuration', () => {
  it('reads flags over environment variables over defaults', () => {
    const config = loadConfig({ port: '9000' }, { ACTORFLOW_PORT: '8000', ACTORFLOW_DB: '/tmp/x.db', ACTORFLOW_CORS_ORIGINS: 'http://a, http://b' });
    assert.equal(config.port, 9000);
    assert.equal(config.db, '/tmp/x.db');
    assert.deepEqual(config.corsOrigins, ['http://a', 'http://b']);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(loadConfig({}, {}).port, 8080);
  });

  it('lists every invalid option at once', () => {
    assert.throws(() => loadConfig({ port: 'eighty' }, { ACTORFLOW_MAX_NODES: '-1', ACTORFLOW_LOG_LEVEL: 'loud' }), (err: ConfigError) => {
      assert.deepEqual(err.problems.map((p) => p.path).sort(), ['--port', 'ACTORFLOW_LOG_LEVEL', 'ACTORFLOW_MAX_NODES']);
      return true;
    });
  });

  it('refuses to listen beyond loopback without an API key, and rejects short keys', () => {
    assert.throws(() => loadConfig({ host: '0.0.0.0' }, {}), /beyond loopback, without an API key/);
    assert.throws(() => resolveConfig({ host: '::' }), ConfigError);
    assert.equal(resolveConfig({ host: '0.0.0.0', apiKeys: [KEY] }).host, '0.0.0.0');
    assert.equal(resolveConfig({ host: 'localhost' }).apiKeys.length, 0);
    assert.throws(() => loadConfig({}, { ACTORFLOW_API_KEY: 'short' }), /at least 16/);
  });
});

describe('rate limiting and CORS', () => {
  it('answers 429 RATE_LIMITED with Retry-After beyond the per-client limit, and CORS headers for allowed origins only', async () => {
    const s = await startServer({ rateLimitPerMinute: 3, corsOrigins: ['http://ide.example'] });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await s.request('GET', '/components')).status, 200);
      const limited = await s.request('GET', '/components');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'RATE_LIMITED');
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.equal((await s.request('GET', '/health')).status, 200, 'health is never rate limited');
      const allowed = await s.request('GET', '/health', undefined, { origin: 'http://ide.example' });
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://ide.example');
      const other = await s.request('GET', '/health', undefined, { origin: 'http://evil.example' });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    } finally {
      await s.close();
    }
  });
});

describe('secrets and graphs', () => {
  it("never lets a graph read the server's own settings (ACTORFLOW_*, ZEAL_*) through env_vars", async () => {
    process.env.ZEAL_API_KEY = 'zeal-secret-value';
    process.env.ACTORFLOW_TEST_SECRET = 'server-secret-value';
    process.env.AF_VISIBLE = 'visible';
    const s = await startServer();
    try {
      const graph = (vars: Record<string, string>) => ({
        caseSensitive: false, properties: { name: 'env' },
        processes: { r: { id: 'r', component: 'core/Repeat', metadata: { env_vars: vars } } },
        connections: [], inports: {}, outports: {},
      });
      for (const name of ['ZEAL_API_KEY', 'ACTORFLOW_TEST_SECRET']) {
        const refused = await s.request('POST', '/workflows', { graph_json: graph({ [name]: 'required' }) });
        assert.equal(refused.status, 400, name);
        assert.equal(refused.body.problems[0].code, 'MISSING_ENV');
      }
      assert.equal((await s.request('POST', '/workflows', { graph_json: graph({ AF_VISIBLE: 'required' }) })).status, 202);
    } finally {
      await s.close();
      delete process.env.ZEAL_API_KEY;
      delete process.env.ACTORFLOW_TEST_SECRET;
      delete process.env.AF_VISIBLE;
    }
  });
});
