// Shared helpers for the network tests: a registry with the core and fixture actors, and a terse
// way to build graphs ("a.out -> b.in", "'data' -> b.in").
import { ComponentRegistry, registerCoreComponents } from '@actorflow/network';

export { graphOf as graph, portRef as ref, type GraphSketch as GraphSpec } from '@actorflow/network/testing';

export const FIXTURES = new URL('./fixtures/actors.ts', import.meta.url);

export async function testRegistry(): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  await registerCoreComponents(registry);
  await registry.registerModule(FIXTURES);
  return registry;
}

/** Resolves when `predicate` holds, polling each event-loop turn (fails after `ms`). */
export async function until(predicate: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setImmediate(r));
  }
}
