// The component registry the server serves and runs graphs with, composed in one place: the
// runtime's core components (core/*), the component library (@actorflow/components) and the
// script component (script/Script, @actorflow/script).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ComponentRegistry, registerCoreComponents } from '@actorflow/network';

export async function createRegistry(): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  await loadComponents(registry);
  return registry;
}

/**
 * Registers every component the server offers into `registry`. Each package loads in its own
 * turn of the event loop (and the library category by category), so a server loading them after
 * it started listening keeps answering meanwhile.
 */
export async function loadComponents(registry: ComponentRegistry): Promise<void> {
  await registerCoreComponents(registry);
  await nextTurn();
  const { registerComponents } = await import('@actorflow/components');
  await registerComponents(registry);
  const { registerScriptComponents } = await import('@actorflow/script');
  registerScriptComponents(registry);
}
