// time/Delay: a delay line — every packet comes out `delayMs` after the node takes it, in order,
// however many are in flight.
import { defineActor } from '@actorflow/network';
import { holdOpen, oneAtATime, queuedBehind } from './hold.ts';

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
  fire: oneAtATime(['in']),
  state: (): DelayState => ({ line: [] }),
  process(input, ctx) {
    const line = ctx.state.line;
    const now = Date.now();
    line.push({ due: now + (ctx.config.delayMs as number), value: input.in });
    const release = (t: number) => {
      while (line.length > 0 && line[0].due <= t) ctx.emit('out', line.shift()!.value);
    };
    release(now);
    if (queuedBehind() > 0) return;
    return holdOpen(ctx, () => line[0]?.due, release);
  },
});
