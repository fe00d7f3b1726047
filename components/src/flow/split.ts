// flow/Split: one packet into its parts.
import { defineActor } from '@actorflow/network';
import { ERROR_PORT, inputError } from '../transform/errors.ts';

function parts(value: unknown, separator: string): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value.split(separator);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !(value instanceof Date)) {
    return Object.entries(value).map(([key, v]) => ({ key, value: v }));
  }
  return undefined;
}

export const Split = defineActor({
  name: 'flow/Split',
  description: 'Sends the parts of each packet one by one: the elements of an array, the pieces of a text cut at `separator`, '
    + 'or the `{ key, value }` entries of an object.',
  category: 'flow',
  icon: 'scissors',
  inports: { in: { description: 'An array, a text or an object', required: true } },
  outports: { out: { description: 'One packet per part, in order' }, error: ERROR_PORT },
  config: {
    type: 'object',
    examples: [{ separator: '\n', skipEmpty: true }],
    properties: {
      separator: { type: 'string', minLength: 1, default: '\n', description: 'Where texts are cut' },
      trim: { type: 'boolean', default: false, description: 'Trim white space around text pieces' },
      skipEmpty: { type: 'boolean', default: false, description: 'Leave out empty text pieces' },
    },
  },
  async process(input, ctx) {
    const { separator, trim, skipEmpty } = ctx.config as { separator: string; trim: boolean; skipEmpty: boolean };
    let list = parts(input.in, separator);
    if (list === undefined) throw inputError(ctx.component, 'in', 'an array, a text or an object', input.in);
    if (typeof input.in === 'string') {
      if (trim) list = list.map((s) => (s as string).trim());
      if (skipEmpty) list = list.filter((s) => s !== '');
    }
    for (const part of list) if (!ctx.emit('out', part)) await ctx.drained();
  },
});
