import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Network, type ComponentRegistry } from '@actorflow/network';
import { assertProblem, graph, loadProblems, registryWith, run, runError } from './helpers.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = await registryWith('flow');
});

describe('flow/Merge, flow/Zip, flow/Join', () => {
  it('Merge forwards packets from every slot, tagged with their source when asked', async () => {
    const result = await run(registry, {
      nodes: { m: ['flow/Merge', { tag: true }] },
      iips: [['a', 'm.in[0]'], ['b', 'm.in[1]']],
      outports: { out: 'm.out' },
    });
    assert.deepEqual(result.results.out.sort((x: any, y: any) => x.source - y.source), [{ source: 0, value: 'a' }, { source: 1, value: 'b' }]);
  });

  it('Zip waits for one packet per slot and sends them together (array, object or merged)', async () => {
    const zip = async (config: Record<string, unknown>) => (await run(registry, {
      nodes: { a: 'core/Split', b: 'core/Split', z: ['flow/Zip', config] },
      edges: ['a.out -> z.in[0]', 'b.out -> z.in[1]'],
      inports: { a: 'a.in', b: 'b.in' },
      outports: { out: 'z.out' },
    }, { a: [{ x: 1 }, { x: 2 }], b: [{ y: 1 }, { y: 2 }, { y: 3 }] })).results.out;
    assert.deepEqual(await zip({}), [[{ x: 1 }, { y: 1 }], [{ x: 2 }, { y: 2 }]]);
    assert.deepEqual(await zip({ combine: 'object', names: ['left', 'right'] }), [{ left: { x: 1 }, right: { y: 1 } }, { left: { x: 2 }, right: { y: 2 } }]);
    assert.deepEqual(await zip({ combine: 'merge' }), [{ x: 1, y: 1 }, { x: 2, y: 2 }]);
  });

  it('Join pairs packets with the same key across slots, in any order', async () => {
    const result = await run(registry, {
      nodes: { a: 'core/Split', b: 'core/Split', j: ['flow/Join', { key: 'id', inputs: 2, combine: 'merge' }] },
      edges: ['a.out -> j.in[0]', 'b.out -> j.in[1]'],
      inports: { a: 'a.in', b: 'b.in' },
      outports: { out: 'j.out', unmatched: 'j.unmatched' },
    }, { a: [{ id: 1, name: 'ann' }, { id: 2, name: 'bob' }, { id: 3, name: 'cy' }], b: [{ id: 2, total: 20 }, { id: 1, total: 10 }] });
    assert.deepEqual(result.results.out.sort((x: any, y: any) => x.id - y.id), [{ id: 1, name: 'ann', total: 10 }, { id: 2, name: 'bob', total: 20 }]);
  });

  it('Join evicts the oldest waiting key to `unmatched` past maxPending', async () => {
    const result = await run(registry, {
      nodes: { a: 'core/Split', j: ['flow/Join', { key: 'id', inputs: 2, maxPending: 1 }] },
      edges: ['a.out -> j.in[0]'],
      inports: { a: 'a.in' },
      outports: { unmatched: 'j.unmatched' },
    }, { a: [{ id: 1 }, { id: 2 }] });
    assert.deepEqual(result.results.unmatched, [{ key: 1, values: [{ id: 1 }, undefined] }]);
  });

  it('Join fails on a packet without the key field, and rejects a config without inputs', async () => {
    const result = await run(registry, { nodes: { j: ['flow/Join', { key: 'id', inputs: 2 }] }, inports: { in: 'j.in' } }, { in: { name: 'x' } }, 'failed');
    assert.match(runError(result).message, /flow\/Join expects a packet with a text or number field 'id' on 'in', got an object \(the field is missing\)/);
    assertProblem(await loadProblems(registry, { nodes: { j: ['flow/Join', { key: 'id' }] }, inports: { in: 'j.in' } }), '$.processes.j.metadata.inputs', /is required/);
  });

  it('Zip with combine: object needs names, and merge needs objects', async () => {
    assertProblem(await loadProblems(registry, { nodes: { z: ['flow/Zip', { combine: 'object' }] }, iips: [[1, 'z.in[0]']] }), '$.processes.z.metadata.names', /is required/);
    const result = await run(registry, { nodes: { z: ['flow/Zip', { combine: 'merge' }] }, iips: [[1, 'z.in[0]'], [{ a: 1 }, 'z.in[1]']] }, {}, 'failed');
    assert.match(runError(result).message, /needs an object from every input, got a number on slot 0/);
  });
});

describe('flow/Split', () => {
  it('splits arrays into elements, text at the separator, objects into entries', async () => {
    const split = async (config: Record<string, unknown>, value: unknown) => (await run(registry, { nodes: { s: ['flow/Split', config] }, inports: { in: 's.in' }, outports: { out: 's.out' } }, { in: value })).results.out;
    assert.deepEqual(await split({}, [1, 2]), [1, 2]);
    assert.deepEqual(await split({ separator: ',', trim: true, skipEmpty: true }, 'a, b,,c '), ['a', 'b', 'c']);
    assert.deepEqual(await split({}, { a: 1, b: 2 }), [{ key: 'a', value: 1 }, { key: 'b', value: 2 }]);
  });

  it('fails on a number, naming what it accepts', async () => {
    const result = await run(registry, { nodes: { s: 'flow/Split' }, inports: { in: 's.in' } }, { in: 42 }, 'failed');
    assert.match(runError(result).message, /flow\/Split expects an array, a text or an object on 'in', got a number/);
  });
});

describe('flow/Batch and flow/Window', () => {
  it('Batch sends full batches, then the partial one after maxWaitMs, before the run ends', async () => {
    const result = await run(registry, { nodes: { s: 'core/Split', b: ['flow/Batch', { size: 3, maxWaitMs: 30 }] }, edges: ['s.out -> b.in'], inports: { in: 's.in' }, outports: { out: 'b.out' } }, { in: [1, 2, 3, 4, 5, 6, 7] });
    assert.deepEqual(result.results.out, [[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('Batch sends the partial batch when a packet arrives on flush', async () => {
    const net = await Network.create(graph({ nodes: { b: ['flow/Batch', { size: 10, maxWaitMs: 0 }] }, inports: { in: 'b.in', flush: 'b.flush' }, outports: { out: 'b.out' } }), { registry });
    const out: unknown[] = [];
    net.onOutput((_port, value) => out.push(value));
    await net.start();
    net.send('in', 'a');
    net.send('in', 'b');
    await net.whenIdle();
    assert.deepEqual(out, []);
    net.send('flush', true);
    await net.whenIdle();
    await net.stop();
    assert.deepEqual(out, [['a', 'b']]);
  });

  it('Window by count slides by step', async () => {
    const result = await run(registry, { nodes: { s: 'core/Split', w: ['flow/Window', { by: 'count', size: 3, step: 1 }] }, edges: ['s.out -> w.in'], inports: { in: 's.in' }, outports: { out: 'w.out' } }, { in: [1, 2, 3, 4, 5] });
    assert.deepEqual(result.results.out, [[1, 2, 3], [2, 3, 4], [3, 4, 5]]);
    const tumbling = await run(registry, { nodes: { s: 'core/Split', w: ['flow/Window', { by: 'count', size: 2 }] }, edges: ['s.out -> w.in'], inports: { in: 's.in' }, outports: { out: 'w.out' } }, { in: [1, 2, 3, 4, 5] });
    assert.deepEqual(tumbling.results.out, [[1, 2], [3, 4]]);
  });

  it('Window by time groups the packets of each period, and the last window goes out before the run ends', async () => {
    const net = await Network.create(graph({ nodes: { w: ['flow/Window', { by: 'time', durationMs: 40 }] }, inports: { in: 'w.in' }, outports: { out: 'w.out' } }), { registry });
    const out: unknown[][] = [];
    net.onOutput((_port, value) => out.push(value as unknown[]));
    await net.start();
    net.send('in', 1);
    net.send('in', 2);
    await net.whenIdle();
    assert.deepEqual(out, [[1, 2]]);
    net.send('in', 3);
    await net.whenIdle();
    await net.stop();
    assert.deepEqual(out, [[1, 2], [3]]);
  });

  it('works in a worker thread (node metadata thread): the components load from their module there', async () => {
    const result = await run(registry, { nodes: { s: 'core/Split', b: ['flow/Batch', { size: 2, maxWaitMs: 20, thread: 'batcher' }] }, edges: ['s.out -> b.in'], inports: { in: 's.in' }, outports: { out: 'b.out' } }, { in: [1, 2, 3] });
    assert.deepEqual(result.results.out, [[1, 2], [3]]);
  });

  it('Window requires size for count windows and durationMs for time windows', async () => {
    const problems = await loadProblems(registry, { nodes: { a: ['flow/Window', { by: 'count' }], b: ['flow/Window', { by: 'time' }], c: ['flow/Window', {}] }, inports: { a: 'a.in', b: 'b.in', c: 'c.in' } });
    assertProblem(problems, '$.processes.a.metadata.size', /is required/);
    assertProblem(problems, '$.processes.b.metadata.durationMs', /is required/);
    assertProblem(problems, '$.processes.c.metadata.by', /is required/, /count/);
  });
});
