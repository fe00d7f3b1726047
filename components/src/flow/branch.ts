// flow/Branch: if/else routing by Reflow's rule grammar or a condition expression.
import { defineActor } from '@actorflow/network';
import type { CompiledExpression } from '@actorflow/script';
import { compileRules, RULES_SCHEMA, type RuleMatcher, type RuleSet } from '../logic/rule-grammar.ts';
import { ERROR_PORT, evaluationError } from '../transform/errors.ts';
import { compileExpression, expressionEngine } from '../transform/expressions.ts';

interface BranchState {
  test?: RuleMatcher | CompiledExpression;
  kind?: 'rules' | 'condition';
}

export const Branch = defineActor({
  name: 'flow/Branch',
  description: 'Sends each packet to `true` or `false`: by `rules` (a rule set, or a list of which any may match; IF/OR groups of AND/OR rules: is, is_not, contains, not_contains, '
    + 'greater_than, less_than, greater_equal, less_equal, between, empty, not_empty) or by a `condition` expression over `data`.',
  category: 'flow',
  icon: 'git-branch',
  inports: { in: { description: 'The packet to test', required: true } },
  outports: {
    true: { description: 'Packets that match' },
    false: { description: 'Packets that do not match' },
    error: ERROR_PORT,
  },
  config: {
    type: 'object',
    examples: [{ rules: { type: 'IF', groups: [{ connector: 'AND', rules: [{ field: 'amount', operator: 'greater_than', value: 100 }, { field: 'status', operator: 'is', value: 'open' }] }] } }],
    properties: {
      rules: RULES_SCHEMA,
      condition: { type: 'string', minLength: 1, description: 'Expression over `data` (the packet), e.g. `data.amount > 100`; truthy → `true`' },
    },
    oneOf: [
      { required: ['rules'], description: 'rules: a rule set' },
      { required: ['condition'], description: 'condition: an expression' },
    ],
  },
  state: (): BranchState => ({}),
  async setup(ctx) {
    if (ctx.config.rules !== undefined) {
      ctx.state.kind = 'rules';
      ctx.state.test = compileRules(ctx.config.rules as RuleSet | RuleSet[]);
    } else {
      ctx.state.kind = 'condition';
      ctx.state.test = compileExpression(await expressionEngine(), ctx, 'condition', ctx.config.condition as string);
    }
  },
  process(input, ctx) {
    const data = input.in;
    let pass: boolean;
    if (ctx.state.kind === 'rules') pass = (ctx.state.test as RuleMatcher)(data);
    else {
      try {
        pass = Boolean((ctx.state.test as CompiledExpression)({ data }));
      } catch (error) {
        throw evaluationError(`condition '${ctx.config.condition as string}'`, error);
      }
    }
    ctx.emit(pass ? 'true' : 'false', data);
  },
});
