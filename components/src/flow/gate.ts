// flow/Gate: lets packets through while open; while closed drops them or holds them until it opens.
import { ActorflowError, defineActor } from '@actorflow/network';
import { ERROR_PORT } from '../transform/errors.ts';

interface GateState {
  open: boolean;
  held: unknown[];
}

export const Gate = defineActor({
  name: 'flow/Gate',
  description: 'Passes packets from `in` to `out` while open. A packet on `open` or `close` opens or closes it (`control`: true/false '
    + 'does either). While closed it drops packets (to `dropped`) or holds them (up to `maxHeld`) and releases them in order when it opens.',
  category: 'flow',
  icon: 'door-open',
  inports: {
    in: { description: 'Packets to pass', required: true },
    open: { description: 'Any packet: open the gate' },
    close: { description: 'Any packet: close the gate' },
    control: { type: 'boolean', description: 'true opens, false closes' },
  },
  outports: {
    out: { description: 'Packets passed' },
    dropped: { description: 'Packets dropped while closed (whenClosed: drop)' },
    error: ERROR_PORT,
  },
  config: {
    type: 'object',
    examples: [{ initial: 'closed', whenClosed: 'hold' }],
    properties: {
      initial: { enum: ['open', 'closed'], default: 'open', description: 'State at start' },
      whenClosed: { enum: ['drop', 'hold'], default: 'hold', description: 'What happens to packets while closed' },
      maxHeld: { type: 'integer', minimum: 1, default: 10_000, description: 'Most packets held while closed; one more is an error (GATE_FULL)' },
    },
  },
  state: (): GateState => ({ open: true, held: [] }),
  setup(ctx) {
    ctx.state.open = ctx.config.initial === 'open';
  },
  async process(input, ctx) {
    const state = ctx.state;
    switch (ctx.port) {
      case 'open': return openAndRelease(ctx);
      case 'close': state.open = false; return;
      case 'control':
        if (typeof input.control !== 'boolean') {
          throw new ActorflowError('INVALID_INPUT', `${ctx.component} expects true or false on 'control', got ${JSON.stringify(input.control) ?? String(input.control)}`, "send true to open, false to close (or use the 'open'/'close' ports)");
        }
        if (input.control) return openAndRelease(ctx);
        state.open = false;
        return;
    }
    if (state.open) {
      ctx.emit('out', input.in);
    } else if (ctx.config.whenClosed === 'drop') {
      ctx.emit('dropped', input.in);
    } else {
      if (state.held.length >= (ctx.config.maxHeld as number)) {
        throw new ActorflowError('GATE_FULL', `${ctx.component} is closed and already holds ${state.held.length} packets (maxHeld)`, "open the gate sooner, raise maxHeld, or use whenClosed: 'drop'");
      }
      state.held.push(input.in);
    }
  },
  teardown(ctx) {
    if (ctx.state.held.length > 0) ctx.log.warn(`gate closed at shutdown: ${ctx.state.held.length} held packet(s) were never released`, { held: ctx.state.held.length });
  },
});

/** Opens the gate and sends what it held, in order. */
async function openAndRelease(ctx: { state: GateState; emit(port: 'out', value: unknown): boolean; drained(): Promise<void> }): Promise<void> {
  ctx.state.open = true;
  const held = ctx.state.held;
  while (held.length > 0 && ctx.state.open) {
    if (!ctx.emit('out', held.shift())) await ctx.drained();
  }
}
