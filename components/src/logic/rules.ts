// logic/Rules: the rules engine — rule sets in Reflow's grammar with setProperty / setOutput actions.
import { defineActor, type OutPorts } from '@actorflow/network';
import { ERROR_PORT, inputError } from '../transform/errors.ts';
import { setPath, parsePath, PATH_SCHEMA } from '../transform/paths.ts';
import { compileRuleSet, RULE_SET_PROPERTIES, type RuleMatcher, type RuleSet } from './rule-grammar.ts';

export interface RuleActions {
  setProperty?: { key: string; value: unknown }[];
  setOutput?: { port: string; value: unknown }[];
}

export interface ActionRuleSet extends RuleSet {
  name?: string;
  actions?: RuleActions;
}

const RESERVED_PORTS = ['matched', 'unmatched', 'error'];

const ACTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description: 'What happens when the rule set matches',
  properties: {
    setProperty: {
      type: 'array',
      description: 'Fields set on the packet sent to `matched`',
      items: { type: 'object', required: ['key', 'value'], additionalProperties: false, properties: { key: { ...PATH_SCHEMA, description: 'Field to set (a path)' }, value: { description: 'Its value' } } },
    },
    setOutput: {
      type: 'array',
      description: 'Values sent on extra outports (each port named here becomes an outport of the node)',
      items: {
        type: 'object', required: ['port', 'value'], additionalProperties: false,
        properties: {
          port: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*$', not: { enum: RESERVED_PORTS }, description: 'Outport name (not matched, unmatched or error)' },
          value: { description: 'Value sent on it' },
        },
      },
    },
  },
} as const;

const RULE_SET_WITH_ACTIONS = {
  type: 'object',
  required: ['groups'],
  additionalProperties: false,
  properties: { ...RULE_SET_PROPERTIES, name: { type: 'string', description: 'Name, for logs' }, actions: ACTIONS_SCHEMA },
} as const;

interface CompiledSet {
  matches: RuleMatcher;
  set: ActionRuleSet;
  properties: { path: readonly (string | number)[]; value: unknown }[];
}

interface RulesState {
  sets: CompiledSet[];
}

export const Rules = defineActor({
  name: 'logic/Rules',
  description: 'Evaluates rule sets (IF/OR groups of AND/OR rules) against each packet. On a match the packet, with the `setProperty` '
    + 'fields set, goes to `matched` and each `setOutput` value to its own outport; otherwise the packet goes to `unmatched`. '
    + '`mode: first` applies the first matching rule set, `all` every one that matches.',
  category: 'logic',
  icon: 'scale',
  inports: { in: { description: 'The packet to evaluate', required: true } },
  outports: {
    matched: { description: 'The packet after the actions of the matching rule set(s)' },
    unmatched: { description: 'Packets no rule set matched' },
    error: ERROR_PORT,
  },
  config: {
    type: 'object',
    examples: [{ ruleSets: [{ name: 'vip', groups: [{ rules: [{ field: 'total', operator: 'greater_equal', value: 1000 }] }], actions: { setProperty: [{ key: 'tier', value: 'gold' }], setOutput: [{ port: 'alert', value: 'vip order' }] } }] }],
    required: ['ruleSets'],
    properties: {
      ruleSets: { type: 'array', minItems: 1, items: RULE_SET_WITH_ACTIONS, description: 'Rule sets, in priority order' },
      mode: { enum: ['first', 'all'], default: 'first', description: 'first: only the first matching rule set acts; all: every matching one, in order' },
    },
  },
  ports(config): { outports: OutPorts } {
    const sets = Array.isArray(config.ruleSets) ? config.ruleSets as ActionRuleSet[] : [];
    const outports: OutPorts = {};
    for (const set of sets) {
      for (const out of set?.actions?.setOutput ?? []) {
        if (typeof out?.port === 'string') outports[out.port] = { description: `setOutput value of rule set ${set.name ?? set.id ?? ''}`.trim() };
      }
    }
    return { outports };
  },
  state: (): RulesState => ({ sets: [] }),
  setup(ctx) {
    ctx.state.sets = (ctx.config.ruleSets as ActionRuleSet[]).map((set) => ({
      matches: compileRuleSet(set),
      set,
      properties: (set.actions?.setProperty ?? []).map((p) => ({ path: parsePath(p.key), value: p.value })),
    }));
  },
  process(input, ctx) {
    const all = ctx.config.mode === 'all';
    let data: unknown = input.in;
    let matched = false;
    for (const compiled of ctx.state.sets) {
      if (!compiled.matches(input.in)) continue;
      matched = true;
      if (compiled.properties.length > 0 && (typeof data !== 'object' || data === null || Array.isArray(data))) {
        throw inputError(ctx.component, 'in', 'an object (setProperty sets fields on it)', data);
      }
      for (const p of compiled.properties) data = setPath(data, p.path, p.value);
      for (const out of compiled.set.actions?.setOutput ?? []) emitDynamic(ctx, out.port, out.value);
      if (!all) break;
    }
    ctx.emit(matched ? 'matched' : 'unmatched', matched ? data : input.in);
  },
});

/** Emits on an outport added by `ports(config)` (not in the static port types). */
function emitDynamic(ctx: { emit(port: never, value: never): boolean }, port: string, value: unknown): void {
  (ctx.emit as (port: string, value: unknown) => boolean)(port, value);
}
