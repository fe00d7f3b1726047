// The bad-input corpus: every malformed request gets a precise error (status, stable code, the
// path of every problem, a hint) and never a crash, a hang or a silent drop.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './support/server.ts';
import { graph, upperGraph } from './support/graphs.ts';

interface Problem { code: string; path: string; message: string; hint: string }

describe('REST API: bad input', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ bodyLimitBytes: 64 * 1024, maxNodes: 50, maxEdges: 60, maxIipBytes: 1024 });
  });
  after(() => s.close());

  async function rejected(method: string, path: string, body: unknown, status: number, code: string, headers?: Record<string, string>) {
    const res = await s.request(method, path, body, headers);
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.success, false);
    assert.equal(res.body.data, null);
    assert.equal(res.body.code, code);
    assert.equal(typeof res.body.error, 'string');
    assert.ok(res.body.hint.length > 0, 'a hint says how to fix it');
    assert.ok(res.body.request_id);
    return res.body as { error: string; hint: string; problems?: Problem[] };
  }

  const paths = (problems: Problem[] | undefined) => (problems ?? []).map((p) => p.path);

  it('rejects malformed JSON with INVALID_JSON', async () => {
    await rejected('POST', '/workflows', '{"graph_json": {', 400, 'INVALID_JSON');
    await rejected('POST', '/workflows', '', 400, 'INVALID_JSON');
  });

  it('rejects a body that is not JSON with 415', async () => {
    await rejected('POST', '/workflows', '<xml/>', 415, 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'application/xml' });
  });

  it('rejects an oversized body with 413 before reading it all', async () => {
    const body = JSON.stringify({ graph_json: upperGraph(), input: { text: 'x'.repeat(100 * 1024) } });
    await rejected('POST', '/workflows', body, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('lists every schema problem of a request at once, each with its path', async () => {
    const body = await rejected('POST', '/workflows', { graph_json: 'not a graph', input: [1], metadata: { timeout_ms: 'soon', webhook_url: 'ftp://x' }, extra: true }, 400, 'INVALID_REQUEST');
    const p = paths(body.problems);
    for (const expected of ['$.graph_json', '$.input', '$.metadata.timeout_ms', '$.metadata.webhook_url', '$.extra']) assert.ok(p.includes(expected), `${expected} in ${p.join(', ')}`);
    const extra = body.problems!.find((x) => x.path === '$.extra')!;
    assert.match(extra.hint, /graph_json, input, metadata/);
  });

  it('requires graph_json', async () => {
    const body = await rejected('POST', '/workflows', { input: {} }, 400, 'INVALID_REQUEST');
    assert.deepEqual(paths(body.problems), ['$.graph_json']);
  });

  it('reports unknown components and ports with near-miss suggestions and paths into the request', async () => {
    const g = graph({ a: 'core/Repaet', b: 'core/Repeat' }, [['b.otu', 'a.in']]);
    const body = await rejected('POST', '/workflows', { graph_json: g }, 400, 'INVALID_GRAPH');
    const component = body.problems!.find((x) => x.path === '$.graph_json.processes.a.component');
    assert.ok(component, paths(body.problems).join());
    assert.match(component.hint, /core\/Repeat/);
    assert.ok(body.problems!.some((x) => x.path.startsWith('$.graph_json.connections[0]') && /otu/.test(x.message)), JSON.stringify(body.problems));
  });

  it('reports a graph document that is structurally broken', async () => {
    const body = await rejected('POST', '/workflows', { graph_json: { processes: { a: { component: 42 } }, connections: [{ from: { nodeId: 'ghost', portId: 'out' }, to: { nodeId: 'a', portId: 'in' } }] } }, 400, 'INVALID_GRAPH');
    assert.ok(body.problems!.length >= 2, JSON.stringify(body.problems));
    assert.ok(body.problems!.every((x) => x.path.startsWith('$.graph_json')));
  });

  it('rejects huge graphs (nodes, connections) and oversized initial packets before reading them', async () => {
    const nodes = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`n${i}`, 'core/Repeat']));
    let body = await rejected('POST', '/workflows', { graph_json: graph(nodes) }, 400, 'INVALID_GRAPH');
    assert.equal(body.problems![0].code, 'GRAPH_TOO_LARGE');
    assert.equal(body.problems![0].path, '$.graph_json.processes');
    const edges = Array.from({ length: 61 }, () => ['a.out', 'b.in'] as [string, string]);
    body = await rejected('POST', '/workflows', { graph_json: graph({ a: 'core/Repeat', b: 'core/Repeat' }, edges) }, 400, 'INVALID_GRAPH');
    assert.equal(body.problems![0].path, '$.graph_json.connections');
    body = await rejected('POST', '/workflows', { graph_json: graph({ a: 'core/Repeat' }, [['y'.repeat(2000), 'a.in', 'iip']]) }, 400, 'INVALID_GRAPH');
    assert.deepEqual(paths(body.problems), ['$.graph_json.connections[0].data']);
  });

  it('rejects input for inports the graph does not export, and oversized input values', async () => {
    const body = await rejected('POST', '/workflows', { graph_json: upperGraph(), input: { txet: 'a', text: 'b'.repeat(2000) } }, 400, 'INVALID_REQUEST');
    assert.deepEqual(paths(body.problems).sort(), ['$.input.text', '$.input.txet']);
    assert.match(body.problems!.find((p) => p.path === '$.input.txet')!.hint, /exported inports: text/);
  });

  it('rejects a run timeout beyond the server maximum', async () => {
    const body = await rejected('POST', '/workflows', { graph_json: upperGraph(), metadata: { timeout_ms: 10 ** 12 } }, 400, 'INVALID_REQUEST');
    assert.deepEqual(paths(body.problems), ['$.metadata.timeout_ms']);
  });

  it('rejects invalid ids with 400 and unknown ids with 404', async () => {
    const bad = await rejected('GET', `/workflows/${encodeURIComponent('bad id!')}`, undefined, 400, 'INVALID_REQUEST');
    assert.deepEqual(paths(bad.problems), ['params.id']);
    await rejected('GET', '/workflows/does-not-exist', undefined, 404, 'NOT_FOUND');
    await rejected('GET', '/workflows/does-not-exist/events', undefined, 404, 'NOT_FOUND');
    await rejected('POST', '/workflows', { graph_json: upperGraph(), metadata: { execution_id: '../etc/passwd' } }, 400, 'INVALID_REQUEST');
  });

  it('rejects bad query parameters, each with its path', async () => {
    let body = await rejected('GET', '/workflows?limit=0&status=Nope&cursor=garbage', undefined, 400, 'INVALID_REQUEST');
    assert.deepEqual(paths(body.problems), ['query.limit']);
    body = await rejected('GET', '/workflows?status=Nope,Running&cursor=garbage', undefined, 400, 'INVALID_REQUEST');
    assert.deepEqual(paths(body.problems), ['query.status', 'query.cursor']);
    body = await rejected('POST', '/workflows?wait=maybe', { graph_json: upperGraph() }, 400, 'INVALID_REQUEST');
    assert.deepEqual(paths(body.problems), ['query.wait']);
    body = await rejected('GET', '/workflows/x/events?types=Bogus', undefined, 400, 'INVALID_REQUEST');
    assert.deepEqual(paths(body.problems), ['query.types']);
  });

  it('answers unknown routes with ROUTE_NOT_FOUND in the envelope', async () => {
    await rejected('GET', '/nope', undefined, 404, 'ROUTE_NOT_FOUND');
    await rejected('DELETE', '/workflows', undefined, 404, 'ROUTE_NOT_FOUND');
  });

  it('keeps serving after all of that', async () => {
    const res = await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'still fine' } });
    assert.deepEqual(res.body.data.result.results.result, ['STILL FINE']);
  });
});
