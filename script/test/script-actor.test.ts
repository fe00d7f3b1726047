// script/Script in real networks: nodes configured per runtime, state, streaming, errors as
// ActorFailed with the script's line, error policies, config validation, worker threads.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ComponentRegistry, Graph, Network, ValidationError, type Metadata, type NetworkOptions, type RunResult } from '@actorflow/network';
import { registerScriptComponents } from '../src/index.ts';
import { tempDir } from './harness.ts';
import { plugin } from './wasm-fixtures.ts';

const registry = new ComponentRegistry();
registerScriptComponents(registry);
const files = tempDir();
after(() => files.remove());

/** One script node `s` fed by IIPs on its inports, its outports exported under the same names. */
function scriptGraph(config: Metadata, iips: [unknown, string][], outports: string[] = ['out'], nodeMetadata: Metadata = {}): Graph {
  const g = new Graph({ name: 'script-test' });
  g.addNode('s', 'script/Script', { ...config, ...nodeMetadata });
  for (const [value, port] of iips) g.addInitial(value, { node: 's', port });
  for (const port of outports) g.addOutport(port, 's', port);
  return g;
}

async function run(g: Graph, options: Partial<NetworkOptions> = {}): Promise<RunResult> {
  const network = await Network.create(g, { registry, ...options });
  return network.run({ timeoutMs: 20_000 });
}

describe('script/Script: running scripts as nodes', () => {
  it('runs a JavaScript node: inputs from IIPs, returned outputs to the exported port', async () => {
    const g = scriptGraph({ runtime: 'javascript', source: 'export default ({ inputs, config }) => ({ out: inputs.in * config.factor })', config: { factor: 3 } },
      [[1, 'in'], [2, 'in'], [3, 'in']]);
    const result = await run(g);
    assert.equal(result.status, 'completed', JSON.stringify(result.errors));
    assert.deepEqual(result.results.out, [3, 6, 9]);
  });

  it('keeps the script state across messages and streams any number of emits', async () => {
    const g = scriptGraph({
      runtime: 'javascript', outports: ['total', 'each'],
      source: `export default ({ inputs, state, emit }) => {
        state.sum = (state.sum ?? 0) + inputs.in.length;
        for (const x of inputs.in) emit('each', x);
        return { total: state.sum };
      }`,
    }, [[['a', 'b'], 'in'], [['c'], 'in']], ['total', 'each']);
    const result = await run(g);
    assert.deepEqual(result.results, { total: [2, 3], each: ['a', 'b', 'c'] });
  });

  it('declares inports and outports from its config and tells the script which port fired', async () => {
    const g = scriptGraph({
      runtime: 'javascript', inports: ['left', { name: 'right', type: 'number' }], outports: { seen: { type: 'string' } },
      source: 'export default ({ inputs, port }) => ({ seen: `${port}=${inputs[port]}` })',
    }, [[1, 'left'], [2, 'right']], ['seen']);
    const result = await run(g);
    assert.deepEqual(result.results.seen.sort(), ['left=1', 'right=2']);
  });

  it("runs Reflow's JavaScript contract, a WebAssembly plugin and a Python script side by side", async () => {
    const g = new Graph({ name: 'polyglot' });
    g.addNode('js', 'script/Script', { runtime: 'javascript', source: 'function entry_point(inputs, context) { context.send_output("out", inputs.in.data + 1) }' });
    g.addNode('wasm', 'script/Script', { runtime: 'wasm', file: plugin('multiply'), inports: ['value'], config: { factor: 10 } });
    g.addNode('py', 'script/Script', { runtime: 'python', source: 'def process(inputs, state, config):\n    return {"out": inputs["in"] - 1}\n' });
    g.addEdge({ node: 'js', port: 'out' }, { node: 'wasm', port: 'value' });
    g.addEdge({ node: 'wasm', port: 'out' }, { node: 'py', port: 'in' });
    g.addInitial(4, { node: 'js', port: 'in' });
    g.addOutport('out', 'py', 'out');
    const result = await run(g);
    assert.equal(result.status, 'completed', JSON.stringify(result.errors));
    assert.deepEqual(result.results.out, [49]);
  });

  it('loads the script from a file, relative paths resolving against baseDir', async () => {
    files.write('double.js', 'export default ({ inputs }) => ({ out: inputs.in * 2 });\n');
    const local = new ComponentRegistry();
    registerScriptComponents(local, { baseDir: files.dir });
    const network = await Network.create(scriptGraph({ runtime: 'javascript', file: 'double.js' }, [[21, 'in']]), { registry: local });
    assert.deepEqual((await network.run()).results.out, [42]);
  });
});

describe('script/Script: errors', () => {
  const flaky = `export default ({ inputs }) => {
  if (inputs.in === 'bad')
    throw new Error('cannot handle ' + inputs.in);
  return { out: inputs.in };
};`;

  it("turns a script error into ActorFailed with the script's message, code and line; the node takes the next message", async () => {
    const g = scriptGraph({ runtime: 'javascript', source: flaky }, [['a', 'in'], ['bad', 'in'], ['c', 'in']]);
    const network = await Network.create(g, { registry, onError: 'continue' });
    const event = new Promise<{ message: string; code?: string }>((resolve) => {
      network.events.subscribe((e) => void (e._type === 'ActorFailed' && resolve(e.error)), { types: ['ActorFailed'] });
    });
    const result = await network.run();
    assert.deepEqual(result.results.out, ['a', 'c']);
    assert.equal(result.errors.length, 1);
    const error = result.errors[0].error;
    assert.equal(error.code, 'SCRIPT_ERROR');
    assert.match(error.message, /cannot handle bad \(<inline>:3:/);
    assert.doesNotMatch(error.stack ?? '', /node:internal|script-actor\.ts/, 'the stack is the script\'s, not the host\'s');
    assert.equal((await event).code, 'SCRIPT_ERROR');
  });

  it("with onError 'fail' the node refuses every later message", async () => {
    const g = scriptGraph({ runtime: 'javascript', source: flaky, onError: 'fail' }, [['bad', 'in'], ['c', 'in']]);
    const result = await run(g, { onError: 'continue' });
    assert.deepEqual(result.results.out ?? [], []);
    assert.equal(result.errors.length, 2);
    assert.match(result.errors[1].error.message, /stopped after an error \(onError: 'fail'\)/);
  });

  it('sends the failure to a connected error port instead of failing the run', async () => {
    const g = scriptGraph({ runtime: 'javascript', source: flaky }, [['bad', 'in']], ['error']);
    const result = await run(g);
    assert.equal(result.status, 'completed');
    const routed = result.results.error[0] as { message: string; code: string };
    assert.equal(routed.code, 'SCRIPT_ERROR');
    assert.match(routed.message, /cannot handle bad/);
  });

  it('fails the node at setup when the script does not compile', async () => {
    const g = scriptGraph({ runtime: 'javascript', source: 'export default () => {\n  return {;\n}' }, [[1, 'in']]);
    const result = await run(g);
    assert.equal(result.status, 'failed');
    assert.equal(result.errors[0].error.code, 'SCRIPT_SYNTAX');
    assert.match(result.errors[0].error.message, /<inline>:2:/);
  });

  it('refuses an emit on an undeclared outport, naming the declared ones', async () => {
    const g = scriptGraph({ runtime: 'javascript', source: "export default ({ emit }) => { emit('nope', 1); }" }, [[1, 'in']]);
    const result = await run(g);
    assert.equal(result.errors[0].error.code, 'SCRIPT_INVALID_OUTPUT');
    assert.match(result.errors[0].error.message, /outport 'nope', which node 's' does not declare.*declared: out, error/);
  });

  it('rejects a node config without runtime or script, or with bad limits, when the graph loads', async () => {
    const g = new Graph({ name: 'bad' });
    g.addNode('a', 'script/Script', { source: 'x' });
    g.addNode('b', 'script/Script', { runtime: 'javascript' });
    g.addNode('c', 'script/Script', { runtime: 'cobol', source: 'x' });
    g.addNode('d', 'script/Script', { runtime: 'javascript', source: 'x', limits: { timeoutMs: -5 } });
    const error = await Network.create(g, { registry }).then(() => assert.fail('expected INVALID_GRAPH'), (e: unknown) => e);
    assert.ok(error instanceof ValidationError, String(error));
    const paths = error.problems.filter((p) => p.severity === 'error').map((p) => p.path).join(' ');
    for (const node of ['a', 'b', 'c', 'd']) assert.match(paths, new RegExp(`\\.${node}\\b`), `a problem for node ${node}: ${paths}`);
  });
});

describe('script/Script: placement', () => {
  it('runs on a worker thread (node metadata `thread`)', async () => {
    const g = scriptGraph({ runtime: 'javascript', source: 'export default ({ inputs }) => ({ out: inputs.in + 1 })' }, [[1, 'in']], ['out'], { thread: 'scripts' });
    const result = await run(g);
    assert.equal(result.status, 'completed', JSON.stringify(result.errors));
    assert.deepEqual(result.results.out, [2]);
    assert.equal(result.stats.nodes.s.thread, 'scripts');
  });
});
