// The component registry the server serves and runs graphs with, composed in one place: the
// runtime's core components, then (as those packages land) the component library and the
// script components.
import { ComponentRegistry, registerCoreComponents } from '@actorflow/network';

export async function createRegistry(): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  await registerCoreComponents(registry);
  return registry;
}
