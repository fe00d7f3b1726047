import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineActor, FLOW, Network } from '@actorflow/network';
import { graph, testRegistry } from './helpers.ts';

const registry = await testRegistry();

describe('a network run', () => {
  it('fires an await-all actor once both inputs arrived: Sum(2, 3) -> Square = 25', async () => {
    const g = graph({
      nodes: { sum: 'test/Sum', square: 'test/Square' },
      edges: ['sum.out -> square.in'],
      iips: [[2, 'sum.a'], [3, 'sum.b']],
      outports: { result: 'square.out' },
    });
    const result = await (await Network.create(g, { registry })).run();
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results, { result: [25] });
  });

  it('keeps per-node state across messages: Transform -> Filter -> Aggregator', async () => {
    const Transform = defineActor({
      name: 'case/Transform', inports: { in: { type: 'number' } }, outports: { out: { type: 'object' } },
      state: () => ({ seen: 0 }),
      process(input, ctx) {
        ctx.state.seen++;
        ctx.emit('out', { value: input.in! * 10, seq: ctx.state.seen });
      },
    });
    const Filter = defineActor({
      name: 'case/Filter', inports: { in: { type: 'object' } }, outports: { passed: {}, failed: {} },
      process(input, ctx) {
        ctx.emit(input.in!.value >= 30 ? 'passed' : 'failed', input.in);
      },
    });
    const Aggregator = defineActor({
      name: 'case/Aggregator', inports: { in: { type: 'object' } }, outports: { out: { type: 'object' } },
      state: () => ({ sum: 0, count: 0 }),
      process(input, ctx) {
        ctx.state.sum += input.in!.value;
        ctx.state.count++;
        ctx.emit('out', { sum: ctx.state.sum, count: ctx.state.count });
      },
    });
    const reg = await testRegistry();
    for (const d of [Transform, Filter, Aggregator]) reg.register(d);
    const g = graph({
      nodes: { t: 'case/Transform', f: 'case/Filter', agg: 'case/Aggregator' },
      edges: ['t.out -> f.in', 'f.passed -> agg.in'],
      iips: [[1, 't.in'], [2, 't.in'], [3, 't.in'], [4, 't.in'], [5, 't.in']],
      outports: { totals: 'agg.out', rejected: 'f.failed' },
    });
    const result = await (await Network.create(g, { registry: reg })).run();
    assert.deepEqual(result.results.totals, [{ sum: 30, count: 1 }, { sum: 70, count: 2 }, { sum: 120, count: 3 }]);
    assert.deepEqual(result.results.rejected, [{ value: 10, seq: 1 }, { value: 20, seq: 2 }]);
  });

  it('fans out: every connection from an outport gets every packet', async () => {
    const g = graph({
      nodes: { src: 'test/Source', a: 'core/Repeat', b: 'core/Repeat', c: 'core/Repeat' },
      edges: ['src.out -> a.in', 'src.out -> b.in', 'src.out -> c.in'],
      iips: [[100, 'src.count']],
      outports: { a: 'a.out', b: 'b.out', c: 'c.out' },
    });
    const result = await (await Network.create(g, { registry })).run();
    const expected = Array.from({ length: 100 }, (_, i) => i);
    assert.deepEqual(result.results, { a: expected, b: expected, c: expected });
  });

  it('delivers IIPs in graph order, before anything else, on the port they name', async () => {
    const g = graph({
      nodes: { r: 'core/Repeat' },
      iips: [['first', 'r.in'], ['second', 'r.in'], [{ third: 3 }, 'r.in'], [null, 'r.in']],
      outports: { out: 'r.out' },
    });
    const result = await (await Network.create(g, { registry })).run();
    assert.deepEqual(result.results.out, ['first', 'second', { third: 3 }, null]);
  });

  it('keeps FIFO order per connection through a long pipeline', async () => {
    const g = graph({
      nodes: { src: 'test/Source', a: 'test/AddOne', b: 'test/AddOne', c: 'test/AddOne' },
      edges: ['src.out -> a.in', 'a.out -> b.in', 'b.out -> c.in'],
      iips: [[5000, 'src.count']],
      outports: { out: 'c.out' },
    });
    const result = await (await Network.create(g, { registry })).run();
    assert.deepEqual(result.results.out, Array.from({ length: 5000 }, (_, i) => i + 3));
    assert.equal(result.stats.nodes.c.firings, 5000);
    assert.equal(result.stats.messages, 15000);
    assert.deepEqual(result.stats.connections.map((c) => [`${c.src.node}.${c.src.port}>${c.tgt.node}.${c.tgt.port}`, c.delivered, c.queued]),
      [['src.out>a.in', 5000, 0], ['a.out>b.in', 5000, 0], ['b.out>c.in', 5000, 0]]);
  });

  it('delivers run input to exported inports and completes when everything is idle', async () => {
    const g = graph({
      nodes: { src: 'test/Source', slow: ['test/Slow', { ms: 2 }] },
      edges: ['src.out -> slow.in'],
      inports: { count: 'src.count' },
      outports: { out: 'slow.out' },
    });
    const result = await (await Network.create(g, { registry })).run({ input: { count: 5 } });
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.results.out, [0, 1, 2, 3, 4]);
  });

  it('gives each node its own actor instance and state, even for the same component', async () => {
    const g = graph({
      nodes: { c1: 'core/Counter', c2: 'core/Counter' },
      iips: [['x', 'c1.in'], ['x', 'c1.in'], ['x', 'c2.in']],
      outports: { one: 'c1.count', two: 'c2.count' },
    });
    const result = await (await Network.create(g, { registry })).run();
    assert.deepEqual(result.results, { one: [1, 2], two: [1] });
  });

  it('applies config-schema defaults and node metadata as ctx.config', async () => {
    const g = graph({
      nodes: { a: 'test/AddOne', b: ['test/AddOne', { add: 10 }] },
      edges: ['a.out -> b.in'],
      iips: [[1, 'a.in']],
      outports: { out: 'b.out' },
    });
    const result = await (await Network.create(g, { registry })).run();
    assert.deepEqual(result.results.out, [12]);
  });

  it('runs a long-lived source until stopped, then reports what it emitted', async () => {
    const g = graph({ nodes: { t: ['test/Ticker', { ms: 1 }] }, outports: { ticks: 't.out' } });
    const net = await Network.create(g, { registry });
    const seen: unknown[] = [];
    net.onOutput((_port, v) => seen.push(v));
    await net.start();
    while (seen.length < 5) await new Promise((r) => setTimeout(r, 1));
    assert.equal(net.status, 'running', 'a source keeps the network alive');
    await net.stop();
    assert.equal(net.status, 'stopped');
    assert.deepEqual(net.results().ticks.slice(0, 5), [0, 1, 2, 3, 4]);
  });

  it('supports the await-all firing with sticky ports and defaults', async () => {
    const Scale = defineActor({
      name: 'case/Scale', fire: 'all',
      inports: { value: { type: 'number' }, factor: { type: 'number', sticky: true }, offset: { type: 'number', default: 100 } },
      outports: { out: { type: 'number' } },
      process(input, ctx) {
        ctx.emit('out', input.value! * input.factor! + input.offset!);
      },
    });
    const reg = await testRegistry();
    reg.register(Scale);
    const g = graph({ nodes: { s: 'case/Scale' }, iips: [[3, 's.factor'], [1, 's.value'], [2, 's.value']], outports: { out: 's.out' } });
    const result = await (await Network.create(g, { registry: reg })).run();
    assert.deepEqual(result.results.out, [103, 106]);
  });

  it('supports custom readiness: fire when two packets are queued on a port', async () => {
    const Pair = defineActor({
      name: 'case/Pair', inports: { in: {} }, outports: { out: { type: 'array' } },
      fire: (queued) => (queued.in >= 2 ? ['in'] : false),
      state: () => ({ pending: [] as unknown[] }),
      process(input, ctx) {
        ctx.state.pending.push(input.in);
        if (ctx.state.pending.length === 2) ctx.emit('out', ctx.state.pending.splice(0));
      },
    });
    const reg = await testRegistry();
    reg.register(Pair);
    const g = graph({ nodes: { p: 'case/Pair' }, iips: [[1, 'p.in'], [2, 'p.in'], [3, 'p.in']], outports: { out: 'p.out' } });
    const net = await Network.create(g, { registry: reg });
    const result = await net.run();
    assert.deepEqual(result.results.out, [[1, 2]]);
    assert.equal(result.stats.nodes.p.firings, 2);
    assert.equal(result.stats.nodes.p.queued, 1, 'the third packet waits: fewer than two queued');
  });

  it('routes addressable ports by index and emits to one slot', async () => {
    const Route = defineActor({
      name: 'case/Route', inports: { in: { type: 'integer' } }, outports: { out: { addressable: true } },
      process(input, ctx) {
        ctx.emit('out', input.in, input.in! % 2);
      },
    });
    const reg = await testRegistry();
    reg.register(Route);
    const g = graph({
      nodes: { r: 'case/Route', even: 'core/Repeat', odd: 'core/Repeat', merge: 'core/Merge' },
      edges: ['r.out[0] -> even.in', 'r.out[1] -> odd.in', 'even.out -> merge.in[0]', 'odd.out -> merge.in[1]'],
      iips: [[1, 'r.in'], [2, 'r.in'], [3, 'r.in'], [4, 'r.in']],
      outports: { even: 'even.out', odd: 'odd.out', all: 'merge.out' },
    });
    const result = await (await Network.create(g, { registry: reg })).run();
    assert.deepEqual(result.results.even, [2, 4]);
    assert.deepEqual(result.results.odd, [1, 3]);
    assert.deepEqual([...(result.results.all as number[])].sort(), [1, 2, 3, 4]);
  });

  it('carries every message type unchanged in process: binary, bigint, Date, Error, Flow', async () => {
    const values = [new Uint8Array([1, 2, 3]), 2n ** 70n, new Date(5), new Error('e'), FLOW, { nested: [1, 'x'] }];
    const g = graph({ nodes: { r: 'core/Repeat' }, iips: values.map((v) => [v, 'r.in'] as [unknown, string]), outports: { out: 'r.out' } });
    const result = await (await Network.create(g, { registry })).run();
    assert.equal(result.results.out.length, values.length);
    result.results.out.forEach((v, i) => assert.equal(v, values[i], 'the very same value, no copy'));
  });

  it('has dynamic ports computed from the node config', async () => {
    const Fields = defineActor({
      name: 'case/Fields', config: { type: 'object', properties: { fields: { type: 'array', items: { type: 'string' }, default: [] } } },
      inports: { in: { type: 'object' } },
      ports: (config) => ({ outports: Object.fromEntries((config.fields as string[]).map((f) => [f, {}])) }),
      process(input, ctx) {
        for (const f of ctx.config.fields as string[]) ctx.emit(f, input.in![f]);
      },
    });
    const reg = await testRegistry();
    reg.register(Fields);
    const g = graph({ nodes: { f: ['case/Fields', { fields: ['a', 'b'] }] }, iips: [[{ a: 1, b: 2 }, 'f.in']], outports: { a: 'f.a', b: 'f.b' } });
    const result = await (await Network.create(g, { registry: reg })).run();
    assert.deepEqual(result.results, { a: [1], b: [2] });
  });

  it('matches port names case-insensitively (graphs lower-case them) and ignores an IIP index on a plain port', async () => {
    const reg = await testRegistry();
    reg.register(defineActor({
      name: 'case/Camel', inports: { inValue: { type: 'number' } }, outports: { outValue: { type: 'number' } },
      process(input, ctx) {
        ctx.emit('outValue', input.inValue! * 2);
      },
    }));
    const g = graph({ nodes: { c: 'case/Camel' }, outports: { out: 'c.OUTVALUE' } });
    g.addInitial(21, { node: 'c', port: 'INVALUE', index: 0 });
    const result = await (await Network.create(g, { registry: reg })).run();
    assert.deepEqual(result.results.out, [42]);
  });

  it('keeps the network alive for work an actor started outside a firing (ctx.keepAlive)', async () => {
    const reg = await testRegistry();
    reg.register(defineActor({
      name: 'case/Later', inports: { in: {} }, outports: { out: {} },
      process(input, ctx) {
        void ctx.keepAlive(new Promise<void>((resolve) => setTimeout(() => {
          ctx.emit('out', input.in);
          resolve();
        }, 20)));
      },
    }));
    const result = await (await Network.create(graph({ nodes: { l: 'case/Later' }, iips: [['x', 'l.in']], outports: { out: 'l.out' } }), { registry: reg })).run();
    assert.deepEqual(result.results.out, ['x']);
  });

  it('tells an actor how many packets wait for it (ctx.queued)', async () => {
    const reg = await testRegistry();
    reg.register(defineActor({
      name: 'case/Peek', inports: { in: {}, other: {} }, outports: { out: {} },
      process(_input, ctx) {
        ctx.emit('out', [ctx.queued('in'), ctx.queued()]);
      },
    }));
    const result = await (await Network.create(graph({ nodes: { p: 'case/Peek' }, iips: [[1, 'p.in'], [2, 'p.in'], [3, 'p.other']], outports: { out: 'p.out' } }), { registry: reg })).run();
    assert.deepEqual(result.results.out, [[1, 2], [0, 1], [0, 0]]);
  });

  it("runs an actor's validate(config) when the graph is loaded", async () => {
    const reg = await testRegistry();
    reg.register(defineActor({
      name: 'case/Checked', inports: { in: {} }, config: { type: 'object', properties: { pattern: { type: 'string', default: '' } } },
      validate: (config) => (String(config.pattern).includes('(') ? { field: 'pattern', message: 'unbalanced parenthesis', hint: 'close every (' } : undefined),
      process() {},
    }));
    await assert.rejects(Network.create(graph({ nodes: { c: ['case/Checked', { pattern: 'a(' }] } }), { registry: reg }), (err: Error & { problems: { path: string; message: string; hint: string }[] }) => {
      assert.equal(err.problems[0].path, '$.processes.c.metadata.pattern');
      assert.match(err.problems[0].message, /unbalanced parenthesis/);
      assert.equal(err.problems[0].hint, 'close every (');
      return true;
    });
  });

  it('an exported outport bound to one slot of an addressable port records only that slot', async () => {
    const reg = await testRegistry();
    reg.register(defineActor({
      name: 'case/Slots', inports: { in: { type: 'integer' } }, outports: { out: { addressable: true } },
      process(input, ctx) {
        ctx.emit('out', input.in, input.in! % 2);
      },
    }));
    const g = graph({ nodes: { s: 'case/Slots' }, iips: [[1, 's.in'], [2, 's.in'], [3, 's.in']] });
    g.addOutport('odd', 's', 'out', {}, 1);
    const result = await (await Network.create(g, { registry: reg })).run();
    assert.deepEqual(result.results.odd, [1, 3]);
  });
});

