// Registering the component library as Zeal templates, against the stand-in's register and
// categories routes (same zod validation as Zeal's).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineActor, type ComponentRegistry } from '@actorflow/network';
import { resolveZealConfig } from '../src/zeal/config.ts';
import { convertZealWorkflow } from '../src/zeal/converter.ts';
import { ZealIntegration } from '../src/zeal/integration.ts';
import { ZealRestClient } from '../src/zeal/rest-client.ts';
import { categoryName, registerTemplates, templateOf } from '../src/zeal/templates.ts';
import { linearWorkflow, testRegistry, ZealStandIn } from './support/zeal-standin/index.ts';
import * as schema from './support/zeal-standin/schemas.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = await testRegistry();
});

describe('a component as a Zeal template', () => {
  it('has id, type, title, category, description, icon and ports from the component', () => {
    const t = templateOf(registry.info('test/Double'));
    assert.deepEqual({ id: t.id, type: t.type, title: t.title, subtitle: t.subtitle, category: t.category, description: t.description, icon: t.icon }, {
      id: 'test/Double', type: 'actor', title: 'Double', subtitle: 'test/Double', category: 'transform', description: 'Doubles a number', icon: 'times',
    });
    assert.deepEqual(t.ports, [
      { id: 'in', label: 'in', type: 'input', position: 'left', dataType: 'number', required: true },
      { id: 'out', label: 'out', type: 'output', position: 'right', dataType: 'number' },
    ]);
    assert.deepEqual(t.runtime, { executor: 'actorflow' });
  });

  it('derives properties from the config JSON Schema: types, defaults, enums as selects, bounds, required', () => {
    assert.deepEqual(templateOf(registry.info('test/Emit')).properties, {
      count: { type: 'number', label: 'Count', description: 'How many numbers', defaultValue: 3, validation: { required: true, min: 0 } },
    });
    assert.deepEqual(templateOf(registry.info('test/FailOn')).properties, {
      failOn: { type: 'number', label: 'Fail On', defaultValue: 1 },
      mode: { type: 'select', label: 'Mode', options: ['throw', 'pass'], defaultValue: 'throw' },
    });
    const Json = defineActor({ name: 'x/Json', config: { type: 'object', properties: { rules: { type: 'array', title: 'Rules' }, on: { type: ['boolean', 'null'] } } } });
    assert.deepEqual(templateOf({ ...registry.info('test/Sink'), name: 'x/Json', config: Json.config }).properties, {
      rules: { type: 'code-editor', label: 'Rules' }, on: { type: 'boolean', label: 'On' },
    });
  });

  it('is what Zeal\'s register route validates, for every registered component', () => {
    for (const info of registry.list()) {
      const parsed = schema.nodeTemplate.safeParse(templateOf(info));
      assert.ok(parsed.success, `${info.name}: ${JSON.stringify(!parsed.success && parsed.error.errors)}`);
    }
  });

  it('uses Zeal\'s kebab-case category names', () => {
    assert.deepEqual(['Data Sources', 'flow', 'AI/Models', '', '3d'].map(categoryName), ['data-sources', 'flow', 'ai-models', 'other', 'c-3d']);
  });
});

describe('registering templates with Zeal', () => {
  let zeal: ZealStandIn;
  let client: ZealRestClient;

  before(async () => {
    zeal = await ZealStandIn.start();
    client = new ZealRestClient({ baseUrl: zeal.restUrl, timeoutMs: 2000, retry: { attempts: 2, baseMs: 10, maxMs: 50 } });
  });
  after(async () => {
    client.close();
    await zeal.close();
  });

  it('registers the categories, then every component under the namespace', async () => {
    const result = await registerTemplates(client, registry, 'actorflow');
    const total = registry.names().length;
    assert.deepEqual({ total: result.total, registered: result.registered, alreadyRegistered: result.alreadyRegistered, failed: result.failed }, { total, registered: total, alreadyRegistered: 0, failed: [] });
    assert.ok(zeal.templates.has('actorflow/test/Double'));
    assert.ok(zeal.categories.has('data-sources'));
    assert.equal(result.categories.created, zeal.categories.size);
    const paths = zeal.requests.map((r) => `${r.path} ${r.status}`);
    assert.deepEqual(paths, ['/api/zip/categories 200', '/api/zip/templates/register 200']);
  });

  it('counts Zeal\'s duplicate answer (status "error" inside a 200) as already registered', async () => {
    const result = await registerTemplates(client, registry, 'actorflow');
    assert.deepEqual({ registered: result.registered, alreadyRegistered: result.alreadyRegistered, failed: result.failed }, { registered: 0, alreadyRegistered: registry.names().length, failed: [] });
    assert.equal(result.categories.existing, zeal.categories.size);
  });

  it('makes templates whose Zeal ids convert back to the components', () => {
    const globalIds = [...zeal.templates.keys()];
    assert.ok(globalIds.includes('actorflow/test/Emit'));
    const { components } = convertZealWorkflow(linearWorkflow(), { registry, resolver: new ZealIntegration({ config: resolveZealConfig({}), registry }).resolver, namespace: 'actorflow' });
    for (const c of components) assert.ok(zeal.templates.has(`actorflow/${c}`));
  });

  it('registers at start, retries while Zeal is down, and registers components added later', async () => {
    const late = await ZealStandIn.start();
    await late.stop();
    const config = resolveZealConfig({ ZEAL_URL: late.restUrl, ZEAL_NAMESPACE: 'af' }, { trace: { attempts: 1 } });
    config.zipUrl = undefined;
    const integration = new ZealIntegration({ config, registry });
    try {
      const first = integration.nextTemplateRegistration();
      integration.start();
      assert.match((await first).error ?? '', /ZEAL_UNREACHABLE|no answer/);
      await late.restart();
      const second = await integration.nextTemplateRegistration();
      assert.equal(second.error, undefined);
      assert.equal(second.registered, registry.names().length);
      assert.ok(late.templates.has('af/test/Emit'));
      const third = integration.nextTemplateRegistration();
      registry.register(defineActor({ name: 'test/Later', category: 'flow', inports: { in: {} }, process() {} }));
      assert.deepEqual((await third).registered, 1);
      assert.ok(late.templates.has('af/test/Later'));
      assert.equal(integration.templates?.registered, registry.names().length);
    } finally {
      integration.close();
      if (registry.has('test/Later')) registry.unregister('test/Later');
      await late.close();
    }
  });
});
