import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../src/errors.ts';
import { parseFbp, toFbp, writeFbp } from '../src/graph/fbp-dsl.ts';
import { Graph } from '../src/graph/graph.ts';
import { toGraphJson } from '../src/graph/json.ts';
import { FLOW } from '../src/messages/flow.ts';

/** The example of peers.md §1.3. */
const example = `# @runtime noflo-nodejs
INPORT=Read.IN:FILENAME
OUTPORT=Disp.OUT:OUT
'package.json' -> IN Read(filesystem/ReadFile) OUT -> IN Split(strings/SplitStr:x=10,y=20)
Split OUT[0] -> IN Disp(core/Output)
Read ERROR -> IN Disp
`;

const edges = (g: Graph) => g.edges.map((e) => `${e.src.node}.${e.src.port}${e.src.index === undefined ? '' : `[${e.src.index}]`} -> ${e.tgt.node}.${e.tgt.port}`);

describe('parseFbp', () => {
  it('reads the peers.md example: components, metadata, IIPs, indexes, exported ports, annotations', () => {
    const { graph, problems } = parseFbp(example);
    assert.deepEqual(problems, []);
    assert.deepEqual([...graph.nodes.values()].map((n) => [n.id, n.component, n.metadata]), [
      ['Read', 'filesystem/ReadFile', {}],
      ['Split', 'strings/SplitStr', { x: 10, y: 20 }],
      ['Disp', 'core/Output', {}],
    ]);
    assert.deepEqual(edges(graph), ['Read.out -> Split.in', 'Split.out[0] -> Disp.in', 'Read.error -> Disp.in']);
    assert.deepEqual(graph.initials.map((i) => [i.data, i.tgt]), [['package.json', { node: 'Read', port: 'in' }]]);
    assert.deepEqual(graph.inports.get('filename'), { name: 'filename', node: 'Read', port: 'in', metadata: {} });
    assert.equal(graph.outports.get('out')!.node, 'Disp');
    assert.deepEqual(graph.properties, { environment: { type: 'noflo-nodejs' } });
  });

  it('keeps port case when asked to be case sensitive', () => {
    const { graph } = parseFbp("A(x/A) OUT -> IN B(x/B)", { caseSensitive: true });
    assert.equal(graph.caseSensitive, true);
    assert.deepEqual(edges(graph), ['A.OUT -> B.IN']);
  });

  it('reads JSON IIPs of every kind', () => {
    const { graph } = parseFbp([
      'N(x/N)', '{"a":[1,2]} -> A N', '5 -> B N', '-2.5 -> C N', '"two\\nlines" -> D N', "'it\\'s' -> E N", '\ttrue -> F N', '\tnull -> G N',
    ].join('\n'));
    assert.deepEqual(graph.initials.map((i) => i.data), [{ a: [1, 2] }, 5, -2.5, 'two\nlines', "it's", true, null]);
  });

  it('reports a syntax error with its line and column, quoting the statement', () => {
    const { problems } = parseFbp("A(x/A) OUT -> IN B(x/B)\nA OUT -> -> IN B\n");
    assert.equal(problems.length, 1);
    assert.equal(problems[0].code, 'FBP_SYNTAX');
    assert.equal(problems[0].path, 'line 2, column 10');
    assert.match(problems[0].hint, /line 2: "A OUT -> -> IN B"/);
  });

  it('reports every undeclared node at the line that uses it, not only the first', () => {
    const { problems } = parseFbp("A(x/A) OUT -> IN B(x/B)\nA OUT -> IN Ghost\n# a comment with -> an arrow\n'v' -> IN Phantom\n");
    assert.deepEqual(problems.map((p) => [p.code, p.path]), [['DANGLING_EDGE', 'line 2'], ['DANGLING_EDGE', 'line 4']]);
    assert.match(problems[0].hint, /Ghost\(lib\/Component\)/);
  });
});

describe('writing .fbp (toFbp / writeFbp)', () => {
  it('round-trips the peers.md example: parse, write, parse again gives the same graph', () => {
    const first = parseFbp(example).graph;
    const text = toFbp(first);
    const { graph: again, problems } = parseFbp(text);
    assert.deepEqual(problems, []);
    assert.deepEqual(toGraphJson(again), toGraphJson(first));
  });

  it('writes one declaration per node, then connections with upper-case ports and [index], then IIPs', () => {
    const text = toFbp(parseFbp(example).graph);
    assert.equal(text, [
      '# @runtime noflo-nodejs',
      'INPORT=Read.IN:FILENAME',
      'OUTPORT=Disp.OUT:OUT',
      'Read(filesystem/ReadFile)',
      'Split(strings/SplitStr:x=10,y=20)',
      'Disp(core/Output)',
      'Read OUT -> IN Split',
      'Split OUT[0] -> IN Disp',
      'Read ERROR -> IN Disp',
      "'package.json' -> IN Read",
      '',
    ].join('\n'));
  });

  it('writes IIP values so that they read back identical (quotes, newlines, booleans, null, JSON)', () => {
    const g = new Graph({}, { caseSensitive: true });
    g.addNode('N', 'x/N');
    const values = ['plain', "it's", 'back\\slash', 'two\nlines', true, false, null, 0, -1.5, [1, 'a'], { k: { v: [] } }];
    for (const v of values) g.addInitial(v, { node: 'N', port: 'In' });
    const { graph, problems } = parseFbp(toFbp(g), { caseSensitive: true });
    assert.deepEqual(problems, []);
    assert.deepEqual(graph.initials.map((i) => i.data), values);
  });

  it('lists what the DSL cannot carry as warnings, and still writes the rest', () => {
    const g = new Graph({ name: 'lossy', version: 2 });
    g.addNode('a', 'x/A', { label: 'A', factor: 2, note: 'has spaces' });
    g.addNode('b', 'x/B');
    g.addEdge({ node: 'a', port: 'out' }, { node: 'b', port: 'in' }, { capacity: 4 });
    g.addInitial(FLOW, { node: 'a', port: 'in' });
    g.addGroup('g', ['a']);
    const { text, problems } = writeFbp(g);
    assert.ok(problems.every((p) => p.severity === 'warning' && p.code === 'FBP_LOSSY'));
    assert.deepEqual(problems.map((p) => p.path), [
      '$.properties.version', '$.processes.a.metadata.factor', '$.processes.a.metadata.note', '$.connections[0].metadata', '$.connections[1].data', '$.groups[0]',
    ]);
    assert.match(text, /# @name lossy\na\(x\/A:label=A\)\n/);
    assert.equal(toFbp(g), text);
  });

  it('refuses a graph the DSL cannot express so that it parses back, listing every reason', () => {
    const g = new Graph();
    g.addNode('my node', 'x/A');
    g.addNode('b', 'x/B@1.0');
    g.addEdge({ node: 'my node', port: 'out-put' }, { node: 'b', port: 'in' });
    g.addInport('start', 'b', 'in', {}, 2);
    g.addInitial(10n, { node: 'b', port: 'in' });
    assert.throws(() => toFbp(g), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(e.problems.filter((p) => p.severity === 'error').map((p) => p.path), [
        '$.inports.start.index', '$.processes["my node"]', '$.processes.b.component', '$.connections[0]', '$.connections[1].data',
      ]);
      return true;
    });
  });
});
