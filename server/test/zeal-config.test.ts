// The bridge's configuration: the ZEAL_* settings, their defaults and their errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComponentRegistry } from '@actorflow/network';
import { resolveZealConfig, ZealConfigError } from '../src/zeal/config.ts';
import { ZealIntegration } from '../src/zeal/integration.ts';

describe('Zeal bridge configuration', () => {
  it('is off when nothing is set: no traces, no live events, no template registration', () => {
    const config = resolveZealConfig({});
    assert.deepEqual({ restUrl: config.restUrl, zipUrl: config.zipUrl, registerTemplates: config.registerTemplates, namespace: config.namespace, workflows: config.workflows },
      { restUrl: undefined, zipUrl: undefined, registerTemplates: false, namespace: 'actorflow', workflows: [] });
    const integration = new ZealIntegration({ config, registry: new ComponentRegistry() });
    assert.equal(integration.tracing, false);
    assert.equal(integration.live, false);
  });

  it('derives the ZIP socket from ZEAL_URL: same host, port 3001, path /zip/events', () => {
    const config = resolveZealConfig({ ZEAL_URL: 'http://zeal.local:3000/' });
    assert.equal(config.restUrl, 'http://zeal.local:3000');
    assert.equal(config.zipUrl, 'http://zeal.local:3001');
    assert.equal(config.zipPath, '/zip/events');
    assert.equal(config.registerTemplates, true);
  });

  it('takes ZEAL_ZIP_URL as given, its path included, and the other settings', () => {
    const config = resolveZealConfig({ ZEAL_URL: 'https://zeal.example', ZEAL_ZIP_URL: 'https://zip.example:8443/custom/events/', ZEAL_API_KEY: ' k ', ZEAL_NAMESPACE: 'prod', ZEAL_WORKFLOWS: 'a, b,,a' });
    assert.deepEqual({ zipUrl: config.zipUrl, zipPath: config.zipPath, apiKey: config.apiKey, namespace: config.namespace, workflows: config.workflows },
      { zipUrl: 'https://zip.example:8443', zipPath: '/custom/events', apiKey: 'k', namespace: 'prod', workflows: ['a', 'b'] });
  });

  it('turns live events on without traces when only ZEAL_ZIP_URL is set', () => {
    const config = resolveZealConfig({ ZEAL_ZIP_URL: 'http://127.0.0.1:3001' });
    assert.equal(config.restUrl, undefined);
    assert.equal(config.zipUrl, 'http://127.0.0.1:3001');
  });

  it('names the bad setting and how to fix it', () => {
    assert.throws(() => resolveZealConfig({ ZEAL_URL: 'zeal:3000' }), (err: unknown) => err instanceof ZealConfigError && err.code === 'INVALID_CONFIG' && /ZEAL_URL='zeal:3000' must use http or https/.test(err.message));
    assert.throws(() => resolveZealConfig({ ZEAL_ZIP_URL: 'not a url' }), /ZEAL_ZIP_URL='not a url' is not a URL \(give a full URL, e\.g\. ZEAL_ZIP_URL=http:\/\/127\.0\.0\.1:3001\)/);
    assert.throws(() => resolveZealConfig({ ZEAL_NAMESPACE: 'my ns' }), /ZEAL_NAMESPACE='my ns' contains whitespace/);
    assert.throws(() => resolveZealConfig({}, { trace: { batchSize: 0 } }), /trace\.batchSize must be a positive integer \(got 0\)/);
  });
});
