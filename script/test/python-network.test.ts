// Python script nodes (script/Script with runtime "python") in a running network: order, per-node
// state, streamed emits, a failing message the node survives (ActorFailed with the script's line),
// backpressure through a capacity-1 connection, a stop while a host is busy, and Docker isolation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComponentRegistry, defineActor, Graph, Network, type NetworkEvent } from '@actorflow/network';
import { DEFAULT_PYTHON_IMAGE, dockerStatus } from '../src/docker/index.ts';
import { registerScriptComponents } from '../src/index.ts';

const registry = new ComponentRegistry();
registerScriptComponents(registry);
const SlowSink = defineActor({
  name: 'test/SlowSink', inports: { in: {} }, outports: { out: {} },
  async process(input, ctx) {
    await new Promise((resolve) => setImmediate(resolve));
    ctx.emit('out', input.in);
  },
});
registry.register(SlowSink);

/** One Python script node fed `values` by IIP, its outports exported under the same names. */
function pythonGraph(code: string, values: unknown[], options: { outports?: string[]; isolation?: 'sandbox' | 'docker' } = {}): Graph {
  const outports = options.outports ?? ['out'];
  const graph = new Graph({ name: 'python-in-a-network' });
  graph.addNode('py', 'script/Script', {
    runtime: 'python', source: code, outports, isolation: options.isolation ?? 'sandbox',
    limits: { timeoutMs: 5000, memoryMb: 128 },
  });
  for (const value of values) graph.addInitial(value, { node: 'py', port: 'in' });
  for (const port of outports) graph.addOutport(port, 'py', port);
  return graph;
}

const docker = await dockerStatus(DEFAULT_PYTHON_IMAGE);
const noDocker = docker.available && docker.image?.present ? false
  : `Docker isolation skipped: ${docker.available ? `image ${DEFAULT_PYTHON_IMAGE} not built` : docker.reason} (docker.test.ts fails in CI when Docker can exist)`;

const COUNTER = [
  'def process(inputs, state, config):',
  '    state["n"] = state.get("n", 0) + 1',
  '    Context.send_output("progress", state["n"])',
  '    if inputs["in"] == "bad":',
  '        raise ValueError("cannot double " + inputs["in"])',
  '    return {"out": inputs["in"] * 2}',
].join('\n');

describe('Python script nodes in a running network', () => {
  it('process every message in order, keep per-node state, stream emits, and survive a failing message as ActorFailed with the line', async () => {
    const network = await Network.create(pythonGraph(COUNTER, [1, 2, 'bad', 3], { outports: ['out', 'progress'] }), { registry, onError: 'continue' });
    const failures: NetworkEvent[] = [];
    network.events.subscribe((event) => { failures.push(event); }, { types: ['ActorFailed'] });
    const result = await network.run();
    assert.deepEqual(result.results.out, [2, 4, 6]);
    assert.deepEqual(result.results.progress, [1, 2, 3, 3], 'a failed call leaves the state as it was');
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0].error.code, 'SCRIPT_ERROR');
    assert.match(result.errors[0].error.message, /ValueError: cannot double bad \(<inline> line 5\)/);
    assert.equal(failures.length, 1);
  });

  it('stream many emits of one call through a capacity-1 connection without loss or reordering (backpressure)', async () => {
    const graph = new Graph({ name: 'python-backpressure' });
    graph.addNode('py', 'script/Script', {
      runtime: 'python', outports: ['progress'],
      source: 'def process(inputs, state, config):\n    for i in range(300):\n        Context.send_output("progress", i)\n    return {}',
    });
    graph.addNode('sink', 'test/SlowSink');
    graph.addEdge({ node: 'py', port: 'progress' }, { node: 'sink', port: 'in' }, { capacity: 1 });
    graph.addInitial('go', { node: 'py', port: 'in' });
    graph.addOutport('out', 'sink', 'out');
    const result = await (await Network.create(graph, { registry })).run();
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results.out, Array.from({ length: 300 }, (_, i) => i));
  });

  it('stop promptly while a host is busy: the host is killed', async () => {
    const code = 'import time\ndef process(inputs, state, config):\n    time.sleep(60)\n    return {}';
    const network = await Network.create(pythonGraph(code, ['x']), { registry, onError: 'continue', stopGraceMs: 2000 });
    let firing = false;
    network.events.subscribe(() => { firing = true; }, { types: ['ActorStarted'] });
    await network.start();
    while (!firing) await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    await network.stop();
    assert.ok(performance.now() - started < 2000, `stop took ${performance.now() - started} ms`);
    assert.equal(network.status, 'stopped');
  });

  it('fail the node\'s setup with the syntax error and its line when the script does not compile', async () => {
    const network = await Network.create(pythonGraph('def process(inputs, state, config)\n    return {}', [1]), { registry, onError: 'continue' });
    const result = await network.run();
    assert.equal(result.errors[0]?.error.code, 'SCRIPT_SYNTAX', JSON.stringify(result.errors));
    assert.match(result.errors[0].error.message, /SyntaxError.*line 1/);
  });

  it('run the same node with isolation "docker"', { skip: noDocker }, async () => {
    const network = await Network.create(pythonGraph(COUNTER, [5, 'bad', 7], { outports: ['out', 'progress'], isolation: 'docker' }), { registry, onError: 'continue' });
    const result = await network.run();
    assert.deepEqual(result.results.out, [10, 14]);
    assert.deepEqual(result.results.progress, [1, 2, 2]);
    assert.match(result.errors[0].error.message, /ValueError: cannot double bad \(<inline> line 5\)/);
  });
});
