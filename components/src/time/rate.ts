// Rate control: time/Throttle (at most one packet per interval) and time/Debounce (the last packet
// of a burst). Their timers are node deadlines (hold.ts), so a run never ends while they hold one.
import { defineActor } from '@actorflow/network';
import { deadlineOf, sleep } from './hold.ts';

interface ThrottleState {
  /** When the last packet went out (epoch ms). */
  last: number;
  /** mode drop + trailing: the newest packet dropped in the current interval. */
  trailing: { value: unknown } | undefined;
}

export const Throttle = defineActor({
  name: 'time/Throttle',
  description: 'Lets at most one packet through per `intervalMs`. mode drop: the first of each interval passes, the others go to '
    + '`dropped` (with `trailing`, the last one of the interval is sent when it ends instead). mode queue: every packet passes, '
    + 'spaced `intervalMs` apart (the node slows its input down instead of dropping).',
  category: 'time',
  icon: 'gauge',
  inports: { in: { description: 'Packets to throttle', required: true } },
  outports: {
    out: { description: 'Packets let through' },
    dropped: { description: 'Packets not let through (mode drop)' },
  },
  config: {
    type: 'object',
    examples: [{ intervalMs: 1000, mode: 'drop', trailing: true }],
    required: ['intervalMs'],
    properties: {
      intervalMs: { type: 'integer', minimum: 1, description: 'Minimum time between two packets going out' },
      mode: { enum: ['drop', 'queue'], default: 'drop', description: 'drop: extra packets are dropped; queue: they wait their turn' },
      trailing: { type: 'boolean', default: false, description: 'mode drop: at the end of an interval, send the last packet dropped in it' },
    },
  },
  state: (): ThrottleState => ({ last: -Infinity, trailing: undefined }),
  async process(input, ctx) {
    const state = ctx.state;
    const { intervalMs, mode, trailing } = ctx.config as { intervalMs: number; mode: 'drop' | 'queue'; trailing: boolean };
    const send = (value: unknown, at: number) => {
      state.last = at;
      ctx.emit('out', value);
    };
    if (mode === 'queue') {
      // Each packet waits its turn inside its firing: the node takes the next one only then,
      // so the input slows down (backpressure) instead of piling up.
      await sleep(state.last + intervalMs - Date.now(), ctx.signal);
      send(input.in, Date.now());
      return;
    }
    const now = Date.now();
    if (now >= state.last + intervalMs) {
      send(input.in, now);
      return;
    }
    if (!trailing) {
      ctx.emit('dropped', input.in);
      return;
    }
    if (state.trailing) ctx.emit('dropped', state.trailing.value);
    state.trailing = { value: input.in };
    const deadline = deadlineOf(ctx);
    if (!deadline.armed) {
      deadline.set(state.last + intervalMs, () => {
        const { value } = state.trailing!;
        state.trailing = undefined;
        send(value, Date.now());
      });
    }
  },
});

interface DebounceState {
  latest: { value: unknown } | undefined;
  /** When the latest packet goes out unless a newer one comes first. */
  due: number;
}

export const Debounce = defineActor({
  name: 'time/Debounce',
  description: 'Sends only the last packet of each burst: a packet goes out once `waitMs` pass without a newer one arriving '
    + '(the ones it replaces go to `dropped`). Under a steady stream faster than `waitMs` nothing goes out until the stream pauses.',
  category: 'time',
  icon: 'hourglass',
  inports: { in: { description: 'Packets to debounce', required: true } },
  outports: {
    out: { description: 'The last packet of each burst' },
    dropped: { description: 'Packets replaced by a newer one' },
  },
  config: {
    type: 'object',
    examples: [{ waitMs: 300 }],
    required: ['waitMs'],
    properties: { waitMs: { type: 'integer', minimum: 1, description: 'Quiet time that ends a burst, in milliseconds' } },
  },
  state: (): DebounceState => ({ latest: undefined, due: 0 }),
  process(input, ctx) {
    const state = ctx.state;
    if (state.latest) ctx.emit('dropped', state.latest.value);
    state.latest = { value: input.in };
    state.due = Date.now() + (ctx.config.waitMs as number);
    deadlineOf(ctx).set(state.due, () => {
      const { value } = state.latest!;
      state.latest = undefined;
      ctx.emit('out', value);
    });
  },
});
