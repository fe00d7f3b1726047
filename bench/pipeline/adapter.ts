// The harness adapter shared by adapter-inproc.mjs and adapter-threads.mjs: builds the pipeline
// graph once (setup), then per run publishes the probe, sends `{count}` to the exported inport
// `start` and resolves with what the sink emits on `done`.
import { Network } from '@actorflow/network';
import { pipelineGraph, pipelineRegistry } from './graph.ts';
import { publishProbe, type ProbeDescriptor } from './probe-channel.ts';

export function makeAdapter(options: { name: string; threads: boolean }) {
  return {
    name: options.name,
    notes: options.threads ? 'bench/adapter-threads.mjs: metadata thread placement of stages 6-10 + sink' : 'bench/adapter-inproc.mjs',
    async setup({ stages, capacity }: { stages: number; capacity: number }) {
      const registry = await pipelineRegistry();
      const graph = pipelineGraph(stages, capacity, options.threads ? Math.floor(stages / 2) + 1 : undefined);
      const net = await Network.create(graph, { registry, timing: false, capacity });
      await net.start();
      let runId = 0;
      return {
        async run(count: number, probe: ProbeDescriptor) {
          await publishProbe(probe, ++runId, options.threads ? 2 : 1);
          const done = new Promise<unknown>((resolve) => {
            const off = net.onOutput((port, value) => {
              if (port !== 'done') return;
              off();
              resolve(value);
            });
          });
          net.send('start', { count });
          return done;
        },
        async close() {
          await net.stop();
        },
      };
    },
  };
}
