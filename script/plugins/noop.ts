// Benchmark fixture: returns a constant ActorResult without parsing its input, so a benchmark
// measures the host's per-call cost (encoding, copying, decoding) rather than the plugin's work.
import { Host } from '@extism/as-pdk';
import { writeOutput } from './lib/actor';

export function process(): i32 {
  Host.input();
  writeOutput('{"outputs":{"out":{"type":"Integer","data":1}}}');
  return 0;
}
