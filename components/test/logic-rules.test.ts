import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ComponentRegistry } from '@actorflow/network';
import { assertProblem, loadProblems, registryWith, run, runError } from './helpers.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = await registryWith('logic');
});

const vip = {
  name: 'vip',
  type: 'IF',
  groups: [{ connector: 'AND', rules: [{ field: 'total', operator: 'greater_equal', value: 1000 }, { field: 'country', operator: 'is', value: 'NL' }] }],
  actions: { setProperty: [{ key: 'tier', value: 'gold' }, { key: 'flags.review', value: true }], setOutput: [{ port: 'alert', value: 'vip order' }] },
};
const large = {
  name: 'large',
  groups: [{ rules: [{ field: 'total', operator: 'between', value: [500, 100000] }] }],
  actions: { setProperty: [{ key: 'size', value: 'large' }] },
};

async function evaluate(config: Record<string, unknown>, packets: unknown[], outs: string[]) {
  const outports = Object.fromEntries(outs.map((o) => [o, `r.${o}`]));
  return (await run(registry, { nodes: { s: 'core/Split', r: ['logic/Rules', config] }, edges: ['s.out -> r.in'], inports: { in: 's.in' }, outports }, { in: packets })).results;
}

describe('logic/Rules', () => {
  it('sends matching packets, with setProperty fields set, to matched and the rest to unmatched', async () => {
    const out = await evaluate({ ruleSets: [vip] }, [{ id: 1, total: 1500, country: 'NL' }, { id: 2, total: 1500, country: 'BE' }], ['matched', 'unmatched']);
    assert.deepEqual(out.matched, [{ id: 1, total: 1500, country: 'NL', tier: 'gold', flags: { review: true } }]);
    assert.deepEqual(out.unmatched, [{ id: 2, total: 1500, country: 'BE' }]);
  });

  it('sends setOutput values on outports named by the rule sets', async () => {
    const out = await evaluate({ ruleSets: [vip] }, [{ total: 2000, country: 'NL' }, { total: 1, country: 'NL' }], ['alert']);
    assert.deepEqual(out.alert, ['vip order']);
  });

  it('applies only the first matching rule set, or all of them with mode: all', async () => {
    const order = { total: 1500, country: 'NL' };
    assert.deepEqual((await evaluate({ ruleSets: [vip, large] }, [order], ['matched'])).matched, [{ ...order, tier: 'gold', flags: { review: true } }]);
    assert.deepEqual((await evaluate({ ruleSets: [vip, large], mode: 'all' }, [order], ['matched'])).matched, [{ ...order, tier: 'gold', flags: { review: true }, size: 'large' }]);
  });

  it('fails when setProperty would have to set fields on a non-object packet', async () => {
    const result = await run(registry, { nodes: { r: ['logic/Rules', { ruleSets: [{ groups: [{ rules: [{ operator: 'not_empty' }] }], actions: { setProperty: [{ key: 'x', value: 1 }] } }] }] }, inports: { in: 'r.in' } }, { in: 'text' }, 'failed');
    assert.match(runError(result).message, /logic\/Rules expects an object \(setProperty sets fields on it\) on 'in', got a string/);
  });

  it('rejects bad rule sets when the graph is loaded: no groups, setOutput to a reserved port, unknown keys', async () => {
    const problems = await loadProblems(registry, {
      nodes: {
        a: ['logic/Rules', { ruleSets: [{ name: 'x' }] }],
        b: ['logic/Rules', { ruleSets: [{ groups: [{ rules: [{ operator: 'empty' }] }], actions: { setOutput: [{ port: 'matched', value: 1 }] } }] }],
        c: ['logic/Rules', { ruleSets: [{ groups: [{ rules: [{ operator: 'empty', feild: 'x' }] }] }] }],
      },
      inports: { a: 'a.in', b: 'b.in', c: 'c.in' },
    });
    assertProblem(problems, '$.processes.a.metadata.ruleSets[0].groups', /is required/);
    assertProblem(problems, '$.processes.b.metadata.ruleSets[0].actions.setOutput[0].port', /must NOT be valid/);
    assertProblem(problems, '$.processes.c.metadata.ruleSets[0].groups[0].rules[0].feild', /is not allowed/, /allowed: id, field, operator, value, valueType/);
  });
});
