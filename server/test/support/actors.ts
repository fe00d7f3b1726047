// Test actors: behaviours the core components do not have (failing, long-running, bursts).
import { defineActor, type ComponentRegistry } from '@actorflow/network';
import { createRegistry } from '../../src/registry.ts';

/** Throws on every packet; `error` outport optional. */
export const Fail = defineActor({
  name: 'test/Fail',
  inports: { in: {} },
  outports: { out: {}, error: { type: 'object' } },
  process(input) {
    throw new Error(`cannot handle ${JSON.stringify(input.in)}`);
  },
});

/** Waits until the network stops (or `ms` elapses), then forwards. */
export const Wait = defineActor({
  name: 'test/Wait',
  inports: { in: {} },
  outports: { out: {} },
  config: { type: 'object', properties: { ms: { type: 'number', default: 60_000 } } },
  async process(input, ctx) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ctx.config.ms as number);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      }, { once: true });
    });
    ctx.emit('out', input.in);
  },
});

/** Emits `count` numbered packets for each packet received. */
export const Burst = defineActor({
  name: 'test/Burst',
  inports: { in: {} },
  outports: { out: {} },
  config: { type: 'object', properties: { count: { type: 'integer', default: 100 } } },
  async process(_input, ctx) {
    for (let i = 0; i < (ctx.config.count as number); i++) {
      if (!ctx.emit('out', { i, padding: 'x'.repeat(100) })) await ctx.drained();
    }
  },
});

/** Upper-cases strings. */
export const Upper = defineActor({
  name: 'test/Upper',
  inports: { in: { type: 'string' } },
  outports: { out: { type: 'string' } },
  process(input, ctx) {
    ctx.emit('out', String(input.in).toUpperCase());
  },
});

/** The server's registry plus the test actors. */
export async function testRegistry(): Promise<ComponentRegistry> {
  const registry = await createRegistry();
  for (const def of [Fail, Wait, Burst, Upper]) registry.register(def);
  return registry;
}
