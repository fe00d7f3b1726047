import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineActor } from '../src/actor/define.ts';
import type { Problem } from '../src/errors.ts';
import { Graph } from '../src/graph/graph.ts';
import { readGraphJson } from '../src/graph/json.ts';
import { validateGraph } from '../src/graph/validate.ts';
import { graphRegistry } from './graph-components.ts';

const registry = graphRegistry();
const where = (problems: Problem[]) => problems.map((p) => `${p.code} ${p.path}`);

/** A graph of `nodes` (id → component) built in code. */
function graph(nodes: Record<string, string>, caseSensitive = false): Graph {
  const g = new Graph({ name: 't' }, { caseSensitive });
  for (const [id, component] of Object.entries(nodes)) g.addNode(id, component);
  return g;
}

describe('validateGraph: components and ports', () => {
  it('accepts a valid graph with no problem at all', () => {
    const g = graph({ count: 'gen/Counter', double: 'math/Double', out: 'core/Repeat' });
    g.addEdge({ node: 'count', port: 'out' }, { node: 'double', port: 'in' });
    g.addEdge({ node: 'double', port: 'out' }, { node: 'out', port: 'in' });
    g.addOutport('result', 'out', 'out');
    assert.deepEqual(validateGraph(g, registry), []);
  });

  it('reports an unknown component with near-miss suggestions: core/Repaet → did you mean core/Repeat', () => {
    const g = graph({ r: 'core/Repaet' });
    const [p] = validateGraph(g, registry);
    assert.equal(p.code, 'UNKNOWN_COMPONENT');
    assert.equal(p.path, '$.processes.r.component');
    assert.match(p.hint, /did you mean 'core\/Repeat'\?/);
  });

  it('reports an unknown port with the component’s ports suggested', () => {
    const g = graph({ a: 'core/Repeat', b: 'net/Fetch' });
    g.addEdge({ node: 'a', port: 'out' }, { node: 'b', port: 'ulr' });
    const problems = validateGraph(g, registry).filter((p) => p.code === 'UNKNOWN_PORT');
    assert.deepEqual(where(problems), ['UNKNOWN_PORT $.connections[0].to.portId']);
    assert.match(problems[0].hint, /did you mean 'url'\? its inports: url/);
  });

  it('reports connections into an outport, out of an inport, and an IIP aimed at an outport', () => {
    const g = graph({ a: 'core/Repeat', b: 'core/Repeat' });
    g.addEdge({ node: 'a', port: 'in' }, { node: 'b', port: 'in' });
    g.addEdge({ node: 'a', port: 'out' }, { node: 'b', port: 'out' });
    g.addInitial(1, { node: 'a', port: 'out' });
    assert.deepEqual(where(validateGraph(g, registry)), [
      'EDGE_FROM_INPORT $.connections[0].from.portId',
      'EDGE_INTO_OUTPORT $.connections[1].to.portId',
      'IIP_INTO_OUTPORT $.connections[2].to.portId',
    ]);
  });

  it('reports an index on a plain port: an error on a connection, a warning on an IIP (Reflow writes an ordinal there)', () => {
    const g = graph({ a: 'core/Repeat', b: 'core/Repeat', m: 'core/Merge' });
    g.addEdge({ node: 'a', port: 'out', index: 1 }, { node: 'b', port: 'in' });
    g.addEdge({ node: 'b', port: 'out' }, { node: 'm', port: 'in', index: 3 });
    g.addInitial('x', { node: 'a', port: 'in', index: 0 });
    const problems = validateGraph(g, registry);
    assert.deepEqual(problems.map((p) => [p.code, p.path, p.severity]), [
      ['INDEX_ON_PLAIN_PORT', '$.connections[0].from.index', 'error'],
      ['INDEX_ON_PLAIN_PORT', '$.connections[2].to.index', 'warning'],
    ]);
  });

  it('matches port names case-insensitively in a case-insensitive graph, exactly otherwise', () => {
    const Camel = defineActor({ name: 'x/Camel', inports: { inValue: {} }, outports: { outValue: {} }, process() {} });
    const r = graphRegistry();
    r.register(Camel);
    const loose = graph({ a: 'x/Camel', b: 'x/Camel' });
    loose.addEdge({ node: 'a', port: 'outValue' }, { node: 'b', port: 'INVALUE' });
    loose.addInitial(1, { node: 'a', port: 'invalue' });
    assert.deepEqual(validateGraph(loose, r), []);
    const strict = graph({ a: 'x/Camel', b: 'x/Camel' }, true);
    strict.addEdge({ node: 'a', port: 'outValue' }, { node: 'b', port: 'invalue' });
    assert.match(validateGraph(strict, r).find((p) => p.code === 'UNKNOWN_PORT')!.hint, /did you mean 'inValue'/);
  });

  it('reports a required inport with no connection, IIP or exported inport', () => {
    const g = graph({ f: 'net/Fetch', g: 'net/Fetch', h: 'net/Fetch' });
    g.addInitial('https://x.org', { node: 'g', port: 'url' });
    g.addInport('url', 'h', 'url');
    const problems = validateGraph(g, registry).filter((p) => p.severity === 'error');
    assert.deepEqual(where(problems), ['REQUIRED_PORT $.processes.f']);
    assert.match(problems[0].message, /required inport 'url'/);
  });

  it('reports exported ports that name an unknown port or point the wrong way', () => {
    const g = graph({ a: 'core/Repeat' });
    g.addInport('start', 'a', 'out');
    g.addOutport('end', 'a', 'result');
    const problems = validateGraph(g, registry);
    assert.deepEqual(where(problems), ['UNKNOWN_PORT $.inports.start.portName', 'UNKNOWN_PORT $.outports.end.portName']);
    assert.match(problems[0].message, /points at 'out', which is an outport/);
  });

  it('reports group members that are not nodes (a graph edited behind its API)', () => {
    const g = graph({ a: 'core/Repeat' });
    g.addGroup('g', ['a']);
    g.groups[0].nodes.push('ghost');
    assert.deepEqual(where(validateGraph(g, registry).filter((p) => p.severity === 'error')), ['UNKNOWN_NODE $.groups[0].nodes[1]']);
  });

  it('points at the document locations when the graph was read from JSON', () => {
    const { graph: g } = readGraphJson({
      processes: { a: { component: 'core/Repeat' }, b: { component: 'core/Repeat' } },
      connections: [
        { data: 'x', tgt: { process: 'a', port: 'in' } },
        { src: { process: 'a', port: 'oot' }, tgt: { process: 'b', port: 'in' } },
      ],
    });
    assert.deepEqual(where(validateGraph(g, registry)), ['UNKNOWN_PORT $.connections[1].src.port']);
  });
});

describe('validateGraph: types', () => {
  it('reports incompatible typed ports with both types; untyped (any) ports always fit', () => {
    const g = graph({ count: 'gen/Counter', upper: 'text/Upper', any: 'core/Repeat', double: 'math/Double' });
    g.addEdge({ node: 'count', port: 'out' }, { node: 'upper', port: 'in' });
    g.addEdge({ node: 'count', port: 'out' }, { node: 'any', port: 'in' });
    g.addEdge({ node: 'any', port: 'out' }, { node: 'double', port: 'in' });
    g.addEdge({ node: 'count', port: 'out' }, { node: 'double', port: 'in' });
    const problems = validateGraph(g, registry);
    assert.deepEqual(where(problems), ['TYPE_MISMATCH $.connections[0]']);
    assert.match(problems[0].message, /integer does not fit string/);
  });

  it('checks IIP values against their port: 21 fits a number port, "21" does not', () => {
    const g = graph({ d: 'math/Double', e: 'math/Double' });
    g.addInitial(21, { node: 'd', port: 'in' });
    g.addInitial('21', { node: 'e', port: 'in' });
    assert.deepEqual(where(validateGraph(g, registry)), ['TYPE_MISMATCH $.connections[1].data']);
  });
});

describe('validateGraph: node configuration and runtime metadata', () => {
  it('reports invalid config through the component’s schema, at the metadata path', () => {
    const g = graph({ c: 'gen/Counter' });
    g.setNodeMetadata('c', { start: 1.5 });
    const [p] = validateGraph(g, registry);
    assert.deepEqual([p.code, p.path], ['INVALID_CONFIG', '$.processes.c.metadata.start']);
  });

  it('reports a missing required env var only when an environment is given', () => {
    const g = graph({ c: 'gen/Counter' });
    g.setNodeMetadata('c', { env_vars: { SECRET: 'required' } });
    assert.deepEqual(validateGraph(g, registry), []);
    assert.deepEqual(where(validateGraph(g, registry, { env: {} })), ['MISSING_ENV $.processes.c.metadata.env_vars.SECRET']);
    assert.deepEqual(validateGraph(g, registry, { env: { SECRET: 'x' } }), []);
  });

  it('checks the runtime keys: thread, retry, timeoutMs on nodes; capacity, policy on connections; thread on groups', () => {
    const g = graph({ a: 'gen/Counter', b: 'core/Repeat' });
    g.setNodeMetadata('a', { thread: 7, timeoutMs: -5, retry: { attempts: 2.5, backoffMs: 'soon', jitter: 2, tries: 3 } });
    g.addEdge({ node: 'a', port: 'out' }, { node: 'b', port: 'in' }, { capacity: 1.5, policy: 'drop' });
    g.addGroup('workers', ['b'], { thread: '' });
    assert.deepEqual(where(validateGraph(g, registry)), [
      'INVALID_THREAD $.processes.a.metadata.thread',
      'INVALID_TIMEOUT $.processes.a.metadata.timeoutMs',
      'INVALID_RETRY $.processes.a.metadata.retry.attempts',
      'INVALID_RETRY $.processes.a.metadata.retry.backoffMs',
      'INVALID_RETRY $.processes.a.metadata.retry.jitter',
      'UNKNOWN_FIELD $.processes.a.metadata.retry.tries',
      'INVALID_CAPACITY $.connections[0].metadata.capacity',
      'INVALID_POLICY $.connections[0].metadata.policy',
      'INVALID_THREAD $.groups[0].metadata.thread',
    ]);
  });

  it('accepts well-formed runtime keys', () => {
    const g = graph({ a: 'gen/Counter', b: 'core/Repeat' });
    g.setNodeMetadata('a', { thread: 'io', timeoutMs: 500, retry: { attempts: 3, backoffMs: 10, maxBackoffMs: 100, jitter: 0.1 } });
    g.addEdge({ node: 'a', port: 'out' }, { node: 'b', port: 'in' }, { capacity: 16, policy: 'drop-oldest' });
    assert.deepEqual(validateGraph(g, registry), []);
  });
});

describe('validateGraph: dynamic ports and subgraphs', () => {
  it('checks connections against the ports a node’s config gives it (ports(config))', () => {
    const g = graph({ src: 'gen/Counter', js: 'script/Js', sink: 'core/Repeat' });
    g.setNodeMetadata('js', { inputs: ['a', 'b'], outputs: ['sum'] });
    g.addEdge({ node: 'src', port: 'out' }, { node: 'js', port: 'a' });
    g.addEdge({ node: 'src', port: 'out' }, { node: 'js', port: 'c' });
    g.addEdge({ node: 'js', port: 'sum' }, { node: 'sink', port: 'in' });
    g.addEdge({ node: 'js', port: 'out' }, { node: 'sink', port: 'in' });
    const problems = validateGraph(g, registry);
    assert.deepEqual(where(problems), ['UNKNOWN_PORT $.connections[1].to.portId', 'UNKNOWN_PORT $.connections[3].from.portId']);
    assert.match(problems[0].hint, /its inports: a, b/);
  });

  it('reports a ports(config) that throws as INVALID_PORTS on the node', () => {
    const g = graph({ js: 'script/Js' });
    g.setNodeMetadata('js', { inputs: 'not a list' });
    assert.deepEqual(where(validateGraph(g, registry)), ['INVALID_CONFIG $.processes.js.metadata.inputs', 'INVALID_PORTS $.processes.js.metadata']);
  });

  it('gives a subgraph node the ports the subgraph exports, typed by the inner ports', () => {
    const g = graph({ count: 'gen/Counter', sub: 'sub/Doubler', upper: 'text/Upper' });
    g.addEdge({ node: 'count', port: 'out' }, { node: 'sub', port: 'value' });
    g.addEdge({ node: 'sub', port: 'result' }, { node: 'upper', port: 'in' });
    g.addEdge({ node: 'sub', port: 'out' }, { node: 'upper', port: 'in' });
    const problems = validateGraph(g, registry);
    assert.deepEqual(where(problems), ['TYPE_MISMATCH $.connections[1]', 'UNKNOWN_PORT $.connections[2].from.portId']);
    assert.match(problems[1].hint, /its outports: result/);
  });

  it('requires a subgraph’s exported inport when the inner port it exposes is required', () => {
    const g = graph({ sub: 'sub/Doubler' });
    assert.deepEqual(where(validateGraph(g, registry)), ['REQUIRED_PORT $.processes.sub']);
  });

  it('reports a subgraph that contains itself', () => {
    const r = graphRegistry();
    const loop = new Graph({ name: 'loop' });
    loop.addNode('inner', 'sub/Loop');
    r.registerGraph('sub/Loop', loop);
    assert.deepEqual(where(validateGraph(graph({ l: 'sub/Loop' }), r)), ['RECURSIVE_SUBGRAPH $.processes.l.component']);
  });
});

describe('validateGraph: warnings', () => {
  it('warns about a node that receives nothing and has no run(): it never fires', () => {
    const g = graph({ idle: 'core/Repeat', source: 'gen/Counter' });
    const problems = validateGraph(g, registry);
    assert.deepEqual(problems.map((p) => [p.code, p.path, p.severity]), [['NEVER_FIRES', '$.processes.idle', 'warning']]);
  });

  it('does not warn about an unconnected outport', () => {
    const g = graph({ source: 'gen/Counter', f: 'net/Fetch' });
    g.addInitial('https://x.org', { node: 'f', port: 'url' });
    assert.deepEqual(validateGraph(g, registry), []);
  });
});
