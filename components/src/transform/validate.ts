// transform/Validate: JSON Schema validation of packets (the network's Ajv-based validateValue).
import { ActorflowError, defineActor, validateValue, type JsonSchema } from '@actorflow/network';
import { ERROR_PORT, configError } from './errors.ts';

export const Validate = defineActor({
  name: 'transform/Validate',
  description: 'Checks each packet against a JSON Schema (draft-07, 2019-09 or 2020-12 by `$schema`): valid packets go to `valid`, '
    + 'others to `invalid` as `{ value, problems }` (each problem: path, message, hint) — or fail the firing with `onInvalid: error`.',
  category: 'transform',
  icon: 'shield-check',
  inports: { in: { description: 'The packet to check', required: true } },
  outports: {
    valid: { description: 'Packets that satisfy the schema' },
    invalid: { type: 'object', description: '`{ value, problems: [{ path, message, hint }] }` for packets that do not' },
    error: ERROR_PORT,
  },
  config: {
    type: 'object',
    examples: [{ schema: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } }],
    required: ['schema'],
    properties: {
      schema: { type: ['object', 'boolean'], description: 'The JSON Schema packets must satisfy' },
      onInvalid: { enum: ['route', 'error'], default: 'route', description: 'route: send to `invalid`; error: fail the firing (INVALID_MESSAGE, to the `error` port if connected)' },
    },
  },
  setup(ctx) {
    const broken = validateValue(ctx.config.schema as JsonSchema, null).find((p) => p.code === 'INVALID_SCHEMA');
    if (broken) throw configError(ctx, 'schema', broken.message, broken.hint);
  },
  process(input, ctx) {
    const problems = validateValue(ctx.config.schema as JsonSchema, input.in, '$', 'packet')
      .map(({ path, message, hint }) => ({ path, message, hint }));
    if (problems.length === 0) {
      ctx.emit('valid', input.in);
      return;
    }
    if (ctx.config.onInvalid === 'error') {
      const list = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ');
      throw new ActorflowError('INVALID_MESSAGE', `${ctx.component}: the packet does not satisfy the schema: ${list}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`, problems[0].hint);
    }
    ctx.emit('invalid', { value: input.in, problems });
  },
});
