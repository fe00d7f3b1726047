// time/Delay: a delay line — every packet comes out `delayMs` after the node takes it, in order,
// however many are in flight.
import { defineActor } from '@actorflow/network';
import { deadlineOf } from './hold.ts';

interface DelayState {
  /** Packets in flight with the time each is due (in order: every packet waits the same time). */
  line: { due: number; value: unknown }[];
}

export const Delay = defineActor({
  name: 'time/Delay',
  description: 'Forwards each packet `delayMs` after taking it, keeping their order. Unlike core/Delay it does not wait for one '
    + 'packet before taking the next: a burst comes out as a burst, `delayMs` later.',
  category: 'time',
  icon: 'timer',
  inports: { in: { description: 'Packets to delay', required: true } },
  outports: { out: { description: 'The same packets, later' } },
  config: {
    type: 'object',
    examples: [{ delayMs: 500 }],
    required: ['delayMs'],
    properties: { delayMs: { type: 'integer', minimum: 0, maximum: 86_400_000, description: 'Delay in milliseconds' } },
  },
  state: (): DelayState => ({ line: [] }),
  process(input, ctx) {
    const line = ctx.state.line;
    line.push({ due: Date.now() + (ctx.config.delayMs as number), value: input.in });
    const deadline = deadlineOf(ctx);
    const release = () => {
      const now = ctx.signal.aborted ? Infinity : Date.now(); // a stopping network flushes the line
      while (line.length > 0 && line[0].due <= now) ctx.emit('out', line.shift()!.value);
      if (line.length > 0) deadline.set(line[0].due, release);
    };
    if (!deadline.armed) deadline.set(line[0].due, release);
  },
});
