import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ComponentRegistry } from '@actorflow/network';
import { assertProblem, loadProblems, nodeFailure, registryWith, run, runNode } from './helpers.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = await registryWith('transform');
});

const apply = (component: string, config: Record<string, unknown>, packet: unknown, outs?: string[]) => runNode(registry, component, config, packet, outs);
const failure = (component: string, config: Record<string, unknown>, packet: unknown) => nodeFailure(registry, component, config, packet);

describe('transform/Transform', () => {
  it('extracts, sets, deletes and renames fields without changing the input', async () => {
    const input = { user: { first: 'ada', last: 'lovelace' }, tmp: 1 };
    const out = await apply('transform/Transform', {
      operations: [
        { op: 'set', path: 'user.active', value: true },
        { op: 'delete', path: 'tmp' },
        { op: 'rename', path: 'user.first', to: 'user.given' },
        { op: 'case', path: 'user.last', to: 'title' },
      ],
    }, input);
    assert.deepEqual(out.out, [{ user: { given: 'ada', last: 'Lovelace', active: true } }]);
    assert.deepEqual((await apply('transform/Transform', { operations: [{ op: 'extract', path: 'user.last' }, { op: 'case', to: 'upper' }] }, input)).out, ['LOVELACE']);
  });

  it('parses and writes JSON, whole or in a field', async () => {
    assert.deepEqual((await apply('transform/Transform', { operations: [{ op: 'parseJson' }] }, '{"a":[1,2]}')).out, [{ a: [1, 2] }]);
    assert.deepEqual((await apply('transform/Transform', { operations: [{ op: 'parseJson', path: 'body' }, { op: 'extract', path: 'body.a[1]' }] }, { body: '{"a":[1,2]}' })).out, [2]);
    assert.deepEqual((await apply('transform/Transform', { operations: [{ op: 'stringifyJson', path: 'v' }] }, { v: { x: 1 } })).out, [{ v: '{"x":1}' }]);
  });

  it('fills in templates over `data`', async () => {
    const out = await apply('transform/Transform', { operations: [{ op: 'template', template: 'Hello ${data.name}, you owe ${data.total.toFixed(2)}' }] }, { name: 'Ada', total: 3.5 });
    assert.deepEqual(out.out, ['Hello Ada, you owe 3.50']);
    const set = await apply('transform/Transform', { operations: [{ op: 'set', path: 'greeting', template: 'hi ${data.name}' }] }, { name: 'Bo' });
    assert.deepEqual(set.out, [{ name: 'Bo', greeting: 'hi Bo' }]);
  });

  it('fails precisely on bad input: invalid JSON, case on a number, a missing field', async () => {
    assert.match((await failure('transform/Transform', { operations: [{ op: 'parseJson' }] }, '{oops')).message, /step 1 \(parseJson\): not valid JSON/);
    assert.match((await failure('transform/Transform', { operations: [{ op: 'case', to: 'upper' }] }, 12)).message, /step 1 \(case\) expects a text, got a number/);
    assert.match((await failure('transform/Transform', { operations: [{ op: 'case', to: 'upper', path: 'name' }] }, {})).message, /the packet has no field 'name'/);
  });

  it('rejects unknown steps and missing step fields when the graph is loaded', async () => {
    const problems = await loadProblems(registry, {
      nodes: { a: ['transform/Transform', { operations: [{ op: 'explode' }] }], b: ['transform/Transform', { operations: [{ op: 'rename', path: 'x' }] }] },
      inports: { a: 'a.in', b: 'b.in' },
    });
    assertProblem(problems, '$.processes.a.metadata.operations[0].op', /must be equal to one of the allowed values/, /extract/);
    assertProblem(problems, '$.processes.b.metadata.operations[0].to', /is required/);
  });
});

describe('transform/Operations', () => {
  const people = [
    { name: 'ann', dept: 'eng', salary: 100, age: 30 },
    { name: 'bob', dept: 'ops', salary: 80, age: 45 },
    { name: 'cy', dept: 'eng', salary: 120, age: 25 },
  ];

  it('maps, filters and sorts with expressions over item, index and data', async () => {
    const out = await apply('transform/Operations', {
      operations: [
        { type: 'filter', expression: "item.dept === 'eng'" },
        { type: 'map', set: { rank: 'index + 1', share: 'item.salary / data.length' } },
        { type: 'sort', field: 'age', direction: 'asc' },
        { type: 'map', expression: '({ name: item.name.toUpperCase(), rank: item.rank })' },
      ],
    }, people);
    assert.deepEqual(out.out, [[{ name: 'CY', rank: 2 }, { name: 'ANN', rank: 1 }]]);
  });

  it('groups, then aggregates each group', async () => {
    const out = await apply('transform/Operations', { operations: [{ type: 'group', field: 'dept' }, { type: 'aggregate', function: 'avg', field: 'salary' }] }, people);
    assert.deepEqual(out.out, [{ eng: 110, ops: 80 }]);
    const count = await apply('transform/Operations', { operations: [{ type: 'aggregate', function: 'count' }] }, people);
    assert.deepEqual(count.out, [3]);
  });

  it('transforms the whole value, merges objects, skips disabled operations, and splits at the end', async () => {
    const merged = await apply('transform/Operations', { operations: [{ type: 'merge' }, { type: 'transform', expression: 'Object.keys(data).length' }, { type: 'transform', expression: 'data * 100', enabled: false }] }, [{ a: 1 }, { b: 2 }, { a: 3 }]);
    assert.deepEqual(merged.out, [2]);
    const split = await apply('transform/Operations', { operations: [{ type: 'sort', expression: '-item.salary' }, { type: 'split' }] }, people);
    assert.deepEqual(split.out.map((p: any) => p.name), ['cy', 'ann', 'bob']);
  });

  it('fails precisely: a non-array input, a throwing expression (with the item), non-numeric sums', async () => {
    assert.match((await failure('transform/Operations', { operations: [{ type: 'filter', expression: 'item' }] }, { a: 1 })).message, /operation 1 \(filter\) works on an array, got an object/);
    assert.match((await failure('transform/Operations', { operations: [{ type: 'map', expression: 'item.a.b' }] }, [{ a: {} }, {}])).message, /operation 1 \(map\), item 1: TypeError/);
    assert.match((await failure('transform/Operations', { operations: [{ type: 'aggregate', function: 'sum', field: 'v' }] }, [{ v: 1 }, { v: 'x' }])).message, /sum needs numbers, item 1 gives a string/);
  });

  it('rejects unknown operation types when the graph is loaded, and a sort without a key when it starts', async () => {
    assertProblem(await loadProblems(registry, { nodes: { n: ['transform/Operations', { operations: [{ type: 'explode' }] }] }, inports: { in: 'n.in' } }), '$.processes.n.metadata.operations[0].type', /allowed values/);
    assert.match((await failure('transform/Operations', { operations: [{ type: 'sort' }] }, [])).message, /config field 'operations\[0\]': sort needs a field or an expression/);
    assert.match((await failure('transform/Operations', { operations: [{ type: 'split' }, { type: 'merge' }] }, [])).message, /no operation may follow a split/);
  });
});

describe('transform/Map and transform/Filter', () => {
  it('Map replaces each packet by its expression; Filter routes by its condition', async () => {
    assert.deepEqual((await apply('transform/Map', { expression: '({ ...data, total: data.price * data.qty })' }, { price: 2, qty: 3 })).out, [{ price: 2, qty: 3, total: 6 }]);
    assert.deepEqual((await apply('transform/Filter', { expression: 'data > 10' }, 5, ['out', 'rejected'])).rejected, [5]);
  });

  it('sends a failing packet to the error port when it is connected, and goes on with the next', async () => {
    const result = await run(registry, { nodes: { s: 'core/Split', n: ['transform/Map', { expression: 'data.a.b' }] }, edges: ['s.out -> n.in'], inports: { in: 's.in' }, outports: { out: 'n.out', error: 'n.error' } },
      { in: [{ a: { b: 1 } }, {}, { a: { b: 3 } }] });
    assert.deepEqual(result.results.out, [1, 3]);
    const [error] = result.results.error as { message: string; actorId: string; input: unknown }[];
    assert.match(error.message, /expression 'data\.a\.b': TypeError/);
    assert.deepEqual([error.actorId, error.input], ['n', { in: {} }]);
  });

  it('Map and Filter call a function expression with the packet', async () => {
    assert.deepEqual((await apply('transform/Map', { expression: 'x => x * 2' }, 21)).out, [42]);
    assert.deepEqual((await apply('transform/Filter', { expression: 'x => x > 0' }, 5)).out, [5]);
  });

  it('Map reports an unknown name with the expression', async () => {
    assert.match((await failure('transform/Map', { expression: 'nope + 1' }, 1)).message, /expression 'nope \+ 1': ReferenceError/);
  });
});

describe('transform/Validate', () => {
  const schema = { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, email: { type: 'string', format: 'email' } } };

  it('routes valid packets to valid and invalid ones to invalid with every problem', async () => {
    const out = await apply('transform/Validate', { schema }, { id: 'x', email: 'nope' }, ['valid', 'invalid']);
    assert.equal(out.valid.length, 0);
    const { value, problems } = out.invalid[0] as { value: unknown; problems: { path: string }[] };
    assert.deepEqual(value, { id: 'x', email: 'nope' });
    assert.deepEqual(problems.map((p) => p.path).sort(), ['$.email', '$.id']);
    assert.deepEqual((await apply('transform/Validate', { schema }, { id: 1 }, ['valid'])).valid, [{ id: 1 }]);
  });

  it('fails the firing with onInvalid: error, and refuses a broken schema', async () => {
    const error = await failure('transform/Validate', { schema, onInvalid: 'error' }, {});
    assert.equal(error.code, 'INVALID_MESSAGE');
    assert.match(error.message, /\$\.id: packet field 'id' is required/);
    assert.match((await failure('transform/Validate', { schema: { type: 'strin' } }, {})).message, /config field 'schema'/);
  });
});

describe('transform/CsvParse and transform/CsvFormat', () => {
  it('parses CSV with a header into objects (numbers cast on request) and writes it back', async () => {
    const csv = 'name,qty\n"Smith, J",3\nAda,10\n';
    const parsed = (await apply('transform/CsvParse', { cast: true }, csv)).out[0];
    assert.deepEqual(parsed, [{ name: 'Smith, J', qty: 3 }, { name: 'Ada', qty: 10 }]);
    assert.deepEqual((await apply('transform/CsvFormat', {}, parsed)).out, [csv]);
  });

  it('parses bytes, other delimiters, rows as arrays, and one record per packet', async () => {
    const bytes = new TextEncoder().encode('a;b\n1;2\n');
    assert.deepEqual((await apply('transform/CsvParse', { delimiter: ';', columns: false }, bytes)).out, [[['a', 'b'], ['1', '2']]]);
    assert.deepEqual((await apply('transform/CsvParse', { columns: ['x', 'y'], each: true }, '1,2\n3,4')).out, [{ x: '1', y: '2' }, { x: '3', y: '4' }]);
  });

  it('reports the line of malformed CSV, and refuses non-records', async () => {
    assert.match((await failure('transform/CsvParse', {}, 'a,b\n1,2,3\n')).message, /cannot be parsed \(line 2\)/);
    assert.match((await failure('transform/CsvParse', {}, 42)).message, /expects CSV text or bytes on 'in', got a number/);
    assert.match((await failure('transform/CsvFormat', {}, [{ a: 1 }, 'x'])).message, /expects records \(objects or arrays\) on 'in', got a string \(element 1 is a string\)/);
  });

  it('rejects a multi-character quote when the graph is loaded', async () => {
    assertProblem(await loadProblems(registry, { nodes: { n: ['transform/CsvParse', { quote: '""' }] }, inports: { in: 'n.in' } }), '$.processes.n.metadata.quote', /must NOT have more than 1 characters/);
  });
});
