// Test material for the Zeal bridge: a registry with small real actors, and Zeal workflow
// documents in Zeal's own serialized form (§5: graphs[], nodes {id, type, position, metadata},
// connections {id, source, target}).
import { ComponentRegistry, defineActor, registerCoreComponents } from '@actorflow/network';
import type { ZealConnection, ZealGraph, ZealNode, ZealWorkflow } from '../../../src/zeal/wire.ts';

/** Emits 0..count-1 on `out`, then ends. */
export const Emit = defineActor({
  name: 'test/Emit',
  description: 'Emits the numbers 0..count-1',
  category: 'Data Sources',
  icon: 'play',
  outports: { out: { type: 'integer', description: 'The numbers' } },
  config: { type: 'object', properties: { count: { type: 'integer', minimum: 0, default: 3, description: 'How many numbers' } }, required: ['count'] },
  async run(ctx) {
    for (let i = 0; i < (ctx.config.count as number); i++) {
      if (!ctx.emit('out', i)) await ctx.drained();
    }
  },
});

/** Doubles numbers. */
export const Double = defineActor({
  name: 'test/Double',
  description: 'Doubles a number',
  category: 'transform',
  icon: 'times',
  inports: { in: { type: 'number', required: true } },
  outports: { out: { type: 'number' } },
  process(input, ctx) {
    ctx.emit('out', (input.in as number) * 2);
  },
});

/** Fails on one value, forwards the others. */
export const FailOn = defineActor({
  name: 'test/FailOn',
  description: 'Throws on the configured value',
  category: 'transform',
  inports: { in: { type: 'number' } },
  outports: { out: { type: 'number' }, error: { type: 'object' } },
  config: { type: 'object', properties: { failOn: { type: 'number', default: 1 }, mode: { enum: ['throw', 'pass'], default: 'throw' } } },
  process(input, ctx) {
    if (input.in === ctx.config.failOn) throw Object.assign(new Error(`boom on ${String(input.in)}`), { code: 'BOOM' });
    ctx.emit('out', input.in as number);
  },
});

/** Writes `chunks` chunks of `size` bytes as a byte stream on `bytes` for each packet. */
export const Bytes = defineActor({
  name: 'test/Bytes',
  description: 'Streams bytes',
  category: 'media',
  inports: { in: {} },
  outports: { bytes: { type: 'binary' } },
  config: { type: 'object', properties: { chunks: { type: 'integer', default: 3 }, size: { type: 'integer', default: 4 } } },
  async process(_input, ctx) {
    const stream = ctx.stream('bytes', { contentType: 'application/octet-stream', name: 'test-bytes' });
    for (let i = 0; i < (ctx.config.chunks as number); i++) {
      if (!stream.write(new Uint8Array(ctx.config.size as number).fill(i + 1))) await ctx.drained();
    }
    stream.end();
  },
});

/** Logs every packet at info level (a chatty node: one ActorLog event per message). */
export const Chatty = defineActor({
  name: 'test/Chatty',
  description: 'Logs what passes',
  category: 'flow',
  inports: { in: {} },
  outports: { out: {} },
  process(input, ctx) {
    ctx.log.info(`got ${String(input.in)}`, { value: input.in });
    ctx.emit('out', input.in);
  },
});

/** Counts what arrives (a sink). */
export const Sink = defineActor({
  name: 'test/Sink',
  description: 'Swallows packets',
  category: 'flow',
  inports: { in: { addressable: false } },
  process() {},
});

/** Core components plus the test actors above. */
export async function testRegistry(): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  await registerCoreComponents(registry);
  for (const def of [Emit, Double, FailOn, Bytes, Chatty, Sink]) registry.register(def);
  return registry;
}

/** A palette node as Zeal serializes it (template `<ns>/<component>`). */
export function zealNode(id: string, component: string, options: { ns?: string; values?: Record<string, unknown>; ports?: { id: string; type: 'input' | 'output'; label?: string }[]; extra?: Record<string, unknown> } = {}): ZealNode {
  const templateId = `${options.ns ?? 'actorflow'}/${component}`;
  return {
    id, type: templateId, position: { x: 100, y: 100 },
    metadata: {
      id, templateId, type: templateId, title: component.split('/').pop(), icon: 'box', variant: 'gray-700', shape: 'rectangle', size: 'medium',
      ports: (options.ports ?? []).map((p) => ({ id: p.id, label: p.label ?? p.id, type: p.type, position: p.type === 'input' ? 'left' : 'right' })),
      properties: [], propertyValues: options.values ?? {}, ...options.extra,
    },
  };
}

export function zealConnection(id: string, from: string, fromPort: string, to: string, toPort: string): ZealConnection {
  return { id, source: { nodeId: from, portId: fromPort }, target: { nodeId: to, portId: toPort }, state: 'pending' };
}

export function zealGraph(id: string, nodes: ZealNode[], connections: ZealConnection[], isMain = id === 'main'): ZealGraph {
  return { id, name: isMain ? 'Main' : id, namespace: `Workflow/${id}`, isMain, nodes, connections, groups: [] };
}

/** emit (count) → double → sink: connections `c-emit-double`, `c-double-sink`. */
export function linearWorkflow(id = 'wf-linear', count = 3): ZealWorkflow {
  return {
    id, name: 'Linear', description: 'emit → double → sink', activeGraphId: 'main', version: 1,
    graphs: [zealGraph('main', [
      zealNode('emit', 'test/Emit', { values: { count } }),
      zealNode('double', 'test/Double'),
      zealNode('sink', 'test/Sink'),
    ], [
      zealConnection('c-emit-double', 'emit', 'out', 'double', 'in'),
      zealConnection('c-double-sink', 'double', 'out', 'sink', 'in'),
    ])],
  };
}

/** The linear workflow with `double` moved into a subgraph reached through graph_input/graph_output. */
export function subgraphWorkflow(id = 'wf-sub'): ZealWorkflow {
  const subNode: ZealNode = {
    id: 'sub', type: 'subgraph', position: { x: 0, y: 0 },
    metadata: { id: 'sub', templateId: 'subgraph', type: 'subgraph', title: 'Doubler', graphId: 'doubler', graphNamespace: 'Workflow/doubler', graphName: 'doubler', ports: [{ id: 'input', label: 'input', type: 'input' }, { id: 'output', label: 'output', type: 'output' }] },
  };
  const graphIo = (nodeId: string, template: 'graph_input' | 'graph_output', name: string): ZealNode => ({
    id: nodeId, type: 'graph-io', position: { x: 0, y: 0 },
    metadata: { id: nodeId, templateId: template, type: 'graph-io', title: name, propertyValues: template === 'graph_input' ? { inputName: name } : { outputName: name } },
  });
  return {
    id, name: 'With subgraph', graphs: [
      zealGraph('main', [zealNode('emit', 'test/Emit', { values: { count: 2 } }), subNode, zealNode('sink', 'test/Sink')], [
        zealConnection('c-main-1', 'emit', 'out', 'sub', 'input'),
        zealConnection('c-main-2', 'sub', 'output', 'sink', 'in'),
      ]),
      zealGraph('doubler', [graphIo('gin', 'graph_input', 'input'), zealNode('double', 'test/Double'), graphIo('gout', 'graph_output', 'output')], [
        zealConnection('c-sub-1', 'gin', 'data', 'double', 'in'),
        zealConnection('c-sub-2', 'double', 'out', 'gout', 'data'),
      ], false),
    ],
  };
}
