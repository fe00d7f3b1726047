// Core components: the small actors every graph, test and example can rely on.
import { defineActor } from '../actor/define.ts';
import { FLOW } from '../messages/flow.ts';

/** Forwards every packet unchanged. */
export const Repeat = defineActor({
  name: 'core/Repeat',
  description: 'Forwards every packet it receives, unchanged.',
  category: 'core',
  icon: 'arrow-right',
  inports: { in: { description: 'Any packet' } },
  outports: { out: { description: 'The same packet' } },
  process(input, ctx) {
    ctx.emit('out', input.in);
  },
});

/** Swallows every packet. */
export const Drop = defineActor({
  name: 'core/Drop',
  description: 'Drops every packet it receives.',
  category: 'core',
  icon: 'trash',
  inports: { in: { description: 'Any packet' } },
  process() {},
});

/** Logs every packet (as an ActorLog event) and forwards it. */
export const Output = defineActor({
  name: 'core/Output',
  description: 'Logs every packet it receives (ActorLog event, level info) and forwards it.',
  category: 'core',
  icon: 'terminal',
  inports: { in: { description: 'Any packet' } },
  outports: { out: { description: 'The same packet' } },
  process(input, ctx) {
    ctx.log.info(typeof input.in === 'string' ? input.in : JSON.stringify(input.in) ?? String(input.in), input.in);
    ctx.emit('out', input.in);
  },
});

/** Sends the `data` value (or a bang) each time something arrives on `in`. */
export const Kick = defineActor({
  name: 'core/Kick',
  description: 'Sends the value held on `data` (a bang if none) whenever a packet arrives on `in`.',
  category: 'core',
  icon: 'share',
  inports: {
    in: { description: 'Trigger: any packet' },
    data: { description: 'Value to send on each trigger (kept until replaced)', sticky: true },
  },
  outports: { out: { description: 'The `data` value' } },
  process(input, ctx) {
    if (ctx.port !== 'in') return;
    ctx.emit('out', 'data' in input ? input.data : FLOW);
  },
});

/** Forwards each packet after a delay. */
export const Delay = defineActor({
  name: 'core/Delay',
  description: 'Forwards each packet after `delay` milliseconds (from config or the sticky `delay` port).',
  category: 'core',
  icon: 'clock',
  inports: {
    in: { description: 'Any packet' },
    delay: { type: 'number', description: 'Delay in milliseconds (kept until replaced)', sticky: true },
  },
  outports: { out: { description: 'The same packet, later' } },
  config: { type: 'object', properties: { delay: { type: 'number', minimum: 0, default: 100, description: 'Delay in milliseconds' } } },
  async process(input, ctx) {
    if (ctx.port !== 'in') return;
    const ms = typeof input.delay === 'number' ? input.delay : (ctx.config.delay as number);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      }, { once: true });
    });
    ctx.emit('out', input.in);
  },
});

/** Forwards packets from any number of connections, in arrival order. */
export const Merge = defineActor({
  name: 'core/Merge',
  description: 'Forwards packets from every connection to `in` (an addressable port), in arrival order.',
  category: 'core',
  icon: 'compress',
  inports: { in: { description: 'Any packets, from any number of connections', addressable: true } },
  outports: { out: { description: 'Every packet received' } },
  process(input, ctx) {
    ctx.emit('out', input.in);
  },
});

/** Splits an array into its elements. */
export const Split = defineActor({
  name: 'core/Split',
  description: 'Sends each element of an array on `out`, in order (anything else passes through).',
  category: 'core',
  icon: 'expand',
  inports: { in: { description: 'An array (or any packet)' } },
  outports: { out: { description: 'One packet per element' } },
  async process(input, ctx) {
    if (!Array.isArray(input.in)) {
      ctx.emit('out', input.in);
      return;
    }
    for (const item of input.in) if (!ctx.emit('out', item)) await ctx.drained();
  },
});

/** Counts packets. */
export const Counter = defineActor({
  name: 'core/Counter',
  description: 'Counts the packets arriving on `in` and sends the running count; a packet on `reset` restarts from 0.',
  category: 'core',
  icon: 'calculator',
  inports: {
    in: { description: 'Any packet' },
    reset: { description: 'Any packet: reset the count to 0' },
  },
  outports: { count: { type: 'integer', description: 'Packets counted so far' } },
  state: () => ({ count: 0 }),
  process(_input, ctx) {
    if (ctx.port === 'reset') {
      ctx.state.count = 0;
      return;
    }
    ctx.state.count++;
    ctx.emit('count', ctx.state.count);
  },
});
