// The OpenAPI document is valid OpenAPI 3.1, and real responses of every route match it
// (checked by an independent validator, not by the serialiser that produced them).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { startServer, type TestServer, type TestResponse } from './support/server.ts';
import { graph, upperGraph, waitGraph } from './support/graphs.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

describe('OpenAPI document', () => {
  let s: TestServer;
  let doc: any;
  let ajv: Ajv2020;
  const checked = new Set<string>();

  before(async () => {
    s = await startServer();
    doc = (await s.request('GET', '/docs/json')).body;
    ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
    ajv.addSchema(doc, 'openapi.json');
  });
  after(() => s.close());

  /** Asserts that a real response matches the documented schema of its route and status. */
  function conforms(method: string, route: string, res: TestResponse): void {
    const op = doc.paths[route]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${route} is documented`);
    assert.ok(op.responses[res.status], `${method} ${route} documents status ${res.status}`);
    const ref = `openapi.json#/paths/${pointer(route)}/${method.toLowerCase()}/responses/${res.status}/content/application~1json/schema`;
    const validate = ajv.getSchema(ref);
    assert.ok(validate, `schema for ${method} ${route} ${res.status}`);
    assert.ok(validate(res.body), `${method} ${route} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`);
    checked.add(`${method} ${route} ${res.status}`);
  }

  it('is a valid OpenAPI 3.1 document listing every route', async () => {
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    assert.equal(doc.openapi, '3.1.0');
    for (const route of ['/health', '/workflows', '/workflows/{id}', '/workflows/{id}/events', '/workflows/{id}/cancel', '/components', '/graphs/validate', '/metrics']) {
      assert.ok(doc.paths[route], `${route} is documented`);
    }
  });

  it('describes the real responses of every route, successes and errors', async () => {
    conforms('GET', '/health', await s.request('GET', '/health'));
    conforms('GET', '/components', await s.request('GET', '/components'));
    const accepted = await s.request('POST', '/workflows', { graph_json: upperGraph(), input: { text: 'a' } });
    conforms('POST', '/workflows', accepted);
    const finished = await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: 'b' }, metadata: { workflow_id: 'w', extra: { any: 1 } } });
    conforms('POST', '/workflows', finished);
    const id = finished.body.data.id;
    conforms('GET', '/workflows/{id}', await s.request('GET', `/workflows/${id}`));
    conforms('GET', '/workflows/{id}', await s.request('GET', `/workflows/${id}?include=graph,input`));
    conforms('GET', '/workflows/{id}', await s.request('GET', `/workflows/${accepted.body.data.execution_id}`));
    const failed = await s.request('POST', '/workflows?wait=true', { graph_json: graph({ f: 'test/Fail' }, [[{ n: 1n.toString() }, 'f.in', 'iip']]) });
    conforms('POST', '/workflows', failed);
    conforms('GET', '/workflows/{id}/events', await s.request('GET', `/workflows/${id}/events`));
    conforms('GET', '/workflows', await s.request('GET', '/workflows?limit=2'));
    conforms('POST', '/graphs/validate', await s.request('POST', '/graphs/validate', upperGraph()));
    conforms('POST', '/graphs/validate', await s.request('POST', '/graphs/validate', graph({ a: 'core/Nope' })));
    const waiting = (await s.request('POST', '/workflows', { graph_json: waitGraph() })).body.data.execution_id;
    conforms('POST', '/workflows/{id}/cancel', await s.request('POST', `/workflows/${waiting}/cancel`));
    conforms('POST', '/workflows/{id}/cancel', await s.request('POST', `/workflows/${waiting}/cancel`));
    conforms('POST', '/workflows', await s.request('POST', '/workflows', { graph_json: graph({ a: 'core/Nope' }) }));
    conforms('POST', '/workflows', await s.request('POST', '/workflows', '{oops'));
    conforms('GET', '/workflows/{id}', await s.request('GET', '/workflows/unknown-id'));
    conforms('POST', '/workflows', await s.request('POST', '/workflows', { graph_json: upperGraph(), metadata: { execution_id: id } }));
    assert.ok(checked.size >= 13, [...checked].join('\n'));
  });
});
