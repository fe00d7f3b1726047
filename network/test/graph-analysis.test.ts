import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeGraph } from '../src/graph/analysis.ts';
import { Graph } from '../src/graph/graph.ts';
import { graphRegistry } from './graph-components.ts';

/** A graph from `a->b` strings (ports out/in), every node a core/Repeat. */
function chain(...links: string[]): Graph {
  const g = new Graph();
  for (const link of links) {
    const [from, to] = link.split('->');
    for (const id of [from, to]) if (id && !g.nodes.has(id)) g.addNode(id, 'core/Repeat');
    if (to) g.addEdge({ node: from, port: 'out' }, { node: to, port: 'in' });
  }
  return g;
}

describe('analyzeGraph: cycles', () => {
  it('reports no cycle in a pipeline', () => {
    assert.deepEqual(analyzeGraph(chain('a->b', 'b->c')).cycles, []);
  });

  it('reports every feedback loop, not just the first (cycles are legal: reported, not rejected)', () => {
    const g = chain('a->b', 'b->c', 'c->a', 'c->d', 'd->e', 'e->d', 'e->f', 'f->f');
    assert.deepEqual(analyzeGraph(g).cycles, [['a', 'b', 'c'], ['d', 'e'], ['f']]);
  });

  it('finds the loops of a long chain without recursion limits', () => {
    const links = Array.from({ length: 20_000 }, (_, i) => `n${i}->n${i + 1}`);
    links.push('n20000->n0');
    assert.equal(analyzeGraph(chain(...links)).cycles[0].length, 20_001);
  });
});

describe('analyzeGraph: entries, exits and orphans', () => {
  it('finds entry nodes (no incoming edge, or fed by an IIP or exported inport) and exit nodes', () => {
    const g = chain('a->b', 'b->c', 'c->b');
    g.addInitial(1, { node: 'b', port: 'in' });
    g.addOutport('out', 'b', 'out');
    const result = analyzeGraph(g);
    assert.deepEqual(result.entryNodes, ['a', 'b']);
    assert.deepEqual(result.exitNodes, ['b']);
  });

  it('reports isolated nodes and connected nodes no entry reaches, as orphans', () => {
    const g = chain('a->b', 'x->y', 'y->x', 'lonely');
    g.addNode('seeded', 'core/Repeat');
    g.addInitial(1, { node: 'seeded', port: 'in' });
    const result = analyzeGraph(g);
    assert.deepEqual(result.isolated, ['lonely']);
    assert.deepEqual(result.unreachable, ['x', 'y']);
    assert.deepEqual(result.orphans, ['x', 'y', 'lonely']);
    assert.ok(result.entryNodes.includes('seeded') && !result.orphans.includes('seeded'));
  });

  it('counts a loop fed through an exported inport as reachable', () => {
    const g = chain('x->y', 'y->x');
    g.addInport('start', 'x', 'in');
    assert.deepEqual(analyzeGraph(g).orphans, []);
  });
});

describe('analyzeGraph: type mismatches (with a registry)', () => {
  it('reports connections and IIPs whose declared types do not fit, with both types', () => {
    const g = new Graph();
    g.addNode('count', 'gen/Counter');
    g.addNode('upper', 'text/Upper');
    g.addNode('double', 'math/Double');
    g.addNode('any', 'core/Repeat');
    g.addEdge({ node: 'count', port: 'out' }, { node: 'upper', port: 'in' });
    g.addEdge({ node: 'count', port: 'out' }, { node: 'double', port: 'in' });
    g.addEdge({ node: 'upper', port: 'out' }, { node: 'any', port: 'in' });
    g.addInitial('ten', { node: 'double', port: 'in' });
    const { typeMismatches } = analyzeGraph(g, graphRegistry());
    assert.deepEqual(typeMismatches.map((m) => [m.edge, m.from.type, m.to.type]), [
      [g.edges[0], 'integer', 'string'],
      [g.initials[0], 'string', 'number'],
    ]);
    assert.match(typeMismatches[0].message, /connection count\.out -> upper\.in: integer does not fit string/);
  });

  it('types the ports of a subgraph by the inner ports it exports', () => {
    const g = new Graph();
    g.addNode('sub', 'sub/Doubler');
    g.addNode('upper', 'text/Upper');
    g.addEdge({ node: 'upper', port: 'out' }, { node: 'sub', port: 'value' });
    const [mismatch] = analyzeGraph(g, graphRegistry()).typeMismatches;
    assert.match(mismatch.message, /string does not fit number/);
  });

  it('reports no type mismatches without a registry', () => {
    const g = chain('a->b');
    assert.deepEqual(analyzeGraph(g).typeMismatches, []);
  });
});
