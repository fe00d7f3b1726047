// The benchmark pipeline's actors, written with Actorflow's public actor API: a source that emits
// `count` messages {id, value}, a map stage {id, value} -> {id, value + 1}, and a sink that hands
// every message to the harness's probe and reports the result when the last one arrives.
import { defineActor } from '@actorflow/network';
import { currentProbe, type ProbeDescriptor } from './probe-channel.ts';

interface Msg { id: number; value: number }
interface SinkProbe { take(m: Msg): boolean; result(): Record<string, unknown> }
interface ProbeLib {
  sourceProbe(d: ProbeDescriptor): { stamp(id: number): void };
  sinkProbe(d: ProbeDescriptor): SinkProbe;
}

const PROBE_LIB = new URL('../harness/lib/probe.mjs', import.meta.url).href;
let lib: ProbeLib | null = null;
async function loadProbeLib(): Promise<void> {
  lib ??= (await import(PROBE_LIB)) as ProbeLib;
}

export const Source = defineActor({
  name: 'bench/Source',
  inports: { start: { type: 'object', description: '{ count }: emit this many messages' } },
  outports: { out: { type: 'object' } },
  setup: loadProbeLib,
  async process(input, ctx) {
    const src = lib!.sourceProbe(currentProbe());
    const count = input.start!.count as number;
    for (let i = 0; i < count; i++) {
      const m: Msg = { id: i, value: i };
      src.stamp(i);
      if (!ctx.emit('out', m)) await ctx.drained();
    }
  },
});

export const Stage = defineActor({
  name: 'bench/Stage',
  inports: { in: { type: 'object' } },
  outports: { out: { type: 'object' } },
  process(input, ctx) {
    const m = input.in as Msg;
    ctx.emit('out', { id: m.id, value: m.value + 1 });
  },
});

export const Sink = defineActor({
  name: 'bench/Sink',
  inports: { in: { type: 'object' } },
  outports: { done: { type: 'object', description: 'The probe result, after the last message' } },
  state: () => ({ probe: null as SinkProbe | null, run: null as ProbeDescriptor | null }),
  setup: loadProbeLib,
  process(input, ctx) {
    const desc = currentProbe();
    if (ctx.state.run !== desc) ctx.state.probe = lib!.sinkProbe((ctx.state.run = desc));
    if (ctx.state.probe!.take(input.in as Msg)) ctx.emit('done', ctx.state.probe!.result());
  },
});
