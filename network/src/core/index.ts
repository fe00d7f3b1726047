// Registers the core components (core/Repeat, core/Drop, core/Output, core/Kick, core/Delay,
// core/Merge, core/Split, core/Counter). They are registered from their module, so worker threads
// can run them too.
import type { ComponentRegistry } from '../actor/registry.ts';

export async function registerCoreComponents(registry: ComponentRegistry): Promise<string[]> {
  return registry.registerModule(new URL('./components.ts', import.meta.url));
}
