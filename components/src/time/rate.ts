// Rate control: time/Throttle (at most one packet per interval) and time/Debounce (the last packet
// of a burst). Both wait with hold.ts, so a run never ends while they hold a packet.
import { defineActor } from '@actorflow/network';
import { holdOpen, oneAtATime, queuedBehind } from './hold.ts';

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
  fire: oneAtATime(['in']),
  state: (): ThrottleState => ({ last: -Infinity, trailing: undefined }),
  process(input, ctx) {
    const state = ctx.state;
    const { intervalMs, mode, trailing } = ctx.config as { intervalMs: number; mode: 'drop' | 'queue'; trailing: boolean };
    const send = (value: unknown, at: number) => {
      state.last = at;
      ctx.emit('out', value);
    };
    if (mode === 'queue') {
      const due = state.last + intervalMs;
      if (Date.now() >= due) return send(input.in, Date.now());
      let pending = true;
      return holdOpen(ctx, () => (pending ? due : undefined), (t) => {
        pending = false;
        send(input.in, Math.min(t, Date.now()));
      });
    }
    const now = Date.now();
    if (state.trailing && now >= state.last + intervalMs) {
      // An interval with a trailing packet ended while packets kept coming: it goes first.
      send(state.trailing.value, state.last + intervalMs);
      state.trailing = undefined;
    }
    if (now >= state.last + intervalMs) return send(input.in, now);
    if (trailing) {
      if (state.trailing) ctx.emit('dropped', state.trailing.value);
      state.trailing = { value: input.in };
      if (queuedBehind() > 0) return;
      return holdOpen(ctx, () => (state.trailing ? state.last + intervalMs : undefined), (t) => {
        if (state.trailing && t >= state.last + intervalMs) {
          const { value } = state.trailing;
          state.trailing = undefined;
          send(value, Math.min(t, Date.now()));
        }
      });
    }
    ctx.emit('dropped', input.in);
  },
});

interface DebounceState {
  latest: { value: unknown } | undefined;
  /** When the latest packet goes out unless a newer one comes first. */
  due: number;
}

export const Debounce = defineActor({
  name: 'time/Debounce',
  description: 'Sends only the last packet of each burst: a packet goes out once `waitMs` pass without the node taking a newer one '
    + '(the ones it replaces go to `dropped`). While it waits it takes no packets, so under a steady stream it sends one per `waitMs`.',
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
  fire: oneAtATime(['in']),
  state: (): DebounceState => ({ latest: undefined, due: 0 }),
  process(input, ctx) {
    const state = ctx.state;
    if (state.latest) ctx.emit('dropped', state.latest.value);
    state.latest = { value: input.in };
    state.due = Date.now() + (ctx.config.waitMs as number);
    if (queuedBehind() > 0) return;
    return holdOpen(ctx, () => (state.latest ? state.due : undefined), () => {
      const { value } = state.latest!;
      state.latest = undefined;
      ctx.emit('out', value);
    });
  },
});
