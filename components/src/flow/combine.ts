// Several inputs into one: flow/Merge (interleave), flow/Zip (one from each, together) and
// flow/Join (packets from every input with the same key, together).
import { ActorflowError, defineActor } from '@actorflow/network';
import { ERROR_PORT, describeKind, inputError } from '../transform/errors.ts';
import { getPath, parsePath, PATH_SCHEMA } from '../transform/paths.ts';

type Combine = 'array' | 'object' | 'merge';

const COMBINE_SCHEMA = {
  combine: { enum: ['array', 'object', 'merge'], default: 'array', description: 'array: [v0, v1, …]; object: { names[i]: vi }; merge: the objects merged left to right' },
  names: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'Key of each input slot (combine: object)' },
} as const;

const NAMES_REQUIRED = { if: { properties: { combine: { const: 'object' } }, required: ['combine'] }, then: { required: ['names'] } } as const;

/** Combines one value per input slot. */
function combine(component: string, values: unknown[], how: Combine, names: readonly string[] | undefined): unknown {
  if (how === 'array') return values;
  if (how === 'object') {
    const out: Record<string, unknown> = {};
    values.forEach((v, i) => {
      out[names?.[i] ?? String(i)] = v;
    });
    return out;
  }
  values.forEach((v, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new ActorflowError('INVALID_INPUT', `${component} (combine: merge) needs an object from every input, got ${describeKind(v)} on slot ${i}`, "send objects, or use combine: 'array'");
    }
  });
  return Object.assign({}, ...values);
}

export const Merge = defineActor({
  name: 'flow/Merge',
  description: 'Forwards packets from every connection to `in` (an addressable port) in arrival order; with `tag` each becomes `{ source, value }` (source: the slot).',
  category: 'flow',
  icon: 'merge',
  inports: { in: { description: 'Packets from any number of connections (`in[0]`, `in[1]`, …)', addressable: true, required: true } },
  outports: { out: { description: 'Every packet, in arrival order' } },
  config: {
    type: 'object',
    examples: [{ tag: true }],
    properties: { tag: { type: 'boolean', default: false, description: 'Wrap each packet as `{ source, value }`' } },
  },
  process(input, ctx) {
    ctx.emit('out', ctx.config.tag ? { source: ctx.index ?? 0, value: input.in } : input.in);
  },
});

export const Zip = defineActor({
  name: 'flow/Zip',
  description: 'Waits for one packet on every connected slot of `in` and sends them together: as an array, an object keyed by `names`, or merged.',
  category: 'flow',
  icon: 'layers',
  inports: { in: { description: 'One packet per connection per round (`in[0]`, `in[1]`, …)', addressable: true, required: true } },
  outports: { out: { description: 'The packets of one round, combined' }, error: ERROR_PORT },
  config: { type: 'object', examples: [{ combine: 'object', names: ['order', 'customer'] }], properties: COMBINE_SCHEMA, ...NAMES_REQUIRED },
  fire: 'all',
  process(input, ctx) {
    ctx.emit('out', combine(ctx.component, input.in as unknown[], ctx.config.combine as Combine, ctx.config.names as string[] | undefined));
  },
});

interface JoinState {
  /** Typed key → the key and the value per slot, oldest first. */
  pending: Map<string, { key: unknown; values: unknown[] }>;
}

export const Join = defineActor({
  name: 'flow/Join',
  description: 'Joins packets from `inputs` slots of `in` by a key field: once every slot has sent a packet with the same key, sends them '
    + 'together (array, object or merged). At most `maxPending` keys wait; the oldest then goes to `unmatched`.',
  category: 'flow',
  icon: 'link',
  inports: { in: { description: 'Packets to join, from `inputs` connections (`in[0]`, `in[1]`, …)', addressable: true, required: true } },
  outports: {
    out: { description: 'The joined packets of one key' },
    unmatched: { type: 'object', description: '`{ key, values }` of a key evicted before every slot had sent it (values[i] undefined where missing)' },
    error: ERROR_PORT,
  },
  config: {
    type: 'object',
    examples: [{ key: 'orderId', inputs: 2, combine: 'merge' }],
    required: ['key', 'inputs'],
    properties: {
      key: { ...PATH_SCHEMA, description: 'Field holding the join key (a path)' },
      inputs: { type: 'integer', minimum: 2, description: 'Number of input slots joined (`in[0]` … `in[inputs-1]`)' },
      maxPending: { type: 'integer', minimum: 1, default: 10_000, description: 'Keys waiting for their other packets before the oldest is evicted to `unmatched`' },
      ...COMBINE_SCHEMA,
    },
    ...NAMES_REQUIRED,
  },
  state: (): JoinState => ({ pending: new Map() }),
  process(input, ctx) {
    const { key, inputs, maxPending } = ctx.config as { key: string; inputs: number; maxPending: number };
    const slot = ctx.index ?? 0;
    if (slot >= inputs) {
      throw new ActorflowError('INVALID_INPUT', `${ctx.component} got a packet on slot ${slot}, but is configured for ${inputs} inputs (in[0]…in[${inputs - 1}])`, 'raise `inputs` or connect to a lower slot');
    }
    const value = input.in;
    const k = getPath(value, parsePath(key));
    if (k === undefined || k === null || typeof k === 'object') {
      throw inputError(ctx.component, 'in', `a packet with a text or number field '${key}'`, value, k === undefined ? 'the field is missing' : `the field is ${describeKind(k)}`);
    }
    const id = `${typeof k}:${String(k)}`;
    const pending = ctx.state.pending;
    let entry = pending.get(id);
    if (!entry) {
      if (pending.size >= maxPending) {
        const [oldId, old] = pending.entries().next().value!;
        pending.delete(oldId);
        ctx.emit('unmatched', old);
        ctx.log.warn(`join: key evicted before all ${inputs} inputs arrived (maxPending ${maxPending})`, { key: old.key });
      }
      entry = { key: k, values: new Array<unknown>(inputs).fill(undefined) };
      pending.set(id, entry);
    }
    const values = entry.values;
    values[slot] = value;
    if (values.every((v) => v !== undefined)) {
      pending.delete(id);
      ctx.emit('out', combine(ctx.component, values, ctx.config.combine as Combine, ctx.config.names as string[] | undefined));
    }
  },
  teardown(ctx) {
    const n = ctx.state.pending.size;
    if (n > 0) ctx.log.warn(`join: ${n} key(s) never received a packet from every input`, { pending: n });
  },
});
