// transform/Map and transform/Filter: one expression per packet.
import { defineActor } from '@actorflow/network';
import type { CompiledExpression } from '@actorflow/script';
import { ERROR_PORT, evaluationError } from './errors.ts';
import { compileExpression, expressionEngine } from './expressions.ts';

interface ExpressionState {
  fn?: CompiledExpression;
}

const EXPRESSION_CONFIG = (what: string, example: string) => ({
  type: 'object',
  examples: [{ expression: example }],
  required: ['expression'],
  properties: { expression: { type: 'string', minLength: 1, description: what } },
});

export const Map = defineActor({
  name: 'transform/Map',
  description: 'Replaces each packet by the value of `expression` over `data` (the packet), e.g. `({ ...data, total: data.price * data.qty })`; '
    + 'a function expression (`x => x * 2`) is called with the packet.',
  category: 'transform',
  icon: 'function-square',
  inports: { in: { description: 'The packet', required: true } },
  outports: { out: { description: 'The value of the expression' }, error: ERROR_PORT },
  config: EXPRESSION_CONFIG('Expression over `data` (the packet), or a function of the packet', '({ ...data, total: data.price * data.qty })'),
  state: (): ExpressionState => ({}),
  async setup(ctx) {
    ctx.state.fn = compileExpression(await expressionEngine(), ctx, 'expression', ctx.config.expression as string);
  },
  process(input, ctx) {
    try {
      ctx.emit('out', ctx.state.fn!({ data: input.in }, [input.in]));
    } catch (error) {
      throw evaluationError(`expression '${ctx.config.expression as string}'`, error);
    }
  },
});

export const Filter = defineActor({
  name: 'transform/Filter',
  description: 'Forwards the packets for which `expression` over `data` is truthy to `out`, the others to `rejected`; '
    + 'a function expression (`x => x > 0`) is called with the packet.',
  category: 'transform',
  icon: 'filter',
  inports: { in: { description: 'The packet', required: true } },
  outports: {
    out: { description: 'Packets that pass' },
    rejected: { description: 'Packets that do not' },
    error: ERROR_PORT,
  },
  config: EXPRESSION_CONFIG('Condition over `data` (the packet), e.g. `data.status === "active"`, or a function of the packet', 'data.total > 100'),
  state: (): ExpressionState => ({}),
  async setup(ctx) {
    ctx.state.fn = compileExpression(await expressionEngine(), ctx, 'expression', ctx.config.expression as string);
  },
  process(input, ctx) {
    let pass: unknown;
    try {
      pass = ctx.state.fn!({ data: input.in }, [input.in]);
    } catch (error) {
      throw evaluationError(`expression '${ctx.config.expression as string}'`, error);
    }
    ctx.emit(pass ? 'out' : 'rejected', input.in);
  },
});
