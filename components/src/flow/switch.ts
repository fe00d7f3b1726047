// flow/Switch: routes each packet to the case slot whose value its field equals.
import { defineActor } from '@actorflow/network';
import { looselyEqual } from '../logic/rule-grammar.ts';
import { getPath, parsePath, PATH_SCHEMA } from '../transform/paths.ts';

function normalize(value: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof value === 'string' ? value.toLowerCase() : value;
}

export const Switch = defineActor({
  name: 'flow/Switch',
  description: 'Compares a field of each packet (or the packet) with a list of case values and sends the packet to the slot of '
    + 'the first equal case (`case[0]`, `case[1]`, …), or to `default`.',
  category: 'flow',
  icon: 'split',
  inports: { in: { description: 'The packet to route', required: true } },
  outports: {
    case: { description: 'Slot i receives packets whose field equals cases[i]', addressable: true },
    default: { description: 'Packets that match no case' },
  },
  config: {
    type: 'object',
    examples: [{ field: 'status', cases: ['active', 'pending'] }],
    required: ['cases'],
    properties: {
      field: { ...PATH_SCHEMA, description: 'Field to switch on (a path); omit it to switch on the whole packet' },
      cases: { type: 'array', minItems: 1, description: 'Case values, in order; slot i of `case` gets the packets equal to cases[i] (`18` equals `"18"`)' },
      caseSensitive: { type: 'boolean', default: true, description: 'Compare text case-sensitively' },
    },
  },
  process(input, ctx) {
    const data = input.in;
    const { field, cases, caseSensitive } = ctx.config as { field?: string; cases: unknown[]; caseSensitive: boolean };
    const value = normalize(field === undefined ? data : getPath(data, parsePath(field)), caseSensitive);
    const slot = cases.findIndex((c) => looselyEqual(normalize(c, caseSensitive), value));
    if (slot < 0) ctx.emit('default', data);
    else ctx.emit('case', data, slot);
  },
});

