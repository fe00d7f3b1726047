import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { defineActor, type ComponentRegistry } from '@actorflow/network';
import { assertProblem, loadProblems, registryWith, run, runError } from './helpers.ts';

let registry: ComponentRegistry;
before(async () => {
  registry = await registryWith('time');
});

/** Feeds `packets` as one burst into the node and returns the exported outports and the run time. */
async function burst(component: string, config: Record<string, unknown>, packets: unknown[], outs: string[]) {
  const outports = Object.fromEntries(outs.map((o) => [o, `n.${o}`]));
  const result = await run(registry, { nodes: { s: 'core/Split', n: [component, config] }, edges: ['s.out -> n.in'], inports: { in: 's.in' }, outports }, { in: packets });
  return { out: result.results.out, dropped: result.results.dropped ?? [], ms: result.durationMs };
}

describe('time/Delay', () => {
  it('delays every packet by delayMs, keeps the order, and lets a burst through as a burst', async () => {
    const packets = Array.from({ length: 20 }, (_, i) => i);
    const out = await burst('time/Delay', { delayMs: 50 }, packets, ['out']);
    assert.deepEqual(out.out, packets);
    assert.ok(out.ms >= 50, `took ${out.ms} ms`);
    // One packet after the other would take 20 × 50 ms.
    assert.ok(out.ms < 50 * 20, `a burst is not delayed packet after packet (took ${out.ms} ms)`);
  });

  it('rejects a negative or missing delay when the graph is loaded', async () => {
    const problems = await loadProblems(registry, { nodes: { a: ['time/Delay', { delayMs: -1 }], b: 'time/Delay' }, inports: { a: 'a.in', b: 'b.in' } });
    assertProblem(problems, '$.processes.a.metadata.delayMs', /must be >= 0/);
    assertProblem(problems, '$.processes.b.metadata.delayMs', /is required/);
  });
});

describe('time/Interval and time/Cron', () => {
  it('Interval sends count ticks, intervalMs apart, then ends (and so does the run)', async () => {
    const result = await run(registry, { nodes: { i: ['time/Interval', { intervalMs: 20, count: 3 }] }, outports: { out: 'i.out' } });
    assert.deepEqual(result.results.out.map((t: any) => t.count), [1, 2, 3]);
    assert.ok(result.durationMs >= 60, `took ${result.durationMs} ms`);
    const payload = await run(registry, { nodes: { i: ['time/Interval', { intervalMs: 5, count: 2, immediate: true, payload: 'go' }] }, outports: { out: 'i.out' } });
    assert.deepEqual(payload.results.out, ['go', 'go']);
  });

  it('Cron sends ticks on a schedule with seconds, maxRuns times', async () => {
    const result = await run(registry, { nodes: { c: ['time/Cron', { pattern: '* * * * * *', maxRuns: 1 }] }, outports: { out: 'c.out' } });
    assert.equal(result.results.out.length, 1);
    assert.equal((result.results.out[0] as { count: number }).count, 1);
  });

  it('Cron rejects a malformed pattern when the graph is loaded, and an impossible one when it starts', async () => {
    assertProblem(await loadProblems(registry, { nodes: { c: ['time/Cron', { pattern: 'every day' }] } }), '$.processes.c.metadata.pattern', /must match pattern/, /Cron pattern/);
    const result = await run(registry, { nodes: { c: ['time/Cron', { pattern: '61 * * * *' }] } }, {}, 'failed');
    assert.match(runError(result).message, /node 'c' \(time\/Cron\) config field 'pattern': not a valid schedule/);
  });
});

describe('time/Throttle and time/Debounce', () => {
  it('Throttle drop: the first packet of the interval passes, the rest go to dropped', async () => {
    const out = await burst('time/Throttle', { intervalMs: 10_000 }, [1, 2, 3, 4], ['out', 'dropped']);
    assert.deepEqual(out.out, [1]);
    assert.deepEqual(out.dropped, [2, 3, 4]);
  });

  it('Throttle trailing: the last dropped packet goes out when the interval ends', async () => {
    const out = await burst('time/Throttle', { intervalMs: 40, trailing: true }, [1, 2, 3, 4], ['out', 'dropped']);
    assert.deepEqual(out.out, [1, 4]);
    assert.deepEqual(out.dropped, [2, 3]);
    assert.ok(out.ms >= 40, `took ${out.ms} ms`);
  });

  it('Throttle queue: every packet passes, spaced intervalMs apart', async () => {
    const out = await burst('time/Throttle', { intervalMs: 25, mode: 'queue' }, [1, 2, 3, 4], ['out', 'dropped']);
    assert.deepEqual(out.out, [1, 2, 3, 4]);
    assert.deepEqual(out.dropped, []);
    assert.ok(out.ms >= 75, `took ${out.ms} ms`);
  });

  it('Debounce sends only the last packet of a burst, after waitMs', async () => {
    const out = await burst('time/Debounce', { waitMs: 30 }, [1, 2, 3], ['out', 'dropped']);
    assert.deepEqual(out.out, [3]);
    assert.deepEqual(out.dropped, [1, 2]);
    assert.ok(out.ms >= 30, `took ${out.ms} ms`);
  });

  it('Debounce waits for a pause: a steady stream faster than waitMs sends nothing until it stops', async () => {
    // A ticker every ~5 ms for ~100 ms, then silence: one packet goes out, after the last tick.
    const Ticks = defineActor({
      name: 'case/Ticks', inports: { go: {} }, outports: { out: {} },
      async process(_input, ctx) {
        for (let i = 1; i <= 20; i++) {
          ctx.emit('out', i);
          await new Promise((r) => setTimeout(r, 5));
        }
      },
    });
    const reg = await registryWith('time');
    reg.register(Ticks);
    const result = await run(reg, { nodes: { t: 'case/Ticks', d: ['time/Debounce', { waitMs: 40 }] }, edges: ['t.out -> d.in'], inports: { go: 't.go' }, outports: { out: 'd.out', dropped: 'd.dropped' } }, { go: 1 });
    assert.deepEqual(result.results.out, [20]);
    assert.equal((result.results.dropped as number[]).length, 19);
  });

  it('rejects an unknown throttle mode when the graph is loaded', async () => {
    assertProblem(await loadProblems(registry, { nodes: { t: ['time/Throttle', { intervalMs: 5, mode: 'skip' }] }, inports: { in: 't.in' } }), '$.processes.t.metadata.mode', /allowed values/, /"drop", "queue"/);
  });
});
