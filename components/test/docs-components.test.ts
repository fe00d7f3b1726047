import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { ComponentRegistry, Network, registerCoreComponents, resolveNodeConfig, type ActorDefinition } from '@actorflow/network';
import { DOC_PATH, exampleConfig, renderComponentsDoc } from '../scripts/gen-docs.ts';
import { registerComponents } from '../src/index.ts';

const OURS = ['flow', 'transform', 'logic', 'time', 'debug', 'zeal'];
const EXAMPLES = new URL('../../examples/', import.meta.url);

let registry: ComponentRegistry;
let library: string[];
before(async () => {
  registry = new ComponentRegistry();
  await registerCoreComponents(registry);
  library = await registerComponents(registry);
});

describe('docs/components.md', () => {
  it('is current: regenerating it from the component metadata changes nothing (run node components/scripts/gen-docs.ts)', async () => {
    assert.equal(readFileSync(DOC_PATH, 'utf8'), await renderComponentsDoc());
  });

  it('documents every component of the library', async () => {
    const doc = await renderComponentsDoc();
    for (const name of library) assert.ok(doc.includes(`### ${name}\n`), name);
  });
});

describe('component metadata', () => {
  it('every component has a description, an icon and described ports and config fields', () => {
    for (const name of library) {
      const info = registry.info(name);
      assert.ok(info.description.length > 20, `${name}: description`);
      assert.notEqual(info.icon, 'cog', `${name}: icon`);
      for (const port of [...info.inports, ...info.outports]) assert.ok(port.description, `${name}: port ${port.name} has no description`);
      const properties = ((info.config ?? {}) as { properties?: Record<string, { description?: string }> }).properties ?? {};
      for (const [field, schema] of Object.entries(properties)) {
        if (OURS.includes(info.category)) assert.ok(schema.description !== undefined, `${name}: config field ${field} has no description`);
      }
    }
  });

  it('every component of these categories has an example config, and it is valid', () => {
    for (const name of library) {
      const info = registry.info(name);
      if (!OURS.includes(info.category)) continue;
      const example = exampleConfig(info);
      const hasConfig = Object.keys(((info.config ?? {}) as { properties?: object }).properties ?? {}).length > 0;
      if (hasConfig) assert.ok(example !== undefined, `${name} has no example`);
      const { problems } = resolveNodeConfig(registry.get(name) as ActorDefinition, (example ?? {}) as Record<string, unknown>, undefined, 'example');
      assert.deepEqual(problems.map((p) => `${p.path}: ${p.message}`), [], `${name}: its example is invalid`);
    }
  });
});

describe('example graphs (examples/components-*.json)', () => {
  const files = readdirSync(EXAMPLES).filter((f) => OURS.some((c) => f === `components-${c}.json`));

  it('there is one per category', () => {
    assert.deepEqual(files.sort(), OURS.map((c) => `components-${c}.json`).sort());
  });

  for (const file of files) {
    it(`${file} runs and produces its documented output`, async () => {
      const doc = JSON.parse(readFileSync(new URL(file, EXAMPLES), 'utf8')) as { properties: { example: { input: Record<string, unknown>; output: Record<string, unknown[]> } } };
      const net = await Network.create(doc, { registry });
      const result = await net.run({ input: doc.properties.example.input, timeoutMs: 10_000 });
      assert.equal(result.status, 'completed', JSON.stringify(result.errors));
      for (const [port, expected] of Object.entries(doc.properties.example.output)) assert.deepEqual(result.results[port], expected, `${file}: ${port}`);
    });
  }
});
