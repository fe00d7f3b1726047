// A Python engine inside a real network: a small actor drives it the way the script-actor
// component does (engine per node, state carried in the node's state, emits through ctx.emit with
// backpressure, the firing's abort signal), so the engine is checked against the live runtime:
// ordering, per-node state, a failing firing that the node survives, and a stop mid-call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComponentRegistry, defineActor, Graph, Network } from '@actorflow/network';
import { pythonEngineFactory, type PythonEngine } from '../src/python/index.ts';

const PythonNode = defineActor({
  name: 'test/PythonNode',
  inports: { in: {} },
  outports: { out: {}, progress: {} },
  config: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
  state: () => ({ engine: undefined as PythonEngine | undefined, script: {} as unknown }),
  async setup(ctx) {
    ctx.state.engine = pythonEngineFactory.create({
      nodeId: ctx.nodeId, isolation: 'sandbox', config: {}, source: { code: ctx.config.code as string },
      limits: { timeoutMs: 5000, memoryMb: 128, maxOutputBytes: 1 << 20 },
    });
    await ctx.state.engine.start();
  },
  async teardown(ctx) {
    await ctx.state.engine?.dispose();
  },
  async process(input, ctx) {
    const result = await ctx.state.engine!.call({
      inputs: input, port: ctx.port, state: ctx.state.script, log: ctx.log, signal: ctx.signal,
      // a full downstream inbox pauses the Python host until it drains (engine backpressure)
      emit: (port, value) => (ctx.emit(port as 'out' | 'progress', value) ? undefined : ctx.drained()),
    });
    ctx.state.script = result.state;
    for (const [port, value] of Object.entries(result.outputs)) ctx.emit(port as 'out' | 'progress', value);
  },
});

function pipeline(code: string, values: unknown[]): Graph {
  const graph = new Graph({ name: 'python-pipeline' });
  graph.addNode('py', 'test/PythonNode', { code });
  for (const value of values) graph.addInitial(value, { node: 'py', port: 'in' });
  graph.addOutport('out', 'py', 'out');
  graph.addOutport('progress', 'py', 'progress');
  return graph;
}

const registry = new ComponentRegistry();
registry.register(PythonNode);

describe('Python engine in a running network', () => {
  it('processes every message in order, keeps per-node state, streams emits, and survives a failing message (its state change discarded)', async () => {
    const code = [
      'def process(inputs, state, config):',
      '    state["n"] = state.get("n", 0) + 1',
      '    Context.send_output("progress", state["n"])',
      '    if inputs["in"] == "bad":',
      '        raise ValueError("cannot double " + inputs["in"])',
      '    return {"out": inputs["in"] * 2}',
    ].join('\n');
    const network = await Network.create(pipeline(code, [1, 2, 'bad', 3]), { registry, onError: 'continue' });
    const result = await network.run();
    assert.deepEqual(result.results.out, [2, 4, 6]);
    assert.deepEqual(result.results.progress, [1, 2, 3, 3], 'a failed call leaves the state as it was');
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0].error.message, /ValueError: cannot double bad \(<inline> line 5\)/);
    assert.equal(result.errors[0].error.code, 'SCRIPT_ERROR');
  });

  it('streams many emits of one call through a capacity-1 connection without loss or reordering (backpressure)', async () => {
    const Slow = defineActor({
      name: 'test/SlowSink', inports: { in: {} }, outports: { out: {} },
      async process(input, ctx) {
        await new Promise((resolve) => setImmediate(resolve));
        ctx.emit('out', input.in);
      },
    });
    const local = new ComponentRegistry();
    local.register(PythonNode);
    local.register(Slow);
    const graph = new Graph({ name: 'python-backpressure' });
    graph.addNode('py', 'test/PythonNode', { code: 'def process(inputs, state, config):\n    for i in range(300):\n        Context.send_output("progress", i)\n    return {}' });
    graph.addNode('sink', 'test/SlowSink');
    graph.addEdge({ node: 'py', port: 'progress' }, { node: 'sink', port: 'in' }, { capacity: 1 });
    graph.addInitial('go', { node: 'py', port: 'in' });
    graph.addOutport('out', 'sink', 'out');
    const result = await (await Network.create(graph, { registry: local })).run();
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results.out, Array.from({ length: 300 }, (_, i) => i));
  });

  it('kills a busy host when the network stops, and stops promptly', async () => {
    const code = 'import time\ndef process(inputs, state, config):\n    time.sleep(60)\n    return {}';
    const network = await Network.create(pipeline(code, ['x']), { registry, onError: 'continue', stopGraceMs: 2000 });
    const events: string[] = [];
    network.events.subscribe((event) => { events.push(event._type); }, { types: ['ActorStarted'] });
    await network.start();
    while (!events.includes('ActorStarted')) await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    await network.stop();
    assert.ok(performance.now() - started < 2000, `stop took ${performance.now() - started} ms`);
    assert.equal(network.status, 'stopped');
  });
});
