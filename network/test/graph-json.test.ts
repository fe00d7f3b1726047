import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError, type Problem } from '../src/errors.ts';
import { Graph } from '../src/graph/graph.ts';
import { loadGraph, readGraph, readGraphJson, sourcePath, toGraphJson } from '../src/graph/json.ts';
import { graphRegistry } from './graph-components.ts';

/** Reflow's minimal document (reflow.md §1.2), accepted by its native reader. */
const reflowExample = () => ({
  caseSensitive: false,
  properties: { name: 'double-pipeline', version: '1.0.0' },
  processes: {
    gen: { id: 'gen', component: 'Generator', metadata: { interval: 1000 } },
    dbl: { id: 'dbl', component: 'Doubler', metadata: { factor: 2, env_vars: { API_KEY: 'optional:none' } } },
  },
  connections: [
    {
      from: { portName: '', portId: 'out', nodeId: 'gen', expose: false, portType: { type: 'any' } },
      to: { portName: '', portId: 'in', nodeId: 'dbl', expose: false, portType: { type: 'integer' } },
      metadata: {},
    },
    {
      from: { portName: '', portId: '', nodeId: '', expose: false, portType: { type: 'any' } },
      to: { portName: '', portId: 'seed', nodeId: 'gen', index: 0, expose: false, portType: { type: 'any' } },
      data: 21,
    },
  ],
  inports: { start: { portName: 'seed', portId: 'start', nodeId: 'gen', expose: true, portType: { type: 'any' } } },
  outports: { result: { portName: 'out', portId: 'result', nodeId: 'dbl', expose: true, portType: { type: 'integer' } } },
  groups: [{ id: 'main', nodes: ['gen', 'dbl'], metadata: { color: '#3498db' } }],
});

/** NoFlo's form (peers.md §1.2). */
const fbpExample = () => ({
  caseSensitive: false,
  properties: { name: 'demo', environment: { type: 'noflo-nodejs' }, description: '', icon: '' },
  inports: { filename: { process: 'Read', port: 'in', metadata: { x: 0, y: 0 } } },
  outports: { out: { process: 'Disp', port: 'out', metadata: {} } },
  groups: [{ name: 'io', nodes: ['Read', 'Disp'], metadata: { description: 'I/O' } }],
  processes: {
    Read: { component: 'filesystem/ReadFile', metadata: { x: 10, y: 20, label: 'Read' } },
    Split: { component: 'strings/SplitStr' },
    Disp: { component: 'core/Output' },
  },
  connections: [
    { data: 'package.json', tgt: { process: 'Read', port: 'in' } },
    { src: { process: 'Read', port: 'OUT' }, tgt: { process: 'Split', port: 'in' } },
    { src: { process: 'Split', port: 'out', index: 0 }, tgt: { process: 'Disp', port: 'in' }, metadata: { route: 5, secure: false } },
  ],
});

const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');
const where = (problems: Problem[]) => problems.map((p) => `${p.code} ${p.path}`).sort();

describe('reading Reflow documents', () => {
  it("reads Reflow's example with no problem: nodes, the connection, the IIP, exported ports, the group", () => {
    const { graph, problems } = readGraphJson(reflowExample());
    assert.deepEqual(problems, []);
    assert.equal(graph.name, 'double-pipeline');
    assert.deepEqual([...graph.nodes.keys()], ['gen', 'dbl']);
    assert.deepEqual(graph.getNode('dbl')!.metadata, { factor: 2, env_vars: { API_KEY: 'optional:none' } });
    assert.deepEqual(graph.edges.map((e) => [e.src, e.tgt]), [[{ node: 'gen', port: 'out' }, { node: 'dbl', port: 'in' }]]);
    assert.deepEqual(graph.initials.map((i) => [i.data, i.tgt]), [[21, { node: 'gen', port: 'seed', index: 0 }]]);
    assert.deepEqual(graph.inports.get('start'), { name: 'start', node: 'gen', port: 'seed', metadata: {} });
    assert.equal(graph.outports.get('result')!.port, 'out');
    assert.deepEqual(graph.groups, [{ name: 'main', nodes: ['gen', 'dbl'], metadata: { color: '#3498db' } }]);
  });

  it('names a connection port by portId, falling back to portName when portId is blank', () => {
    const doc = reflowExample();
    doc.connections[0].from = { portName: 'out', portId: '', nodeId: 'gen', expose: false, portType: { type: 'any' } };
    const { graph, problems } = readGraphJson(doc);
    assert.deepEqual(problems, []);
    assert.equal(graph.edges[0].src.port, 'out');
  });

  it('warns when portId and portName disagree, and uses portId (as Reflow’s runtime does)', () => {
    const doc = reflowExample();
    doc.connections[0].to.portName = 'input';
    const { graph, problems } = readGraphJson(doc);
    assert.equal(graph.edges[0].tgt.port, 'in');
    assert.deepEqual(where(problems), ['PORT_NAME_MISMATCH $.connections[0].to.portName']);
    assert.equal(problems[0].severity, 'warning');
  });

  it('reads a null IIP (data null with a blank from) rather than a broken connection', () => {
    const doc = reflowExample();
    (doc.connections[1] as { data: unknown }).data = null;
    const { graph, problems } = readGraphJson(doc);
    assert.deepEqual(problems, []);
    assert.deepEqual(graph.initials.map((i) => i.data), [null]);
  });

  it('keeps snake_case workspace sections (which Reflow drops) in properties and writes them back', () => {
    const doc = { ...reflowExample(), graph_dependencies: [{ graphName: 'auth', required: true }], case_sensitive: true };
    delete (doc as { caseSensitive?: boolean }).caseSensitive;
    const { graph, problems } = readGraphJson(doc);
    assert.deepEqual(problems, []);
    assert.equal(graph.caseSensitive, true);
    assert.deepEqual(graph.properties.graphDependencies, [{ graphName: 'auth', required: true }]);
    const out = toGraphJson(graph);
    assert.deepEqual(out.graphDependencies, [{ graphName: 'auth', required: true }]);
    assert.equal('graphDependencies' in out.properties, false);
  });

  it('reports fields it does not know as warnings instead of dropping them silently', () => {
    const doc = { ...reflowExample(), layout: 'dagre' };
    (doc.processes.gen as Record<string, unknown>).colour = 'red';
    const { problems } = readGraphJson(doc);
    assert.deepEqual(where(problems), ['UNKNOWN_FIELD $.layout', 'UNKNOWN_FIELD $.processes.gen.colour']);
    assert.ok(problems.every((p) => p.severity === 'warning'));
  });

  it('keeps Reflow’s scriptRuntime in the node metadata (the node config)', () => {
    const doc = reflowExample();
    (doc.processes.dbl as Record<string, unknown>).scriptRuntime = 'Python';
    assert.equal(readGraphJson(doc).graph.getNode('dbl')!.metadata.scriptRuntime, 'Python');
  });
});

describe('reading FBP (NoFlo) documents', () => {
  it('reads the src/tgt form: IIPs without src, indexes, exported ports, named groups', () => {
    const { graph, problems } = readGraphJson(fbpExample());
    assert.deepEqual(problems, []);
    assert.deepEqual(graph.initials.map((i) => [i.data, i.tgt]), [['package.json', { node: 'Read', port: 'in' }]]);
    assert.deepEqual(graph.edges.map((e) => [e.src, e.tgt]), [
      [{ node: 'Read', port: 'out' }, { node: 'Split', port: 'in' }],
      [{ node: 'Split', port: 'out', index: 0 }, { node: 'Disp', port: 'in' }],
    ]);
    assert.deepEqual(graph.edges[1].metadata, { route: 5, secure: false });
    assert.deepEqual(graph.inports.get('filename'), { name: 'filename', node: 'Read', port: 'in', metadata: { x: 0, y: 0 } });
    assert.deepEqual(graph.groups[0], { name: 'io', nodes: ['Read', 'Disp'], metadata: { description: 'I/O' } });
  });

  it('keeps port case when the document is case sensitive', () => {
    const doc = { ...fbpExample(), caseSensitive: true };
    assert.equal(readGraphJson(doc).graph.edges[0].src.port, 'OUT');
  });

  it('accepts a list of processes and reports a repeated id there', () => {
    const doc = { processes: [{ id: 'a', component: 'x/A' }, { id: 'b', component: 'x/B' }, { id: 'a', component: 'x/C' }] };
    const { graph, problems } = readGraphJson(doc);
    assert.deepEqual([...graph.nodes.keys()], ['a', 'b']);
    assert.deepEqual(where(problems), ['DUPLICATE_NODE $.processes[2]']);
  });

  it('warns about a repeated connection and keeps one', () => {
    const doc = fbpExample();
    doc.connections.push({ src: { process: 'Read', port: 'out' }, tgt: { process: 'Split', port: 'in' } });
    const { graph, problems } = readGraphJson(doc);
    assert.equal(graph.edges.length, 2);
    assert.deepEqual(where(problems), ['DUPLICATE_EDGE $.connections[3]']);
    assert.equal(problems[0].severity, 'warning');
  });
});

describe('writing (toGraphJson) and round trips', () => {
  it('writes Reflow’s form with every edge field its native reader requires', () => {
    const out = toGraphJson(readGraphJson(fbpExample()).graph);
    for (const c of out.connections) {
      for (const end of [c.from, c.to]) {
        assert.deepEqual(Object.keys(end).filter((k) => k !== 'index').sort(), ['expose', 'nodeId', 'portId', 'portName', 'portType']);
      }
    }
    const iip = out.connections.find((c) => c.data !== undefined)!;
    assert.deepEqual(iip.from, { portName: '', portId: '', nodeId: '', expose: false, portType: { type: 'any' } });
    assert.deepEqual(out.inports.filename, { portName: 'in', portId: 'filename', nodeId: 'Read', expose: true, portType: { type: 'any' }, metadata: { x: 0, y: 0 } });
    assert.deepEqual(out.processes.Read, { id: 'Read', component: 'filesystem/ReadFile', metadata: { x: 10, y: 20, label: 'Read' } });
    assert.deepEqual(out.groups, [{ id: 'io', nodes: ['Read', 'Disp'], metadata: { description: 'I/O' } }]);
  });

  for (const form of ['reflow', 'fbp'] as const) {
    it(`round-trips losslessly through the ${form} form`, () => {
      for (const doc of [reflowExample(), fbpExample()]) {
        const first = readGraphJson(doc).graph;
        const { graph: again, problems } = readGraphJson(JSON.parse(JSON.stringify(toGraphJson(first, { form }))));
        assert.deepEqual(problems, []);
        assert.deepEqual(toGraphJson(again), toGraphJson(first));
        assert.deepEqual(again.edges, first.edges);
        assert.deepEqual(again.initials, first.initials);
        assert.deepEqual([...again.nodes.values()], [...first.nodes.values()]);
      }
    });
  }

  it('round-trips a graph built in code: null and falsy IIPs, slot indexes on both ends and on exported ports', () => {
    const g = new Graph({ name: 'edge cases' }, { caseSensitive: true });
    g.addNode('A', 'x/A', { nested: { deep: [1, 2] } });
    g.addNode('B', 'x/B');
    g.addEdge({ node: 'A', port: 'Out', index: 3 }, { node: 'B', port: 'In', index: 0 }, { capacity: 4, policy: 'drop-oldest' });
    for (const value of [null, 0, false, '', [], {}]) g.addInitial(value, { node: 'B', port: 'Opt' });
    g.addInport('Go', 'A', 'In', {}, 1);
    g.addGroup('g', ['B']);
    for (const form of ['reflow', 'fbp'] as const) {
      const { graph, problems } = readGraphJson(JSON.parse(JSON.stringify(toGraphJson(g, { form }))));
      assert.deepEqual(problems, []);
      assert.deepEqual(toGraphJson(graph), toGraphJson(g));
    }
  });
});

describe('where things came from (sourcePath)', () => {
  it('remembers the JSON path of each node, connection, IIP, exported port and group', () => {
    const { graph } = readGraphJson(fbpExample());
    assert.equal(sourcePath(graph.getNode('Split')!), '$.processes.Split');
    assert.equal(sourcePath(graph.initials[0]), '$.connections[0]');
    assert.equal(sourcePath(graph.edges[1]), '$.connections[2]');
    assert.equal(sourcePath(graph.inports.get('filename')!), '$.inports.filename');
    assert.equal(sourcePath(graph.groups[0]), '$.groups[0]');
  });

  it('knows nothing about items added in code', () => {
    const { graph } = readGraphJson(fbpExample());
    assert.equal(sourcePath(graph.addNode('new', 'x/X')), undefined);
  });

  it('keeps the path out of sight: copies, keys and JSON of an item do not carry it', () => {
    const { graph } = readGraphJson(fbpExample());
    const node = graph.getNode('Split')!;
    assert.deepEqual(Object.keys(node), Object.keys({ ...node }));
    assert.equal(sourcePath({ ...node }), undefined);
    assert.ok(!JSON.stringify(node).includes('$.processes'));
  });
});

describe('an invalid graph document', () => {
  /** One document, many different mistakes — the reader and the registry must report every one. */
  const brokenDocument = () => ({
    caseSensitive: 'no',
    properties: { name: 'broken' },
    processes: {
      dbl: { component: 'math/Dubble' },
      up: { metadata: { label: 'no component' } },
      rep: { id: 'repeat', component: 'core/Repeat', metadata: { retry: { attempts: 0 } } },
      cnt: { component: 'gen/Counter', metadata: { start: 'zero', thread: '' } },
      txt: { component: 'text/Upper' },
      fetch: { component: 'net/Fetch', metadata: { env_vars: { TOKEN: 'required' } } },
      merge: { component: 'core/Merge' },
    },
    connections: [
      { from: { nodeId: 'cnt', portId: 'out' }, to: { nodeId: 'ghost', portId: 'in' } },
      { src: { process: 'cnt', port: 'out' }, tgt: { process: 'rep', port: 'inn' } },
      { src: { process: 'rep', port: 'in' }, tgt: { process: 'merge', port: 'in' } },
      { src: { process: 'cnt', port: 'out' }, tgt: { process: 'txt', port: 'in' } },
      { data: 'orphan value' },
      { src: { process: 'cnt', port: 'out' }, tgt: { process: 'rep', port: 'in', index: 2 } },
      { src: { process: 'txt', port: 'out' }, tgt: { process: 'merge', port: 'in', index: 0 }, metadata: { capacity: 0, policy: 'drop-newest' } },
      { src: { process: 'up', port: 'out' }, tgt: { process: 'rep', port: 'in' } },
      { data: 5, tgt: { process: 'txt', port: 'in' } },
    ],
    outports: { result: { process: 'nowhere', port: 'out' } },
    groups: [{ name: 'main', nodes: ['cnt', 'txxt'] }],
  });

  it('yields every mistake at once, each with its path and a hint', () => {
    const { problems } = readGraph(brokenDocument(), { registry: graphRegistry(), env: {} });
    assert.deepEqual(where(errors(problems)), [
      'DANGLING_EDGE $.connections[0].to.nodeId',
      'EDGE_FROM_INPORT $.connections[2].src.port',
      'IIP_NO_TARGET $.connections[4]',
      'INDEX_ON_PLAIN_PORT $.connections[5].tgt.index',
      'INVALID_CAPACITY $.connections[6].metadata.capacity',
      'INVALID_CONFIG $.processes.cnt.metadata.start',
      'INVALID_POLICY $.connections[6].metadata.policy',
      'INVALID_RETRY $.processes.rep.metadata.retry.attempts',
      'INVALID_THREAD $.processes.cnt.metadata.thread',
      'INVALID_TYPE $.caseSensitive',
      'MISSING_ENV $.processes.fetch.metadata.env_vars.TOKEN',
      'MISSING_FIELD $.processes.up.component',
      'NODE_ID_MISMATCH $.processes.rep.id',
      'REQUIRED_PORT $.processes.fetch',
      'TYPE_MISMATCH $.connections[3]',
      'TYPE_MISMATCH $.connections[8].data',
      'UNKNOWN_COMPONENT $.processes.dbl.component',
      'UNKNOWN_NODE $.groups[0].nodes[1]',
      'UNKNOWN_NODE $.outports.result.process',
      'UNKNOWN_PORT $.connections[1].tgt.port',
    ]);
    const at = (path: string) => problems.find((p) => p.path === path)!;
    assert.match(at('$.processes.dbl.component').hint, /did you mean 'math\/Double'/);
    assert.match(at('$.connections[1].tgt.port').hint, /did you mean 'in'\?/);
    assert.match(at('$.groups[0].nodes[1]').hint, /did you mean 'txt'/);
    assert.match(at('$.connections[3]').message, /integer does not fit string/);
    assert.match(at('$.connections[8].data').message, /integer does not fit string/);
    assert.match(at('$.processes.cnt.metadata.start').hint, /use an integer \(first value\)/);
    assert.match(at('$.processes.fetch').message, /required inport 'url'/);
    assert.ok(problems.every((p) => p.message.length > 0 && p.hint.length > 0));
  });

  it('does not pile consequences on a broken node: connections to it are not reported again', () => {
    const { problems } = readGraph(brokenDocument(), { registry: graphRegistry(), env: {} });
    assert.equal(problems.filter((p) => p.path.startsWith('$.connections[7]')).length, 0);
  });

  it('makes loadGraph throw one ValidationError that lists them all', () => {
    assert.throws(() => loadGraph(brokenDocument(), { registry: graphRegistry(), env: {} }), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.code, 'INVALID_GRAPH');
      assert.equal(errors(e.problems).length, 20);
      assert.match(e.message, /has 20 problems/);
      assert.match(e.message, /\$\.connections\[0\]\.to\.nodeId: connection 0 names node 'ghost'/);
      return true;
    });
  });

  it('reports documents that are not graphs at all', () => {
    for (const doc of [null, 42, 'x', [], undefined]) {
      const { problems } = readGraphJson(doc);
      assert.deepEqual(where(problems), ['NOT_AN_OBJECT $']);
    }
  });

  it('reports wrongly typed sections, keeps reading the rest', () => {
    const { graph, problems } = readGraphJson({ processes: { a: { component: 'x/A' } }, connections: {}, inports: [], groups: 'g' });
    assert.deepEqual(where(problems), ['INVALID_TYPE $.connections', 'INVALID_TYPE $.groups', 'INVALID_TYPE $.inports']);
    assert.equal(graph.nodes.size, 1);
  });

  it('reports malformed connection ends precisely', () => {
    const { problems } = readGraphJson({
      processes: { a: { component: 'x/A' }, b: { component: 'x/B' } },
      connections: [
        { from: { nodeId: 'a', portId: '' }, to: { nodeId: 'b', portId: 'in', index: -1 } },
        { src: { process: 'a', port: 'out' }, tgt: { process: 'b', port: 7 } },
        { src: { process: 'a', port: 'out' }, to: { nodeId: 'b', portId: 'in' } },
        { metadata: {} },
        { src: { process: 'a', port: 'out' }, tgt: { process: 'b', port: 'in' }, data: 1 },
      ],
    });
    assert.deepEqual(where(problems), [
      'AMBIGUOUS_CONNECTION $.connections[2]',
      'AMBIGUOUS_CONNECTION $.connections[4]',
      'INVALID_INDEX $.connections[0].to.index',
      'INVALID_TYPE $.connections[1].tgt.port',
      'MISSING_FIELD $.connections[0].from.portId',
      'MISSING_FIELD $.connections[3].from',
    ]);
  });

  it('never throws on values JSON cannot hold (documents built in code)', () => {
    const { problems } = readGraphJson({ connections: [{ data: 10n }], processes: { a: { component: 'x/A', metadata: { big: 1n } } } });
    assert.deepEqual(where(problems), ['IIP_NO_TARGET $.connections[0]']);
    assert.match(problems[0].message, /IIP 10n/);
  });

  it('reports empty ids and missing names: a process keyed "", a group without a name, a port without a node', () => {
    const { graph, problems } = readGraphJson({
      processes: { '': { component: 'x/A' }, ok: { component: 'x/B' } },
      inports: { start: { port: 'in' } },
      groups: [{ nodes: ['ok'] }],
    });
    assert.deepEqual(where(problems), ['INVALID_ID $.processes[""]', 'MISSING_FIELD $.groups[0].id', 'MISSING_FIELD $.inports.start.process']);
    assert.deepEqual([...graph.nodes.keys()], ['ok']);
  });

  it('reports an inner id that repeats another process’s key as a duplicate node', () => {
    const { problems } = readGraphJson({ processes: { a: { id: 'a', component: 'x/A' }, b: { id: 'a', component: 'x/B' } } });
    assert.deepEqual(where(problems), ['DUPLICATE_NODE $.processes.b.id']);
  });
});

describe('loadGraph', () => {
  const text = JSON.stringify(fbpExample());

  it('loads JSON text, bytes and objects alike', () => {
    for (const input of [text, new TextEncoder().encode(text), JSON.parse(text)]) {
      assert.deepEqual([...loadGraph(input).nodes.keys()], ['Read', 'Split', 'Disp']);
    }
  });

  it('reads text that is not JSON as .fbp', () => {
    const graph = loadGraph("'x' -> IN A(core/Repeat) OUT -> IN B(core/Repeat)");
    assert.deepEqual(graph.edges.map((e) => `${e.src.node}.${e.src.port}>${e.tgt.node}.${e.tgt.port}`), ['A.out>B.in']);
  });

  it('reports broken JSON as JSON (with the position), not as an .fbp syntax error', () => {
    assert.throws(() => loadGraph('{"processes": {"a": 1},}'), (e: ValidationError) => {
      assert.equal(e.problems[0].code, 'JSON_SYNTAX');
      assert.match(e.problems[0].message, /position 23/);
      return true;
    });
  });

  it('honours an explicit format', () => {
    assert.throws(() => loadGraph("'x' -> IN A(core/Repeat)", { format: 'json' }), (e: ValidationError) => e.problems[0].code === 'JSON_SYNTAX');
    assert.equal(loadGraph("'x' -> IN A(core/Repeat)", { format: 'fbp' }).initials.length, 1);
  });

  it('finds the keys JSON.parse silently collapses: a process or exported port declared twice is an error', () => {
    const text = `{
      "properties": { "name": "first", "name": "second" },
      "processes": {
        "a": { "component": "x/A", "metadata": { "label": "say \\"}{\\" " } },
        "b\\u0041": { "component": "x/B" },
        "a": { "component": "x/C" },
        "bA": { "component": "x/D" }
      },
      "outports": { "out": { "process": "a", "port": "out" }, "out": { "process": "bA", "port": "out" } },
      "connections": [{ "data": "{\\"processes\\": 1}", "tgt": { "process": "a", "port": "in" } }]
    }`;
    const { problems } = readGraph(text);
    assert.deepEqual(problems.map((p) => [p.code, p.path, p.severity]), [
      ['DUPLICATE_KEY', '$.properties.name', 'warning'],
      ['DUPLICATE_NODE', '$.processes.a', 'error'],
      ['DUPLICATE_NODE', '$.processes.bA', 'error'],
      ['DUPLICATE_PORT', '$.outports.out', 'error'],
    ]);
  });

  it('takes a Graph already built, and validates it when given a registry', () => {
    const g = new Graph();
    g.addNode('r', 'core/Repaet');
    assert.equal(loadGraph(g), g);
    assert.deepEqual(where(readGraph(g, { registry: graphRegistry() }).problems), ['UNKNOWN_COMPONENT $.processes.r.component']);
  });

  it('hands warnings to onWarning and still loads', () => {
    const seen: Problem[] = [];
    loadGraph({ ...fbpExample(), extra: true }, { onWarning: (p) => seen.push(p) });
    assert.deepEqual(where(seen), ['UNKNOWN_FIELD $.extra']);
  });
});
