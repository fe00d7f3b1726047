import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ComponentRegistry, registerCoreComponents } from '@actorflow/network';
import { registerComponents, zealTemplateAliases, zealTemplates } from '../src/index.ts';
import { assertProblem, loadProblems, run, runError, type GraphSpec } from './helpers.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = new ComponentRegistry();
  await registerCoreComponents(registry);
  await registerComponents(registry);
});

/**
 * A one-node graph as the Zeal converter builds it from a workflow: the template's component,
 * the node's propertyValues as its config, Zeal's port ids on the edges.
 */
function zealNode(templateId: string, propertyValues: Record<string, unknown>, inputs: Record<string, string>, outputs: string[]): GraphSpec {
  return {
    nodes: { node: [zealTemplateAliases[templateId], propertyValues] },
    inports: Object.fromEntries(Object.entries(inputs).map(([name, port]) => [name, `node.${port}`])),
    outports: Object.fromEntries(outputs.map((port) => [port, `node.${port}`])),
  };
}

describe('Zeal template aliases', () => {
  it('map every Reflow template id to a registered component', () => {
    for (const id of ['tpl_if_branch', 'tpl_switch', 'tpl_loop', 'tpl_data_transformer', 'tpl_data_operations', 'tpl_rules_engine', 'tpl_javascript_script', 'tpl_python_script', 'tpl_http_request', 'tpl_sql_script', 'tpl_postgresql', 'tpl_mysql']) {
      assert.ok(registry.has(zealTemplateAliases[id]), `${id} → ${zealTemplateAliases[id]}`);
      assert.equal(zealTemplates[id].component, zealTemplateAliases[id]);
    }
  });

  it('carry the template port ids', () => {
    const ports = (id: string) => registry.info(zealTemplateAliases[id]);
    assert.deepEqual(ports('tpl_if_branch').outports.map((p) => p.name), ['true-out', 'false-out']);
    assert.deepEqual(ports('tpl_loop').inports.map((p) => p.name), ['items-in', 'collection']);
    assert.ok(ports('tpl_data_transformer').outports.some((p) => p.name === 'errors-out'));
  });
});

describe('logic and data templates', () => {
  it('tpl_if_branch routes by Zeal decisionRules (with rule and group ids) to true-out / false-out', async () => {
    const decisionRules = { id: 'rs1', type: 'IF', groups: [{ id: 'g1', connector: 'AND', rules: [{ id: 'r1', field: 'price', operator: 'greater_than', value: '100', valueType: 'number' }] }] };
    const result = await run(registry, zealNode('tpl_if_branch', { decisionRules }, { in: 'input-in' }, ['true-out', 'false-out']), { in: { price: 150 } });
    assert.deepEqual(result.results['true-out'], [{ price: 150 }]);
    const reflow = await run(registry, zealNode('tpl_if_branch', { condition_type: 'equals', condition_field: 'status', condition_value: 'ok' }, { in: 'data' }, ['true-out', 'false-out']), { in: { status: 'no' } });
    assert.deepEqual(reflow.results['false-out'], [{ status: 'no' }]);
  });

  it('tpl_switch routes by switchField to case1-out … default-out', async () => {
    const spec = zealNode('tpl_switch', { switchField: 'status', case1Value: 'active', case3Value: 'inactive', caseSensitive: false }, { in: 'input-in' }, ['case1-out', 'case2-out', 'case3-out', 'default-out']);
    const out = async (status: string) => Object.entries((await run(registry, spec, { in: { status } })).results).filter(([, v]) => v.length > 0).map(([k]) => k);
    assert.deepEqual(await out('ACTIVE'), ['case1-out']);
    assert.deepEqual(await out('inactive'), ['case3-out']);
    assert.deepEqual(await out('pending'), ['default-out']);
  });

  it('tpl_loop sends item-out and index-out per item, then done-out', async () => {
    const result = await run(registry, zealNode('tpl_loop', { loopType: 'for-each', breakCondition: "item === 'stop'" }, { in: 'items-in' }, ['item-out', 'index-out', 'done-out']), { in: ['a', 'b', 'stop', 'c'] });
    assert.deepEqual(result.results['item-out'], ['a', 'b']);
    assert.deepEqual(result.results['index-out'], [0, 1]);
    assert.deepEqual(result.results['done-out'], [{ count: 2, total: 4, stopped: true }]);
  });

  it('tpl_data_transformer runs Zeal dataOperations: mapping, filter, sort, aggregate', async () => {
    const dataOperations = [{
      id: 'set1', name: 'pipeline', operations: [
        { id: 'o1', type: 'filter', enabled: true, filterExpression: "item.status === 'active'" },
        { id: 'o2', type: 'map', enabled: true, mapping: [{ sourceField: 'first_name', targetField: 'name' }, { sourceField: 'salary', targetField: 'monthly', transform: 'Math.round(data.salary / 12)' }] },
        { id: 'o3', type: 'sort', enabled: true, sortField: 'salary', sortDirection: 'desc' },
        { id: 'o4', type: 'filter', enabled: false, filterExpression: 'false' },
      ],
    }];
    const people = [{ first_name: 'ann', salary: 1200, status: 'active' }, { first_name: 'bob', salary: 2400, status: 'active' }, { first_name: 'cy', salary: 9999, status: 'gone' }];
    const result = await run(registry, zealNode('tpl_data_transformer', { dataOperations }, { in: 'data-in' }, ['transformed-out']), { in: people });
    assert.deepEqual(result.results['transformed-out'], [[
      { first_name: 'bob', salary: 2400, status: 'active', name: 'bob', monthly: 200 },
      { first_name: 'ann', salary: 1200, status: 'active', name: 'ann', monthly: 100 },
    ]]);
    const sum = await run(registry, zealNode('tpl_data_transformer', { dataOperations: [{ operations: [{ type: 'aggregate', aggregateField: 'salary', aggregateFunction: 'sum' }] }] }, { in: 'data-in' }, ['transformed-out']), { in: people });
    assert.deepEqual(sum.results['transformed-out'], [{ sum: 13599 }]);
  });

  it("tpl_data_transformer also runs Reflow's single transform_type step", async () => {
    const step = async (values: Record<string, unknown>, input: unknown) => (await run(registry, zealNode('tpl_data_transformer', values, { in: 'input' }, ['output']), { in: input })).results.output[0];
    assert.equal(await step({ transform_type: 'to_uppercase' }, 'abc'), 'ABC');
    assert.equal(await step({ transform_type: 'extract_field', field_name: 'a' }, { a: 7 }), 7);
    assert.deepEqual(await step({ transform_type: 'set_field', field: 'b', value: 2 }, { a: 1 }), { a: 1, b: 2 });
    assert.equal(await step({ transform_type: 'template', template: 'got ${value}!' }, { n: 1 }), 'got {"n":1}!');
    assert.deepEqual(await step({ transform_type: 'from_json' }, '[1]'), [1]);
  });

  it('tpl_data_transformer sends failures to errors-out when it is connected', async () => {
    const spec = zealNode('tpl_data_transformer', { dataOperations: [{ operations: [{ type: 'filter', filterExpression: 'item.a.b' }] }] }, { in: 'data-in' }, ['transformed-out', 'errors-out']);
    const result = await run(registry, spec, { in: [{}] });
    const [error] = result.results['errors-out'] as { message: string; actorId: string }[];
    assert.match(error.message, /operation 1 \(filter\), item 0: TypeError/);
    assert.equal(error.actorId, 'node');
  });

  it('tpl_rules_engine applies setProperty / setOutput actions on a match', async () => {
    const rules = { type: 'IF', groups: [{ connector: 'AND', rules: [{ field: 'score', operator: 'between', value: [50, 100] }] }], actions: { setProperty: [{ key: 'grade', value: 'pass' }], setOutput: [{ port: 'notify', value: 'passed' }] } };
    const result = await run(registry, zealNode('tpl_rules_engine', { rules }, { in: 'data' }, ['matched', 'unmatched', 'notify']), { in: { score: 70 } });
    assert.deepEqual(result.results.matched, [{ score: 70, grade: 'pass' }]);
    assert.deepEqual(result.results.notify, ['passed']);
  });

  it('rejects property values outside the template when the graph is loaded', async () => {
    const problems = await loadProblems(registry, {
      nodes: { l: ['zeal/Loop', { loopType: 'while' }], s: ['zeal/Switch', { switchFeild: 'x' }] },
      inports: { a: 'l.items-in', b: 's.input-in' },
    });
    assertProblem(problems, '$.processes.l.metadata.loopType', /allowed values/, /"for-each"/);
    assertProblem(problems, '$.processes.s.metadata.switchFeild', /is not allowed/, /switchField/);
  });
});

describe('script templates', () => {
  it('tpl_javascript_script runs a function body that returns, or a Reflow expression, and sends the result', async () => {
    const body = await run(registry, zealNode('tpl_javascript_script', { script: 'const items = imports.data || [];\nreturn items.map((n) => n * 2);' }, { in: 'data-in' }, ['result-out']), { in: [1, 2] });
    assert.deepEqual(body.results['result-out'], [[2, 4]]);
    const expression = await run(registry, zealNode('tpl_javascript_script', { script: 'input.a + input.b' }, { in: 'input' }, ['output']), { in: { a: 1, b: 2 } });
    assert.deepEqual(expression.results.output, [3]);
  });

  it('tpl_javascript_script sends script errors to error-out, with the script line', async () => {
    const result = await run(registry, zealNode('tpl_javascript_script', { script: 'const x = 1;\nthrow new Error("bad input " + x);' }, { in: 'data-in' }, ['result-out', 'error-out']), { in: 1 });
    const [error] = result.results['error-out'] as { message: string }[];
    assert.match(error.message, /bad input 1.*:2:/);
  });

  it('tpl_python_script runs the script in the sandboxed Python host', async () => {
    const result = await run(registry, zealNode('tpl_python_script', { script: 'total = sum(data)\nreturn {"total": total, "n": len(data)}' }, { in: 'data-in' }, ['result-out']), { in: [1, 2, 3] });
    assert.deepEqual(result.results['result-out'], [{ total: 6, n: 3 }]);
  });
});

describe('integration templates', () => {
  let server: Server;
  let url: string;
  let dir: string;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, body: body ? JSON.parse(body) as unknown : null }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/echo`;
    dir = mkdtempSync(join(tmpdir(), 'actorflow-tpl-'));
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('tpl_http_request sends the packet and emits the response on response_out (Zeal id response-out)', async () => {
    const spec = zealNode('tpl_http_request', { url, method: 'POST', timeout: 2000, retryCount: 0, allowAddresses: ['127.0.0.1'] }, { in: 'data_in' }, ['response_out']);
    const result = await run(registry, spec, { in: { hello: 'zeal' } });
    const [response] = result.results.response_out as { status: number; body: unknown }[];
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { method: 'POST', body: { hello: 'zeal' } });
  });

  it('tpl_sql_script executes its query with bound :name parameters (SQLite here)', async () => {
    const path = join(dir, 'zeal.db');
    const setup = { engine: 'sqlite', path, query: 'CREATE TABLE IF NOT EXISTS t (name TEXT); INSERT INTO t (name) VALUES (:name)' };
    await run(registry, zealNode('tpl_sql_script', setup, { in: 'params_in' }, []), { in: { name: "o'brien" } });
    const result = await run(registry, zealNode('tpl_sql_script', { engine: 'sqlite', path, query: 'SELECT name FROM t', output: 'rows' }, { in: 'params_in' }, ['result_out']), { in: {} });
    assert.deepEqual(result.results.result_out, [[{ name: "o'brien" }]]);
  });

  it('tpl_sql_script needs a query', async () => {
    const problems = await loadProblems(registry, { nodes: { q: ['zeal/SqlScript', { engine: 'sqlite' }] }, inports: { in: 'q.params_in' } });
    assertProblem(problems, '$.processes.q.metadata', /must match a schema in anyOf/, /query/);
  });

  it('fails a run when the SQL is wrong and error_out is not connected', async () => {
    const result = await run(registry, zealNode('tpl_sql_script', { engine: 'sqlite', path: join(dir, 'x.db'), query: 'SELEKT 1' }, { in: 'params_in' }, []), { in: {} }, 'failed');
    assert.match(runError(result).message, /syntax error/i);
  });
});
