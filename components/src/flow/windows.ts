// Groups of packets: flow/Batch (fixed size, with a wait limit) and flow/Window (sliding count
// windows, tumbling time windows). Their timers are node deadlines (time/hold.ts): they never let a
// run end while they hold packets, and a `flush` packet sends what they hold at once.
import { defineActor } from '@actorflow/network';
import { deadlineOf } from '../time/hold.ts';

interface BatchState {
  items: unknown[];
  /** When the current batch must go out (epoch ms), if maxWaitMs is set. */
  deadline: number | undefined;
}

export const Batch = defineActor({
  name: 'flow/Batch',
  description: 'Collects packets into arrays of `size`; a partial batch goes out `maxWaitMs` after its first packet, or when anything arrives on `flush`.',
  category: 'flow',
  icon: 'package',
  inports: {
    in: { description: 'Packets to batch', required: true },
    flush: { description: 'Any packet: send the current partial batch now' },
  },
  outports: { out: { type: 'array', description: 'A batch: up to `size` packets, in arrival order' } },
  config: {
    type: 'object',
    examples: [{ size: 50, maxWaitMs: 500 }],
    properties: {
      size: { type: 'integer', minimum: 1, default: 100, description: 'Packets per batch' },
      maxWaitMs: { type: 'integer', minimum: 0, default: 1000, description: 'Longest a partial batch waits after its first packet (0: no limit; it then waits for `size` or `flush`)' },
    },
  },
  state: (): BatchState => ({ items: [], deadline: undefined }),
  process(input, ctx) {
    const state = ctx.state;
    const deadline = deadlineOf(ctx);
    const send = () => {
      const items = state.items;
      state.items = [];
      state.deadline = undefined;
      deadline.clear();
      if (items.length > 0) ctx.emit('out', items);
    };
    if (ctx.port === 'flush') return send();
    const { size, maxWaitMs } = ctx.config as { size: number; maxWaitMs: number };
    state.items.push(input.in);
    if (state.items.length >= size) return send();
    if (state.items.length === 1 && maxWaitMs > 0) {
      state.deadline = Date.now() + maxWaitMs;
      deadline.set(state.deadline, send);
    }
  },
  teardown(ctx) {
    if (ctx.state.items.length > 0) ctx.log.warn(`batch: ${ctx.state.items.length} packet(s) in an incomplete batch were not sent (maxWaitMs is 0 and no flush came)`);
  },
});

interface WindowState {
  items: unknown[];
  /** Count windows: packets since the last window went out. */
  sinceLast: number;
  /** Time windows: when the current window closes. */
  closesAt: number | undefined;
}

export const Window = defineActor({
  name: 'flow/Window',
  description: 'Groups packets into windows. By count: the last `size` packets every `step` packets (step = size: tumbling). '
    + 'By time: the packets of each `durationMs` period, starting with the first packet. `flush` sends the current window at once.',
  category: 'flow',
  icon: 'app-window',
  inports: {
    in: { description: 'Packets to group', required: true },
    flush: { description: 'Any packet: send the current window now (and start a new one)' },
  },
  outports: { out: { type: 'array', description: 'A window: its packets in arrival order' } },
  config: {
    type: 'object',
    examples: [{ by: 'time', durationMs: 1000 }],
    required: ['by'],
    properties: {
      by: { enum: ['count', 'time'], description: 'count: windows of `size` packets; time: windows of `durationMs`' },
      size: { type: 'integer', minimum: 1, description: 'Packets per window (by: count)' },
      step: { type: 'integer', minimum: 1, description: 'Packets between windows (by: count; default: size, i.e. tumbling windows)' },
      durationMs: { type: 'integer', minimum: 1, description: 'Length of a window (by: time)' },
    },
    allOf: [
      { if: { properties: { by: { const: 'count' } } }, then: { required: ['size'] } },
      { if: { properties: { by: { const: 'time' } } }, then: { required: ['durationMs'] } },
    ],
  },
  state: (): WindowState => ({ items: [], sinceLast: 0, closesAt: undefined }),
  process(input, ctx) {
    const state = ctx.state;
    const { by, size, durationMs } = ctx.config as { by: 'count' | 'time'; size: number; durationMs: number };
    const step = (ctx.config.step as number | undefined) ?? size;
    const deadline = deadlineOf(ctx);
    const close = () => {
      const items = state.items;
      state.items = [];
      state.closesAt = undefined;
      state.sinceLast = 0;
      deadline.clear();
      if (items.length > 0) ctx.emit('out', items);
    };
    if (ctx.port === 'flush') return close();
    if (by === 'count') {
      state.items.push(input.in);
      if (state.items.length > size) state.items.shift();
      state.sinceLast++;
      if (state.items.length === size && state.sinceLast >= step) {
        state.sinceLast = 0;
        ctx.emit('out', [...state.items]);
        if (step >= size) state.items = [];
      }
      return;
    }
    if (state.closesAt === undefined) {
      state.closesAt = Date.now() + durationMs;
      deadline.set(state.closesAt, close);
    }
    state.items.push(input.in);
  },
});
