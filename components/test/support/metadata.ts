// Checks that components declare the complete metadata the server lists, Zeal registers and the
// docs are generated from: description, category, icon, described ports and config properties.
import assert from 'node:assert/strict';
import type { ComponentRegistry } from '@actorflow/network';

/** Asserts complete metadata for every registered component of `category` (at least one). */
export function assertCompleteMetadata(registry: ComponentRegistry, category: string): void {
  const infos = registry.list().filter((c) => c.name.startsWith(`${category}/`));
  assert.ok(infos.length > 0, `no ${category} components registered`);
  for (const info of infos) {
    assert.ok(info.description.length > 40, `${info.name}: description`);
    assert.equal(info.category, category, `${info.name}: category`);
    assert.notEqual(info.icon, 'cog', `${info.name}: icon`);
    for (const port of [...info.inports, ...info.outports]) assert.ok(port.description, `${info.name}: port ${port.name} has no description`);
    const config = info.config as { properties?: Record<string, { description?: string; type?: unknown; enum?: unknown; anyOf?: unknown }>; additionalProperties?: unknown };
    assert.equal(config?.additionalProperties, false, `${info.name}: unknown config keys are rejected`);
    for (const [key, schema] of Object.entries(config.properties ?? {})) {
      assert.ok(schema.description, `${info.name}: config.${key} has no description`);
      assert.ok(schema.type ?? schema.enum ?? schema.anyOf, `${info.name}: config.${key} has no type`);
    }
  }
}
