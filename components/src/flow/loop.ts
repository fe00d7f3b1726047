// flow/Loop: iterates over a collection: each item (and its index), then `done`.
import { ActorflowError, defineActor } from '@actorflow/network';
import type { CompiledExpression } from '@actorflow/script';
import { ERROR_PORT, evaluationError, inputError } from '../transform/errors.ts';
import { compileExpression, expressionEngine } from '../transform/expressions.ts';

interface LoopState {
  stop?: CompiledExpression;
}

export const Loop = defineActor({
  name: 'flow/Loop',
  description: 'Iterates over an array: sends each item on `item` and its position on `index` (or chunks of `batchSize` items), '
    + 'then a summary on `done`. `breakCondition` (an expression over `item`, `index`, `data`) stops early.',
  category: 'flow',
  icon: 'repeat',
  inports: { in: { type: 'array', description: 'The collection to iterate over', required: true } },
  outports: {
    item: { description: 'Each item (an array of up to batchSize items when batchSize > 1)' },
    index: { type: 'integer', description: 'Position of the item (of the first item of the batch)' },
    done: { type: 'object', description: '`{ count, total, stopped }` once the iteration ends: items sent, items in the collection, whether breakCondition stopped it' },
    error: ERROR_PORT,
  },
  config: {
    type: 'object',
    examples: [{ batchSize: 1, breakCondition: "item.status === 'stop'" }],
    properties: {
      batchSize: { type: 'integer', minimum: 1, default: 1, description: 'Items per `item` packet; above 1 each packet is an array' },
      maxIterations: { type: 'integer', minimum: 1, default: 100_000, description: 'Safety limit: a collection needing more iterations is rejected (INVALID_INPUT) before anything is sent' },
      breakCondition: { type: 'string', minLength: 1, description: 'Expression over `item`, `index` and `data` (the collection); when truthy the loop stops before that item' },
    },
  },
  state: (): LoopState => ({}),
  async setup(ctx) {
    const source = ctx.config.breakCondition as string | undefined;
    if (source !== undefined) ctx.state.stop = compileExpression(await expressionEngine(), ctx, 'breakCondition', source);
  },
  async process(input, ctx) {
    const data = input.in;
    if (!Array.isArray(data)) throw inputError(ctx.component, 'in', 'an array', data);
    const { batchSize, maxIterations } = ctx.config as { batchSize: number; maxIterations: number };
    const iterations = Math.ceil(data.length / batchSize);
    if (iterations > maxIterations) {
      throw new ActorflowError('INVALID_INPUT', `${ctx.component}: the collection needs ${iterations} iterations, more than maxIterations (${maxIterations})`, 'raise maxIterations or use a larger batchSize');
    }
    const stop = ctx.state.stop;
    let count = 0;
    let stopped = false;
    for (let index = 0; index < data.length; index += batchSize) {
      const item = batchSize === 1 ? data[index] : data.slice(index, index + batchSize);
      if (stop) {
        let hit: unknown;
        try {
          hit = stop({ item, index, data });
        } catch (error) {
          throw evaluationError(`breakCondition at index ${index}`, error);
        }
        if (hit) {
          stopped = true;
          break;
        }
      }
      ctx.emit('index', index);
      const room = ctx.emit('item', item);
      count += batchSize === 1 ? 1 : (item as unknown[]).length;
      if (!room) await ctx.drained();
    }
    ctx.emit('done', { count, total: data.length, stopped });
  },
});
