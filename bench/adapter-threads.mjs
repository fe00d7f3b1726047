// Harness adapter: the 10-stage pipeline on Actorflow with stages 6-10 and the sink placed in a
// worker thread by node metadata (one cross-thread link, msgpack batches, credit flow control).
//   node bench/harness/run-adapter.mjs --adapter bench/adapter-threads.mjs
import { makeAdapter } from './pipeline/adapter.ts';

export default makeAdapter({ name: 'actorflow threads (stages 6-10 + sink in a worker)', threads: true });
