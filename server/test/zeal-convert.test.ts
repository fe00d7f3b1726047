// Zeal workflow JSON → Actorflow graph: template ids, property values, subgraph flattening, port
// mapping, and precise problems for what cannot be converted.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { zealTemplateAliases, registerComponents } from '@actorflow/components';
import { readGraphJson, toGraphJson, Network, type ComponentRegistry } from '@actorflow/network';
import { convertZealWorkflow, ZealConversionError, type ConvertOptions } from '../src/zeal/converter.ts';
import { ZealMapping } from '../src/zeal/mapping.ts';
import { TemplateResolver } from '../src/zeal/template-resolver.ts';
import type { ZealNode } from '../src/zeal/wire.ts';
import { linearWorkflow, subgraphWorkflow, testRegistry, zealConnection, zealGraph, zealNode } from './support/zeal-standin/index.ts';

let registry: ComponentRegistry;
let options: ConvertOptions;
before(async () => {
  registry = await testRegistry();
  options = { registry, resolver: new TemplateResolver(registry, 'actorflow'), namespace: 'actorflow' };
});

/** The problems a conversion fails with. */
function problemsOf(doc: unknown, opts: ConvertOptions = options) {
  try {
    convertZealWorkflow(doc, opts);
  } catch (err) {
    assert.ok(err instanceof ZealConversionError, `expected ZealConversionError, got ${String(err)}`);
    assert.equal(err.code, 'INVALID_ZEAL_WORKFLOW');
    return err.problems;
  }
  assert.fail('the conversion succeeded');
}

describe('converting a Zeal workflow', () => {
  it('resolves `<namespace>/<component>` template ids, keeps node ids, and turns property values into node config', () => {
    const { graph, components, workflowId } = convertZealWorkflow(linearWorkflow('wf-1', 7), options);
    assert.equal(workflowId, 'wf-1');
    assert.deepEqual(components, ['test/Double', 'test/Emit', 'test/Sink']);
    assert.deepEqual([...graph.nodes.values()].map((n) => [n.id, n.component]), [['emit', 'test/Emit'], ['double', 'test/Double'], ['sink', 'test/Sink']]);
    assert.deepEqual(graph.nodes.get('emit')!.metadata, { count: 7 });
    assert.equal(graph.name, 'Linear');
  });

  it('remembers which Zeal connection each edge stands for, in the graph itself', () => {
    const { graph } = convertZealWorkflow(linearWorkflow(), options);
    assert.deepEqual(graph.edges.map((e) => [`${e.src.node}.${e.src.port}`, `${e.tgt.node}.${e.tgt.port}`, e.metadata.zeal]), [
      ['emit.out', 'double.in', { connections: ['c-emit-double'] }],
      ['double.out', 'sink.in', { connections: ['c-double-sink'] }],
    ]);
    const mapping = ZealMapping.fromGraph(graph);
    assert.deepEqual(mapping.connections('emit', 'out', 'double', 'in'), ['c-emit-double']);
    assert.deepEqual(mapping.inputConnections('double', 'in'), ['c-emit-double']);
    assert.deepEqual(mapping.outputConnections('double'), ['c-double-sink']);
    assert.equal(mapping.workflowId, 'wf-linear');
  });

  it('exports the canonical graph JSON, which reads back to the same graph and runs', async () => {
    const { graph } = convertZealWorkflow(linearWorkflow('wf-1', 4), options);
    const json = toGraphJson(graph);
    const back = readGraphJson(json);
    assert.deepEqual(back.problems.filter((p) => p.severity === 'error'), []);
    assert.deepEqual(toGraphJson(back.graph), json);
    assert.deepEqual((json.properties as { zeal: unknown }).zeal, { workflowId: 'wf-1', namespace: 'actorflow', workflowName: 'Linear', version: 1 });
    const net = await Network.create(back.graph, { registry });
    const result = await net.run();
    assert.equal(result.status, 'completed');
    assert.equal(result.stats.nodes.sink.firings, 4);
  });

  it('accepts every shape Zeal hands a workflow out in', () => {
    const wf = linearWorkflow('wf-shapes');
    const shapes = {
      'GET /api/workflows/{id}': { success: true, data: wf, meta: {} },
      'workflow.state': { id: 'u-1', timestamp: new Date().toISOString(), type: 'workflow.updated', workflowId: 'wf-shapes', graphId: 'main', data: { version: 3, graphs: wf.graphs, metadata: {} } },
      'workflow.published': { id: 'e-1', type: 'workflow.published', timestamp: new Date().toISOString(), workflowId: 'wf-shapes', workflowName: 'Linear', version: 4, versionId: 'v4', graphs: wf.graphs },
    };
    for (const [shape, doc] of Object.entries(shapes)) {
      const { graph, workflowId } = convertZealWorkflow(doc, options);
      assert.equal(workflowId, 'wf-shapes', shape);
      assert.equal(graph.edges.length, 2, shape);
    }
  });

  it('flattens subgraphs: graph_input / graph_output are junctions, inner actors get scoped ids and keep their Zeal ids', async () => {
    const { graph } = convertZealWorkflow(subgraphWorkflow(), options);
    assert.deepEqual([...graph.nodes.keys()], ['emit', 'sub/double', 'sink']);
    assert.deepEqual(graph.edges.map((e) => [`${e.src.node}.${e.src.port}`, `${e.tgt.node}.${e.tgt.port}`, (e.metadata.zeal as { connections: string[] }).connections]), [
      ['emit.out', 'sub/double.in', ['c-main-1', 'c-sub-1']],
      ['sub/double.out', 'sink.in', ['c-sub-2', 'c-main-2']],
    ]);
    assert.deepEqual(ZealMapping.fromGraph(graph).node('sub/double'), { nodeId: 'double', graphId: 'doubler' });
    const result = await (await Network.create(graph, { registry })).run();
    assert.equal(result.status, 'completed');
    assert.equal(result.stats.nodes.sink.firings, 2);
  });

  it('follows proxy nodes to the inner port they name', () => {
    const wf = subgraphWorkflow('wf-proxy');
    const main = wf.graphs[0];
    const proxy = (id: string, template: string, values: Record<string, unknown>): ZealNode => ({ id, type: template, metadata: { id, templateId: template, propertyValues: values } });
    main.nodes.push(
      proxy('pin', 'proxy_input', { subgraphId: 'doubler', targetNodeId: 'double', targetPortId: 'in' }),
      proxy('pout', 'proxy_output', { subgraphId: 'doubler', sourceNodeId: 'double', sourcePortId: 'out' }),
      zealNode('emit2', 'test/Emit'), zealNode('sink2', 'test/Sink'),
    );
    main.connections.push(zealConnection('c-p1', 'emit2', 'out', 'pin', 'in'), zealConnection('c-p2', 'pout', 'out', 'sink2', 'in'));
    const { graph } = convertZealWorkflow(wf, options);
    assert.deepEqual((graph.getEdge({ node: 'emit2', port: 'out' }, { node: 'sub/double', port: 'in' })?.metadata.zeal as { connections: string[] }).connections, ['c-p1']);
    assert.deepEqual((graph.getEdge({ node: 'sub/double', port: 'out' }, { node: 'sink2', port: 'in' })?.metadata.zeal as { connections: string[] }).connections, ['c-p2']);
  });

  it('turns top-level graph_input / graph_output nodes into exported ports', () => {
    const io = (id: string, template: 'graph_input' | 'graph_output', name: string): ZealNode => ({ id, type: 'graph-io', metadata: { id, templateId: template, propertyValues: template === 'graph_input' ? { inputName: name } : { outputName: name } } });
    const wf = { id: 'wf-io', name: 'IO', graphs: [zealGraph('main', [io('gin', 'graph_input', 'numbers'), zealNode('double', 'test/Double'), io('gout', 'graph_output', 'doubled')], [
      zealConnection('c-1', 'gin', 'data', 'double', 'in'), zealConnection('c-2', 'double', 'out', 'gout', 'data'),
    ])] };
    const { graph } = convertZealWorkflow(wf, options);
    assert.deepEqual({ node: graph.inports.get('numbers')?.node, port: graph.inports.get('numbers')?.port }, { node: 'double', port: 'in' });
    assert.deepEqual({ node: graph.outports.get('doubled')?.node, port: graph.outports.get('doubled')?.port }, { node: 'double', port: 'out' });
  });

  it('maps Zeal port ids to actor ports ignoring case and `-` / `_`, and remembers the Zeal id for events', () => {
    const wf = linearWorkflow('wf-ports');
    wf.graphs[0].connections[0] = zealConnection('c-emit-double', 'emit', 'OUT', 'double', 'In');
    const { graph } = convertZealWorkflow(wf, options);
    assert.ok(graph.getEdge({ node: 'emit', port: 'out' }, { node: 'double', port: 'in' }));
    const mapping = ZealMapping.fromGraph(graph);
    assert.equal(mapping.port('emit', 'out'), 'OUT');
    assert.equal(mapping.port('double', 'in'), 'In');
  });

  it('resolves ids through an alias table (e.g. Reflow\'s tpl_* templates)', () => {
    const resolver = new TemplateResolver(registry, 'actorflow', { tpl_double: 'test/Double' });
    const wf = linearWorkflow('wf-alias');
    wf.graphs[0].nodes[1].metadata.templateId = 'tpl_double';
    const { graph } = convertZealWorkflow(wf, { ...options, resolver });
    assert.equal(graph.nodes.get('double')!.component, 'test/Double');
  });

  it('runs a workflow built from Reflow\'s tpl_* templates with the component library\'s alias table', async () => {
    const library = await testRegistry();
    await registerComponents(library);
    const resolver = new TemplateResolver(library, 'actorflow', zealTemplateAliases);
    const node = (id: string, templateId: string, values: Record<string, unknown> = {}) => ({ id, type: templateId, metadata: { id, templateId, propertyValues: values } });
    const wf = { id: 'wf-reflow', name: 'Reflow templates', graphs: [zealGraph('main', [
      zealNode('emit', 'test/Emit', { values: { count: 5 } }),
      node('branch', 'tpl_if_branch', { condition_type: 'greater_than', value: 2 }),
      zealNode('big', 'test/Sink'), zealNode('small', 'test/Sink'),
    ], [
      zealConnection('c-in', 'emit', 'out', 'branch', 'input-in'),
      zealConnection('c-true', 'branch', 'true-out', 'big', 'in'),
      zealConnection('c-false', 'branch', 'false-out', 'small', 'in'),
    ])] };
    const { graph } = convertZealWorkflow(wf, { registry: library, resolver, namespace: 'actorflow' });
    assert.equal(graph.nodes.get('branch')!.component, zealTemplateAliases.tpl_if_branch);
    assert.ok(graph.getEdge({ node: 'branch', port: 'true-out' }, { node: 'big', port: 'in' }));
    const result = await (await Network.create(graph, { registry: library })).run();
    assert.equal(result.status, 'completed');
    assert.deepEqual([result.stats.nodes.big.firings, result.stats.nodes.small.firings], [2, 3]);
  });

  it('declares the node\'s requiredEnvVars as required env_vars', () => {
    const wf = linearWorkflow('wf-env');
    wf.graphs[0].nodes[1].metadata.requiredEnvVars = ['API_TOKEN'];
    const { graph } = convertZealWorkflow(wf, options);
    assert.deepEqual(graph.nodes.get('double')!.metadata.env_vars, { API_TOKEN: 'required' });
  });
});

describe('a Zeal workflow that cannot be converted', () => {
  it('names an unknown template with the node, its JSON path and near misses', () => {
    const wf = linearWorkflow();
    wf.graphs[0].nodes[1].metadata.templateId = 'actorflow/test/Doubel';
    const [p] = problemsOf(wf);
    assert.equal(p.code, 'ZEAL_UNKNOWN_TEMPLATE');
    assert.equal(p.path, '$.graphs[0].nodes[1].metadata.templateId');
    assert.match(p.message, /node 'double' uses template 'actorflow\/test\/Doubel'/);
    assert.match(p.hint, /did you mean 'actorflow\/test\/Double'/);
  });

  it('names a port that does not exist with the node, the port and the ports that do', () => {
    const wf = linearWorkflow();
    wf.graphs[0].connections[1] = zealConnection('c-double-sink', 'double', 'result', 'sink', 'in');
    const [p] = problemsOf(wf);
    assert.equal(p.code, 'ZEAL_UNKNOWN_PORT');
    assert.equal(p.path, '$.graphs[0].connections[1].source.portId');
    assert.equal(p.message, "node 'double' (component test/Double) has no output port 'result'");
    assert.match(p.hint, /its output ports: out/);
  });

  it('reports every problem at once: dangling connections, bad property values, unknown subgraphs', () => {
    const wf = subgraphWorkflow();
    wf.graphs[0].nodes[0].metadata.propertyValues = { count: 'many' };
    wf.graphs[0].connections.push(zealConnection('c-x', 'emit', 'out', 'ghost', 'in'));
    wf.graphs[1].id = 'renamed';
    const problems = problemsOf(wf);
    assert.deepEqual(problems.map((p) => [p.code, p.path]), [
      ['ZEAL_DANGLING_CONNECTION', '$.graphs[0].connections[2].target.nodeId'],
      ['ZEAL_UNKNOWN_SUBGRAPH', '$.graphs[0].nodes[1].metadata.graphId'],
    ]);
    wf.graphs[0].connections.pop();
    wf.graphs[1].id = 'doubler';
    const config = problemsOf(wf);
    assert.equal(config[0].path, '$.graphs[0].nodes[0].metadata.propertyValues.count');
  });

  it('refuses Reflow\'s snake_case dialect with a hint, and non-objects', () => {
    const reflow = { id: 'r', name: 'r', graphs: [{ id: 'main', is_main: true, nodes: [{ id: 'a', template_id: 'x' }], connections: [{ id: 'c', from: { node_id: 'a', port_id: 'o' }, to: { node_id: 'a', port_id: 'i' } }] }] };
    const problems = problemsOf(reflow);
    assert.ok(problems.some((p) => p.code === 'ZEAL_INVALID_CONNECTION' && /Reflow's from\/to/.test(p.hint)));
    assert.deepEqual(problemsOf('nope').map((p) => p.code), ['ZEAL_INVALID_WORKFLOW']);
    assert.deepEqual(problemsOf({ id: 'x', graphs: [] }).map((p) => [p.code, p.path]), [['ZEAL_INVALID_WORKFLOW', '$.graphs']]);
  });

  it('refuses a subgraph that contains itself', () => {
    const wf = subgraphWorkflow();
    wf.graphs[1].nodes.push({ id: 'again', type: 'subgraph', metadata: { id: 'again', templateId: 'subgraph', type: 'subgraph', graphId: 'doubler' } });
    const problems = problemsOf(wf);
    assert.deepEqual(problems.map((p) => p.code), ['ZEAL_SUBGRAPH_CYCLE']);
    assert.match(problems[0].message, /main → doubler → doubler/);
  });
});
