import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.ts';
import { graph, upperGraph, waitGraph } from './support/graphs.ts';

/** The value of one sample line of the Prometheus text. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} in\n${text.slice(0, 300)}`);
  return Number(line.slice(name.length + 1));
}

describe('GET /metrics', () => {
  it('exposes runs by status, run durations, queue depth, messages and HTTP requests in Prometheus format', async () => {
    const s = await startServer({ maxConcurrentRuns: 1 });
    try {
      await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'a' } });
      await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'b' } });
      await s.request('POST', '/workflows?wait=true', { graph_json: graph({ f: 'test/Fail' }, [[1, 'f.in', 'iip']]) });
      const blocker = (await s.request('POST', '/workflows', { graph_json: waitGraph() })).body.data.execution_id;
      const queued = (await s.request('POST', '/workflows', { graph_json: waitGraph() })).body.data.execution_id;
      const res = await s.request('GET', '/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /text\/plain/);
      const text = res.body as string;
      assert.equal(sample(text, 'actorflow_runs_total{status="Completed",source="rest"}'), 2);
      assert.equal(sample(text, 'actorflow_runs_total{status="Failed",source="rest"}'), 1);
      assert.equal(sample(text, 'actorflow_run_duration_seconds_count{status="Completed"}'), 2);
      assert.equal(sample(text, 'actorflow_queue_depth'), 1);
      assert.equal(sample(text, 'actorflow_runs{status="Running"}'), 1);
      assert.equal(sample(text, 'actorflow_messages_total'), 4);
      assert.ok(sample(text, 'actorflow_messages_per_second') >= 0);
      assert.ok(sample(text, 'actorflow_http_requests_total{method="POST",route="/workflows",status="200"}') >= 3);
      assert.match(text, /process_resident_memory_bytes \d+/);
      await s.request('POST', `/workflows/${queued}/cancel`);
      await s.request('POST', `/workflows/${blocker}/cancel`);
    } finally {
      await s.close();
    }
  });
});
