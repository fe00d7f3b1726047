// Harness adapter: the 10-stage pipeline on Actorflow, all actors on the calling thread.
//   node bench/harness/run-adapter.mjs --adapter bench/adapter-inproc.mjs
import { makeAdapter } from './pipeline/adapter.ts';

export default makeAdapter({ name: 'actorflow in-process', threads: false });
