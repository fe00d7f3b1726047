// The whole loop through the real server: Zeal's Execute button → the engine runs the stored
// workflow → live events reach the editor → the trace session completes; and Reflow's Zeal routes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ComponentRegistry } from '@actorflow/network';
import { startZealApp, type ZealApp } from './support/zeal-standin/harness.ts';
import { linearWorkflow, subgraphWorkflow, testRegistry, ZealObserver, ZealStandIn } from './support/zeal-standin/index.ts';

describe('Zeal drives a run through the server', () => {
  let registry: ComponentRegistry;
  let zeal: ZealStandIn;
  let observer: ZealObserver;
  let server: ZealApp;

  before(async () => {
    registry = await testRegistry();
    const workflow = linearWorkflow('wf-rt', 4);
    zeal = await ZealStandIn.start([{ id: 'wf-rt', name: 'Round trip', graphs: workflow.graphs }, { id: 'wf-empty', name: 'Never saved' }]);
    server = await startZealApp(registry, { zealUrl: zeal.restUrl, zealZipUrl: zeal.zipUrl, zealWorkflows: ['wf-rt', 'wf-empty'] });
    observer = await ZealObserver.join(zeal.zipUrl, 'wf-rt');
    // The server is in the room once Zeal answered its auth for each watched workflow.
    await zeal.waitFor('the server in both rooms', () => (zeal.messages.filter((m) => m.event === 'auth' && m.reply && (m.payload as { metadata?: { runtime?: string } }).metadata?.runtime === 'actorflow').length >= 2 ? true : undefined));
    await zeal.waitFor('the templates', () => (zeal.templates.size === registry.names().length ? true : undefined));
  });

  after(async () => {
    observer.close();
    await server.close();
    await zeal.close();
  });

  it('runs the stored workflow when the user presses Execute, once, with Zeal\'s execution id and session id', async () => {
    const { executionId, sessionId } = zeal.execute('wf-rt');
    const done = await observer.waitFor('execution.completed', (o) => o.event === 'zip.event' && o.payload.type === 'execution.completed');
    assert.equal(done.payload.sessionId, sessionId);
    assert.equal(done.payload.nodesExecuted, 3);
    assert.equal(done.payload.metadata.executionId, executionId);
    const run = await server.request('GET', `/workflows/${executionId}`);
    assert.equal(run.status, 200);
    assert.equal(run.body.data.source, 'zeal');
    assert.equal(run.body.data.workflow_id, 'wf-rt');
    const list = await server.request('GET', '/workflows?source=zeal');
    assert.equal(list.body.data.executions.filter((e: { id: string }) => e.id === executionId).length, 1, 'one run despite execution.started and control.event');
  });

  it('shows the run live in the editor with the workflow\'s own connection ids', () => {
    const executing = observer.zipEvents('node.executing').filter((e) => e.nodeId === 'double' && e.inputConnections.length > 0);
    assert.deepEqual(executing[0].inputConnections, ['c-emit-double']);
    const completed = observer.zipEvents('node.completed').find((e) => e.nodeId === 'double');
    assert.deepEqual(completed.outputConnections, ['c-double-sink']);
  });

  it('completes the run\'s trace session under Zeal\'s execution id, and reports nothing dropped', async () => {
    const executionId = observer.zipEvents('execution.completed')[0].metadata.executionId as string;
    const session = await zeal.waitFor('the completed trace session', () => [...zeal.traces.values()].find((t) => t.request.executionId === executionId && t.completion));
    assert.equal(session.request.workflowId, 'wf-rt');
    assert.deepEqual(session.completion!.summary!.totalNodes, 3);
    assert.equal(session.completion!.status, 'success');
    const report = await until(async () => {
      const r = await server.request('GET', `/zeal/runs/${executionId}`);
      return r.status === 200 ? r.body.data : undefined;
    });
    assert.equal(report.dropped, 0);
    assert.equal(report.sinks.trace.completed, true);
    assert.equal(report.sinks.zip.acknowledged, report.sinks.zip.queued);
    const stored = await until(async () => {
      const r = await server.request('GET', `/workflows/${executionId}`);
      return r.body.data?.integrations?.zeal;
    });
    assert.equal(stored.dropped, 0, 'the bridge report is kept in the run history');
  });

  it('tells Zeal why when there is no stored graph to run', async () => {
    const watcher = await ZealObserver.join(zeal.zipUrl, 'wf-empty');
    try {
      zeal.execute('wf-empty');
      const failed = await watcher.waitFor('execution.failed', (o) => o.event === 'zip.event' && o.payload.type === 'execution.failed');
      assert.match(failed.payload.error.message, /Zeal sent no graph for workflow wf-empty/);
    } finally {
      watcher.close();
    }
  });

  it('converts a workflow over POST /zeal/convert with Reflow\'s response fields', async () => {
    const res = await server.request('POST', '/zeal/convert', subgraphWorkflow('wf-conv'));
    assert.equal(res.status, 200);
    const data = res.body.data;
    assert.deepEqual(data.required_actors, ['test/Double', 'test/Emit', 'test/Sink']);
    assert.deepEqual(data.conversion_metadata, { source_workflow_id: 'wf-conv', source_workflow_name: 'With subgraph', node_count: 3, connection_count: 2 });
    assert.deepEqual(Object.keys(data.reflow_graph.processes), ['emit', 'sub/double', 'sink']);
    assert.deepEqual(data.warnings, []);
  });

  it('answers 400 INVALID_GRAPH listing every problem with its path in the request', async () => {
    const wf = linearWorkflow('wf-bad');
    wf.graphs[0].nodes[1].metadata.templateId = 'actorflow/nope/Missing';
    const res = await server.request('POST', '/zeal/workflows', { workflow: wf });
    assert.equal(res.status, 400);
    assert.equal(res.body.success, false);
    assert.equal(res.body.code, 'INVALID_GRAPH');
    assert.deepEqual(res.body.problems.map((p: { code: string; path: string }) => [p.code, p.path]), [['ZEAL_UNKNOWN_TEMPLATE', '$.workflow.graphs[0].nodes[1].metadata.templateId']]);
    const missing = await server.request('POST', '/zeal/workflows', { input: {} });
    assert.equal(missing.status, 400);
  });

  it('runs a posted Zeal workflow with source zeal and a zeal_exec_ id, traced and live under its workflow id', async () => {
    const res = await server.request('POST', '/zeal/workflows', { workflow: linearWorkflow('wf-rt', 2) });
    assert.equal(res.status, 202);
    const id = res.body.data.execution_id as string;
    assert.match(id, /^zeal_exec_[0-9a-f-]{36}$/);
    assert.equal(res.body.data.workflow_id, 'wf-rt');
    const done = await observer.waitFor('its execution.completed', (o) => o.event === 'zip.event' && o.payload.type === 'execution.completed' && o.payload.sessionId === id);
    assert.equal(done.payload.nodesExecuted, 3);
    const run = await server.request('GET', `/workflows/${id}`);
    assert.equal(run.body.data.source, 'zeal');
  });

  it('reports its state on GET /zeal/status', async () => {
    const res = await server.request('GET', '/zeal/status');
    const status = res.body.data;
    assert.equal(status.trace, true);
    assert.equal(status.live, true);
    assert.equal(status.templates.registered + status.templates.alreadyRegistered, registry.names().length);
    assert.deepEqual(status.connections.map((c: { workflowId: string; state: string }) => [c.workflowId, c.state]).sort(), [['wf-empty', 'ready'], ['wf-rt', 'ready']]);
  });
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
