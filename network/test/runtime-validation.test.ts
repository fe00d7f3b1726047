import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Network, ValidationError, defineActor } from '@actorflow/network';
import { graph, testRegistry } from './helpers.ts';

const registry = await testRegistry();

describe('Network.create refuses an invalid graph, listing every problem', () => {
  it('reports unknown components (with suggestions), unknown ports, bad config and bad runtime settings at once', async () => {
    const doc = {
      caseSensitive: false,
      properties: { name: 'broken' },
      processes: {
        a: { id: 'a', component: 'core/Repaet', metadata: {} },
        b: { id: 'b', component: 'test/AddOne', metadata: { add: 'ten', retry: { attempts: 0 }, timeoutMs: -1 } },
        c: { id: 'c', component: 'core/Repeat', metadata: {} },
      },
      connections: [
        { src: { process: 'c', port: 'nope' }, tgt: { process: 'b', port: 'in' } },
        { src: { process: 'c', port: 'out' }, tgt: { process: 'ghost', port: 'in' } },
        { data: 5, tgt: { process: 'b', port: 'missing' } },
      ],
    };
    await assert.rejects(Network.create(doc, { registry }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      const byCode = (code: string) => err.problems.filter((p) => p.code === code);
      assert.match(byCode('UNKNOWN_COMPONENT')[0].hint, /core\/Repeat/);
      assert.equal(byCode('UNKNOWN_COMPONENT')[0].path, '$.processes.a.component');
      assert.ok(byCode('UNKNOWN_PORT').length >= 2, JSON.stringify(err.problems, null, 1));
      assert.ok(err.problems.some((p) => p.path.startsWith('$.connections[1]')), 'the dangling edge is located');
      assert.ok(err.problems.some((p) => p.path === '$.processes.b.metadata.add'), 'the bad config field is located');
      assert.ok(err.problems.some((p) => p.path.startsWith('$.processes.b.metadata.retry')));
      assert.ok(err.problems.some((p) => p.path.startsWith('$.processes.b.metadata.timeoutMs')));
      assert.match(err.message, /broken/);
      return true;
    });
  });

  it('resolves env_vars: a missing required one is an error naming it; present ones reach ctx.env and config', async () => {
    const reg = await testRegistry();
    reg.register(defineActor({
      name: 'case/Env', inports: { in: {} }, outports: { out: {} },
      process(_input, ctx) {
        ctx.emit('out', { env: ctx.env.API_KEY, config: ctx.config.API_KEY, region: ctx.env.REGION });
      },
    }));
    const g = () => graph({ nodes: { e: ['case/Env', { env_vars: { API_KEY: 'required', REGION: 'optional:eu' } }] }, iips: [[1, 'e.in']], outports: { out: 'e.out' } });
    await assert.rejects(Network.create(g(), { registry: reg, env: {} }), (err: ValidationError) => {
      assert.equal(err.problems[0].code, 'MISSING_ENV');
      assert.match(err.problems[0].message, /API_KEY/);
      return true;
    });
    const result = await (await Network.create(g(), { registry: reg, env: { API_KEY: 'k' } })).run();
    assert.deepEqual(result.results.out, [{ env: 'k', config: 'k', region: 'eu' }]);
  });

  it('rejects an unknown exported inport on send, naming the ones that exist', async () => {
    const net = await Network.create(graph({ nodes: { r: 'core/Repeat' }, inports: { in: 'r.in' } }), { registry });
    await net.start();
    assert.throws(() => net.send('nope', 1), /no exported inport 'nope'.*exported inports: in/);
    await net.stop();
  });
});
