// Components for the graph tests (validation, analysis, documents): small but with every kind of
// port a graph can get wrong — typed, required, addressable, dynamic, and a subgraph.
import { defineActor } from '../src/actor/define.ts';
import { ComponentRegistry } from '../src/actor/registry.ts';
import { Graph } from '../src/graph/graph.ts';

export const Repeat = defineActor({
  name: 'core/Repeat', inports: { in: {} }, outports: { out: {} },
  process(input, ctx) {
    ctx.emit('out', input.in);
  },
});

export const Double = defineActor({
  name: 'math/Double',
  inports: { in: { type: 'number', required: true } },
  outports: { out: { type: 'number' } },
  config: { type: 'object', properties: { factor: { type: 'number', default: 2 } } },
  process(input, ctx) {
    ctx.emit('out', input.in! * (ctx.config.factor as number));
  },
});

export const Upper = defineActor({
  name: 'text/Upper', inports: { in: { type: 'string' } }, outports: { out: { type: 'string' } },
  process(input, ctx) {
    ctx.emit('out', input.in!.toUpperCase());
  },
});

export const Counter = defineActor({
  name: 'gen/Counter',
  outports: { out: { type: 'integer' } },
  config: { type: 'object', properties: { start: { type: 'integer', default: 0, description: 'first value' } } },
  async run(ctx) {
    ctx.emit('out', ctx.config.start as number);
    await ctx.drained();
  },
});

export const Merge = defineActor({
  name: 'core/Merge', inports: { in: { addressable: true } }, outports: { out: {} },
  process(input, ctx) {
    ctx.emit('out', input.in);
  },
});

export const Fetch = defineActor({
  name: 'net/Fetch',
  inports: { url: { type: 'string', required: true } },
  outports: { out: { type: 'object' }, error: { type: 'object' } },
  process() {},
});

/** Ports from config: `{ inputs: [...], outputs: [...] }`, as script actors do. */
export const Script = defineActor({
  name: 'script/Js',
  config: { type: 'object', properties: { inputs: { type: 'array', items: { type: 'string' }, default: ['in'] }, outputs: { type: 'array', items: { type: 'string' }, default: ['out'] } } },
  ports(config) {
    const names = (list: unknown) => Object.fromEntries((list as string[]).map((n) => [n, {}]));
    return { inports: names(config.inputs), outports: names(config.outputs) };
  },
  process() {},
});

/** `sub/Doubler`: exports `value` (math/Double's number inport) and `result`. */
export function doublerGraph(): Graph {
  const g = new Graph({ name: 'doubler' });
  g.addNode('d', 'math/Double');
  g.addInport('value', 'd', 'in');
  g.addOutport('result', 'd', 'out');
  return g;
}

export function graphRegistry(): ComponentRegistry {
  const registry = new ComponentRegistry();
  for (const def of [Repeat, Double, Upper, Counter, Merge, Fetch, Script]) registry.register(def);
  registry.registerGraph('sub/Doubler', doublerGraph());
  return registry;
}
