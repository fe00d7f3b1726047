// transform/Transform: the data transformer — field extract/set/delete/rename, text case, JSON
// parse/stringify and templates, applied in order to each packet.
import { ActorflowError, defineActor } from '@actorflow/network';
import type { CompiledTemplate } from '@actorflow/script';
import { ERROR_PORT, describeKind, evaluationError, inputError } from './errors.ts';
import { compileTemplate, expressionEngine } from './expressions.ts';
import { deletePath, getPath, hasPath, parsePath, PATH_SCHEMA, setPath, type Path } from './paths.ts';
import { taggedSchema } from './tagged-schema.ts';

export type TransformStep =
  | { op: 'extract'; path: string }
  | { op: 'set'; path: string; value?: unknown; template?: string }
  | { op: 'delete'; path: string }
  | { op: 'rename'; path: string; to: string }
  | { op: 'case'; to: 'upper' | 'lower' | 'title'; path?: string }
  | { op: 'parseJson'; path?: string }
  | { op: 'stringifyJson'; path?: string; indent?: number }
  | { op: 'template'; template: string; path?: string };

const TARGET = { ...PATH_SCHEMA, description: 'Field the step works on (a path); omit it for the whole packet' };

export const TRANSFORM_STEP_SCHEMA = taggedSchema('op', {
  extract: { description: 'replace the packet by one of its fields', required: ['path'] },
  set: { description: 'set a field to `value` or to a filled-in `template`', required: ['path'], properties: { value: { description: 'Value to set' } } },
  delete: { description: 'remove a field', required: ['path'] },
  rename: { description: 'move a field to `to`', required: ['path', 'to'], properties: { to: { ...PATH_SCHEMA, description: 'New path of the field' } } },
  case: { description: 'change the case of a text', required: ['to'], properties: { to: { enum: ['upper', 'lower', 'title'], description: 'Target case' } } },
  parseJson: { description: 'parse JSON text' },
  stringifyJson: { description: 'write JSON text', properties: { indent: { type: 'integer', minimum: 0, maximum: 10, description: 'Spaces of indentation (0: compact)' } } },
  template: { description: 'the filled-in `template`, as the packet or (with path) a field', required: ['template'] },
}, {
  path: TARGET,
  template: { type: 'string', description: 'Text with ${…} holes over `data` (the packet; `value` is the same)' },
});

interface Step {
  run(data: unknown): unknown;
}

function titleCase(s: string): string {
  return s.toLowerCase().replace(/(^|[\s_-])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/** Applies `fn` to the field at `path` (or the packet), keeping the rest. */
function atPath(path: Path | undefined, what: string, fn: (v: unknown) => unknown): (data: unknown) => unknown {
  return (data) => {
    if (path === undefined) return fn(data);
    if (!hasPath(data, path)) throw new ActorflowError('INVALID_INPUT', `${what}: the packet has no field '${path.join('.')}'`, 'send packets that have the field, or fix the path');
    return setPath(data, path, fn(getPath(data, path)));
  };
}

function compileStep(step: TransformStep, i: number, fill: (text: string, field: string) => CompiledTemplate): Step {
  const where = `step ${i + 1} (${step.op})`;
  const path = 'path' in step && step.path !== undefined ? parsePath(step.path) : undefined;
  switch (step.op) {
    case 'extract': return { run: (d) => getPath(d, path!) };
    case 'delete': return { run: (d) => deletePath(d, path!) };
    case 'rename': {
      const to = parsePath(step.to);
      return { run: (d) => (hasPath(d, path!) ? setPath(deletePath(d, path!), to, getPath(d, path!)) : d) };
    }
    case 'set': {
      if (step.template !== undefined) {
        const t = fill(step.template, `operations[${i}].template`);
        return { run: (d) => setPath(d, path!, t({ data: d, value: d })) };
      }
      return { run: (d) => setPath(d, path!, step.value) };
    }
    case 'case': {
      const to = step.to;
      return {
        run: atPath(path, where, (v) => {
          if (typeof v !== 'string') throw new ActorflowError('INVALID_INPUT', `${where} expects a text, got ${describeKind(v)}`, 'apply case only to text fields');
          return to === 'upper' ? v.toUpperCase() : to === 'lower' ? v.toLowerCase() : titleCase(v);
        }),
      };
    }
    case 'parseJson': return {
      run: atPath(path, where, (v) => {
        const text = v instanceof Uint8Array ? new TextDecoder().decode(v) : v;
        if (typeof text !== 'string') throw new ActorflowError('INVALID_INPUT', `${where} expects JSON text, got ${describeKind(v)}`, 'send text (or bytes) holding JSON');
        try {
          return JSON.parse(text) as unknown;
        } catch (error) {
          throw new ActorflowError('INVALID_INPUT', `${where}: not valid JSON: ${(error as Error).message}`, 'send valid JSON text');
        }
      }),
    };
    case 'stringifyJson': {
      const indent = step.indent ?? 0;
      return { run: atPath(path, where, (v) => JSON.stringify(v, null, indent || undefined) ?? 'null') };
    }
    case 'template': {
      const t = fill(step.template, `operations[${i}].template`);
      return path === undefined ? { run: (d) => t({ data: d, value: d }) } : { run: (d) => setPath(d, path, t({ data: d, value: d })) };
    }
  }
}

interface TransformState {
  steps: Step[];
}

export const Transform = defineActor({
  name: 'transform/Transform',
  description: 'Applies `operations` to each packet in order: extract a field, set/delete/rename fields, change text case, '
    + 'parse or write JSON, fill in a template (`${data.name}`). The packet is never changed in place.',
  category: 'transform',
  icon: 'shuffle',
  inports: { in: { description: 'The packet to transform', required: true } },
  outports: { out: { description: 'The transformed packet' }, error: ERROR_PORT },
  config: {
    type: 'object',
    examples: [{ operations: [{ op: 'parseJson' }, { op: 'extract', path: 'user' }, { op: 'set', path: 'greeting', template: 'Hello ${data.name}' }] }],
    required: ['operations'],
    properties: { operations: { type: 'array', minItems: 1, items: TRANSFORM_STEP_SCHEMA, description: 'Steps, applied in order' } },
  },
  state: (): TransformState => ({ steps: [] }),
  async setup(ctx) {
    const operations = ctx.config.operations as TransformStep[];
    const needsEngine = operations.some((s) => 'template' in s && s.template !== undefined);
    const engine = needsEngine ? await expressionEngine() : undefined;
    ctx.state.steps = operations.map((s, i) => compileStep(s, i, (text, field) => compileTemplate(engine!, ctx, field, text)));
  },
  process(input, ctx) {
    if (input.in === undefined) throw inputError(ctx.component, 'in', 'a packet', input.in);
    let data: unknown = input.in;
    const steps = ctx.state.steps;
    for (let i = 0; i < steps.length; i++) {
      try {
        data = steps[i].run(data);
      } catch (error) {
        if (error instanceof ActorflowError && error.code === 'INVALID_INPUT') throw error;
        throw evaluationError(`step ${i + 1}`, error);
      }
    }
    ctx.emit('out', data);
  },
});
