// The component registry the server serves and runs graphs with, composed in one place: the
// runtime's core components (core/*), the component library (@actorflow/components) and the
// script component (script/Script, @actorflow/script).
import { ComponentRegistry, registerCoreComponents } from '@actorflow/network';
import { registerComponents } from '@actorflow/components';
import { registerScriptComponents } from '@actorflow/script';

export async function createRegistry(): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  await loadComponents(registry);
  return registry;
}

/** Registers every component the server offers into `registry`. */
export async function loadComponents(registry: ComponentRegistry): Promise<void> {
  await registerCoreComponents(registry);
  await registerComponents(registry);
  registerScriptComponents(registry);
}
