import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ComponentRegistry } from '@actorflow/network';
import { assertProblem, loadProblems, registryWith, run, runError } from './helpers.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = await registryWith('flow');
});

/** Runs one node fed from exported `in` with every listed outport exported under its own name. */
async function route(component: string, config: Record<string, unknown>, packets: unknown[], outs: string[]) {
  // A slot of an addressable outport (`case[0]`) goes through a core/Repeat: exported ports take every slot.
  const nodes: Record<string, string | [string, Record<string, unknown>]> = { s: 'core/Split', n: [component, config] };
  const edges = ['s.out -> n.in'];
  const outports: Record<string, string> = {};
  for (const o of outs) {
    const name = o.replace(/\[(\d+)\]/, '$1');
    if (name === o) outports[name] = `n.${o}`;
    else {
      nodes[name] = 'core/Repeat';
      edges.push(`n.${o} -> ${name}.in`);
      outports[name] = `${name}.out`;
    }
  }
  const result = await run(registry, { nodes, edges, inports: { in: 's.in' }, outports }, { in: packets });
  return result.results;
}

describe('flow/Branch', () => {
  const orders = [{ id: 1, amount: 50, status: 'open' }, { id: 2, amount: 150, status: 'open' }, { id: 3, amount: 500, status: 'closed' }];

  it('routes by an IF rule set: every group must match, rules joined by AND or OR', async () => {
    const rules = {
      type: 'IF',
      groups: [
        { connector: 'AND', rules: [{ field: 'amount', operator: 'greater_than', value: 100 }] },
        { connector: 'OR', rules: [{ field: 'status', operator: 'is', value: 'open' }, { field: 'amount', operator: 'greater_equal', value: 500 }] },
      ],
    };
    const out = await route('flow/Branch', { rules }, orders, ['true', 'false']);
    assert.deepEqual(out.true.map((o: any) => o.id), [2, 3]);
    assert.deepEqual(out.false.map((o: any) => o.id), [1]);
  });

  it('routes by an OR rule set: any group may match', async () => {
    const rules = { type: 'OR', groups: [{ rules: [{ field: 'id', operator: 'is', value: 1 }] }, { rules: [{ field: 'status', operator: 'is', value: 'closed' }] }] };
    const out = await route('flow/Branch', { rules }, orders, ['true', 'false']);
    assert.deepEqual(out.true.map((o: any) => o.id), [1, 3]);
  });

  it('supports every operator of the grammar', async () => {
    const cases: [Record<string, unknown>, unknown, boolean][] = [
      [{ operator: 'is', value: '18' }, 18, true],
      [{ operator: 'is_not', value: 'a' }, 'b', true],
      [{ operator: 'contains', value: 'ell' }, 'hello', true],
      [{ operator: 'contains', value: 2 }, [1, 2, 3], true],
      [{ operator: 'not_contains', value: 'x' }, 'hello', true],
      [{ operator: 'greater_than', value: 5 }, 5, false],
      [{ operator: 'greater_equal', value: 5 }, 5, true],
      [{ operator: 'less_than', value: 'b' }, 'a', true],
      [{ operator: 'less_equal', value: 4 }, 5, false],
      [{ operator: 'between', value: [1, 10] }, 10, true],
      [{ operator: 'between', value: ['2024-01-01', '2024-12-31'], valueType: 'date' }, '2024-06-01T00:00:00Z', true],
      [{ operator: 'empty' }, [], true],
      [{ operator: 'empty' }, '', true],
      [{ operator: 'not_empty' }, { a: 1 }, true],
      [{ operator: 'is', value: 'true', valueType: 'boolean' }, true, true],
    ];
    for (const [rule, value, expected] of cases) {
      const out = await route('flow/Branch', { rules: { groups: [{ rules: [rule] }] } }, [value], ['true', 'false']);
      assert.equal(out.true.length === 1, expected, `${JSON.stringify(rule)} on ${JSON.stringify(value)}`);
    }
  });

  it('treats a missing field as empty: `is` fails, `is_not` and `empty` hold', async () => {
    const on = async (rule: Record<string, unknown>) => (await route('flow/Branch', { rules: { groups: [{ rules: [rule] }] } }, [{ other: 1 }], ['true', 'false'])).true.length === 1;
    assert.equal(await on({ field: 'missing.deep', operator: 'is', value: 1 }), false);
    assert.equal(await on({ field: 'missing', operator: 'is_not', value: 1 }), true);
    assert.equal(await on({ field: 'missing', operator: 'empty' }), true);
    assert.equal(await on({ field: 'missing', operator: 'greater_than', value: 0 }), false);
  });

  it('accepts a list of rule sets, any of which may match', async () => {
    const rules = [{ groups: [{ rules: [{ field: 'id', operator: 'is', value: 1 }] }] }, { groups: [{ rules: [{ field: 'id', operator: 'is', value: 2 }] }] }];
    const out = await route('flow/Branch', { rules }, orders, ['true', 'false']);
    assert.deepEqual(out.true.map((o: any) => o.id), [1, 2]);
  });

  it('routes by a condition expression over `data`', async () => {
    const out = await route('flow/Branch', { condition: "data.amount > 100 && data.status === 'open'" }, orders, ['true', 'false']);
    assert.deepEqual(out.true.map((o: any) => o.id), [2]);
  });

  it('rejects bad config when the graph is loaded: unknown operator, between without a pair, neither rules nor condition', async () => {
    const problems = await loadProblems(registry, {
      nodes: {
        a: ['flow/Branch', { rules: { groups: [{ rules: [{ field: 'x', operator: 'bigger' }] }] } }],
        b: ['flow/Branch', { rules: { groups: [{ rules: [{ field: 'x', operator: 'between', value: 3 }] }] } }],
        c: ['flow/Branch', {}],
      },
    });
    assertProblem(problems, '$.processes.a.metadata.rules.groups[0].rules[0].operator', /must be equal to one of the allowed values/, /is_not/);
    assertProblem(problems, '$.processes.b.metadata.rules.groups[0].rules[0].value', /must be array/);
    assertProblem(problems, '$.processes.c.metadata', /must match exactly one schema/);
  });

  it('fails a firing whose condition throws, naming the expression', async () => {
    const result = await run(registry, { nodes: { n: ['flow/Branch', { condition: 'data.a.b > 1' }] }, inports: { in: 'n.in' } }, { in: { x: 1 } }, 'failed');
    assert.match(runError(result).message, /condition 'data\.a\.b > 1'.*TypeError/);
  });

  it('reports a condition with a syntax error when the network starts, with node and field', async () => {
    const result = await run(registry, { nodes: { n: ['flow/Branch', { condition: 'data.a >' }] }, inports: { in: 'n.in' } }, { in: 1 }, 'failed');
    assert.match(runError(result).message, /node 'n' \(flow\/Branch\) config field 'condition': SyntaxError/);
  });
});

describe('flow/Switch', () => {
  it('sends each packet to the slot of the first equal case, or to default', async () => {
    const out = await route('flow/Switch', { field: 'status', cases: ['active', 'pending'] },
      [{ status: 'active' }, { status: 'pending' }, { status: 'gone' }, { status: 'active' }], ['case[0]', 'case[1]', 'default']);
    assert.equal(out.case0.length, 2);
    assert.equal(out.case1.length, 1);
    assert.deepEqual(out.default, [{ status: 'gone' }]);
  });

  it('compares case-insensitively when asked, and numbers with their text', async () => {
    const out = await route('flow/Switch', { cases: ['YES', 2], caseSensitive: false }, ['yes', '2', 'no'], ['case[0]', 'case[1]', 'default']);
    assert.deepEqual(out.case0, ['yes']);
    assert.deepEqual(out.case1, ['2']);
    assert.deepEqual(out.default, ['no']);
  });

  it('rejects a switch without cases, or with a malformed field path', async () => {
    const problems = await loadProblems(registry, { nodes: { a: ['flow/Switch', { field: 'a..b', cases: [1] }], b: ['flow/Switch', { cases: [] }] } });
    assertProblem(problems, '$.processes.a.metadata.field', /config field 'field' must match pattern/, /Field to switch on/);
    assertProblem(problems, '$.processes.b.metadata.cases', /must NOT have fewer than 1 items/);
  });
});

describe('flow/Loop', () => {
  it('sends each item and its index, then done with the count', async () => {
    const out = await route('flow/Loop', {}, [['a', 'b', 'c']], ['item', 'index', 'done']);
    assert.deepEqual(out.item, ['a', 'b', 'c']);
    assert.deepEqual(out.index, [0, 1, 2]);
    assert.deepEqual(out.done, [{ count: 3, total: 3, stopped: false }]);
  });

  it('sends batches of batchSize items', async () => {
    const out = await route('flow/Loop', { batchSize: 2 }, [[1, 2, 3, 4, 5]], ['item', 'index', 'done']);
    assert.deepEqual(out.item, [[1, 2], [3, 4], [5]]);
    assert.deepEqual(out.index, [0, 2, 4]);
    assert.deepEqual(out.done, [{ count: 5, total: 5, stopped: false }]);
  });

  it('stops before the item for which breakCondition holds', async () => {
    const out = await route('flow/Loop', { breakCondition: "item.status === 'stop'" }, [[{ status: 'go' }, { status: 'stop' }, { status: 'go' }]], ['item', 'done']);
    assert.equal(out.item.length, 1);
    assert.deepEqual(out.done, [{ count: 1, total: 3, stopped: true }]);
  });

  it('fails on a non-array input and on a collection over maxIterations, before sending anything', async () => {
    const notArray = await run(registry, { nodes: { n: 'flow/Loop' }, inports: { in: 'n.in' } }, { in: { a: 1 } }, 'failed');
    assert.match(runError(notArray).message, /flow\/Loop expects an array on 'in', got an object/);
    const tooLong = await run(registry, { nodes: { n: ['flow/Loop', { maxIterations: 2 }] }, inports: { in: 'n.in' }, outports: { item: 'n.item' } }, { in: [1, 2, 3] }, 'failed');
    assert.match(runError(tooLong).message, /needs 3 iterations, more than maxIterations \(2\)/);
    assert.deepEqual(tooLong.results.item, []);
  });

  it('rejects a batchSize below 1 when the graph is loaded', async () => {
    assertProblem(await loadProblems(registry, { nodes: { n: ['flow/Loop', { batchSize: 0 }] } }), '$.processes.n.metadata.batchSize', /must be >= 1/);
  });
});

describe('flow/Gate', () => {
  it('holds packets while closed and releases them in order when opened', async () => {
    const result = await run(registry, {
      nodes: { s: 'core/Split', g: ['flow/Gate', { initial: 'closed' }], k: 'core/Kick' },
      edges: ['s.out -> g.in', 's.out -> k.in', 'k.out -> g.open'],
      iips: [[true, 'k.data']],
      inports: { in: 's.in' },
      outports: { out: 'g.out' },
    }, { in: [1, 2, 3] });
    // The first packet reaches the closed gate before the kick opens it; the rest pass after.
    assert.deepEqual(result.results.out, [1, 2, 3]);
  });

  it('drops packets to `dropped` while closed with whenClosed: drop, and obeys control true/false', async () => {
    const result = await run(registry, {
      nodes: { g: ['flow/Gate', { initial: 'closed', whenClosed: 'drop' }] },
      inports: { in: 'g.in', control: 'g.control' },
      outports: { out: 'g.out', dropped: 'g.dropped' },
    }, { in: 'x' });
    assert.deepEqual(result.results.dropped, ['x']);
    assert.deepEqual(result.results.out, []);
  });

  it('fails when a closed gate holds more than maxHeld, and on a non-boolean control', async () => {
    const full = await run(registry, { nodes: { s: 'core/Split', g: ['flow/Gate', { initial: 'closed', maxHeld: 2 }] }, edges: ['s.out -> g.in'], inports: { in: 's.in' } }, { in: [1, 2, 3] }, 'failed');
    assert.equal(runError(full).code, 'GATE_FULL');
    const control = await run(registry, { nodes: { g: 'flow/Gate' }, inports: { in: 'g.in', c: 'g.control' } }, { c: 'yes' }, 'failed');
    assert.match(runError(control).message, /expects true or false on 'control', got "yes"/);
  });
});
