// Hands the harness's probe (latency stamps in a SharedArrayBuffer) to the pipeline's actors in
// whatever thread they run: a BroadcastChannel shares the SharedArrayBuffer instead of copying it,
// which a message through the graph (msgpack across threads) could not.
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

export interface ProbeDescriptor {
  count: number;
  sampleEvery: number;
  stamps: SharedArrayBuffer;
  lib: string;
}

const NAME = 'actorflow-bench-probe';
let current: ProbeDescriptor | null = null;
const channel = new BroadcastChannel(NAME);
channel.unref();
channel.onmessage = (event) => {
  const data = (event as MessageEvent).data as { type: string; probe?: ProbeDescriptor; runId?: number };
  if (data.type !== 'probe') return;
  current = data.probe!;
  channel.postMessage({ type: 'ack', runId: data.runId, main: isMainThread });
};

/** The probe of the current run (set by `publishProbe` before the run starts). */
export function currentProbe(): ProbeDescriptor {
  if (!current) throw new Error('no probe published for this run');
  return current;
}

/** Adapter side: publishes a run's probe and resolves once `threads` threads have it. */
export function publishProbe(probe: ProbeDescriptor, runId: number, threads: number): Promise<void> {
  const ack = new BroadcastChannel(NAME);
  return new Promise((resolve) => {
    let acks = 0;
    ack.onmessage = (event) => {
      const data = (event as MessageEvent).data as { type: string; runId?: number };
      if (data.type === 'ack' && data.runId === runId && ++acks === threads) {
        ack.close();
        resolve();
      }
    };
    ack.postMessage({ type: 'probe', probe, runId });
  });
}
