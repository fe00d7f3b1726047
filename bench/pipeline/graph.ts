// Builds the benchmark pipeline as an Actorflow graph: source -> `stages` x stage -> sink, with
// exported ports `start` (in) and `done` (out). `workerFrom`: stages from that number on (1-based)
// and the sink are placed in a worker thread by metadata.
import { ComponentRegistry, Graph } from '@actorflow/network';

export async function pipelineRegistry(): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  await registry.registerModule(new URL('./actors.ts', import.meta.url));
  return registry;
}

export function pipelineGraph(stages: number, capacity: number, workerFrom?: number): Graph {
  const g = new Graph({ name: 'bench-pipeline' });
  const placed = (i: number) => (workerFrom !== undefined && i >= workerFrom ? { thread: 'tail' } : {});
  g.addNode('source', 'bench/Source');
  for (let i = 1; i <= stages; i++) g.addNode(`stage${i}`, 'bench/Stage', placed(i));
  g.addNode('sink', 'bench/Sink', placed(stages + 1));
  const chain = ['source', ...Array.from({ length: stages }, (_, i) => `stage${i + 1}`), 'sink'];
  for (let i = 0; i + 1 < chain.length; i++) {
    g.addEdge({ node: chain[i], port: 'out' }, { node: chain[i + 1], port: 'in' }, { capacity });
  }
  g.addInport('start', 'source', 'start');
  g.addOutport('done', 'sink', 'done');
  return g;
}
