import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Network, type ComponentRegistry, type NetworkEvent } from '@actorflow/network';
import { graph, registryWith, run, runError } from './helpers.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = await registryWith('debug');
});

type ActorLogEvent = Extract<NetworkEvent, { _type: 'ActorLog' }>;

/** Runs a Log node on packets and returns the ActorLog events and what it forwarded. */
async function logs(config: Record<string, unknown>, packets: unknown[]) {
  const net = await Network.create(graph({ nodes: { s: 'core/Split', l: ['debug/Log', config] }, edges: ['s.out -> l.in'], inports: { in: 's.in' }, outports: { out: 'l.out' } }), { registry });
  const events: ActorLogEvent[] = [];
  net.events.subscribe((e) => {
    if (e._type === 'ActorLog') events.push(e);
  }, { types: ['ActorLog'] });
  const result = await net.run({ input: { in: packets } });
  await new Promise((r) => setImmediate(r));
  return { events, out: result.results.out };
}

describe('debug/Log', () => {
  it('logs each packet as an ActorLog event with a summary and forwards it', async () => {
    const { events, out } = await logs({}, [{ id: 7, tags: ['a'] }, 'hello']);
    assert.deepEqual(out, [{ id: 7, tags: ['a'] }, 'hello']);
    assert.equal(events.length, 2);
    assert.equal(events[0].actorId, 'l');
    assert.equal(events[0].level, 'info');
    assert.match(events[0].message, /^object \(\d+ B\): \{"id":7,"tags":\["a"\]\}$/);
    assert.deepEqual((events[0].data as { keys: string[] }).keys, ['id', 'tags']);
  });

  it('writes the message from a template at the chosen level, with the packet as data', async () => {
    const { events } = await logs({ level: 'warn', message: 'order ${data.id} is ${data.status}', data: 'value' }, [{ id: 1, status: 'late' }]);
    assert.equal(events[0].level, 'warn');
    assert.equal(events[0].message, 'order 1 is late');
    assert.deepEqual(events[0].data, { id: 1, status: 'late' });
  });

  it('fails the firing when the template throws', async () => {
    const result = await run(registry, { nodes: { l: ['debug/Log', { message: '${data.a.b}' }] }, inports: { in: 'l.in' } }, { in: {} }, 'failed');
    assert.match(runError(result).message, /message template: TypeError/);
  });
});

describe('debug/Inspect', () => {
  it('describes each packet on info and forwards it unchanged', async () => {
    const result = await run(registry, { nodes: { s: 'core/Split', i: ['debug/Inspect', { maxPreview: 5 }] }, edges: ['s.out -> i.in'], inports: { in: 's.in' }, outports: { info: 'i.info', out: 'i.out' } },
      { in: ['a long text', new Uint8Array(4), [1, 2, 3]] });
    assert.deepEqual(result.results.out.length, 3);
    const [text, bytes, list] = result.results.info as { type: string; length: number; preview: unknown }[];
    assert.deepEqual([text.type, text.length, text.preview], ['string', 11, 'a lon…']);
    assert.deepEqual([bytes.type, bytes.length, bytes.preview], ['bytes', 4, '<4 bytes>']);
    assert.deepEqual([list.type, list.length, list.preview], ['array', 3, '[1,2,…']);
  });
});
