// transform/Operations: the data operations pipeline — map, filter, sort, group, aggregate,
// transform, merge and split over arrays, with expressions on the sandboxed expression engine.
import { ActorflowError, defineActor } from '@actorflow/network';
import type { ExpressionEngine } from '@actorflow/script';
import { ERROR_PORT, describeKind, evaluationError, inputError } from './errors.ts';
import { compileExpression, expressionEngine } from './expressions.ts';
import { getPath, parsePath, PATH_SCHEMA, setPath } from './paths.ts';
import { taggedSchema } from './tagged-schema.ts';

export const AGGREGATES = ['sum', 'avg', 'count', 'min', 'max', 'first', 'last'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** One step of the pipeline. Item expressions see `item`, `index` and `data` (the pipeline's input). */
export type Operation = { enabled?: boolean; description?: string } & (
  | { type: 'map'; expression?: string; set?: Record<string, string> }
  | { type: 'filter'; expression: string }
  | { type: 'sort'; field?: string; expression?: string; direction?: 'asc' | 'desc' }
  | { type: 'group'; field?: string; expression?: string }
  | { type: 'aggregate'; function: Aggregate; field?: string; expression?: string }
  | { type: 'transform'; expression: string }
  | { type: 'merge' }
  | { type: 'split' });

const KEY = {
  field: { ...PATH_SCHEMA, description: 'Field of each item to use (a path)' },
  expression: { type: 'string', minLength: 1, description: 'Expression (see the operation)' },
};

export const OPERATION_SCHEMA = taggedSchema('type', {
  map: { description: 'each item becomes `expression` (over item, index, data), and/or gets the fields of `set`', properties: { set: { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, description: 'Field path → expression (over item, index, data) setting it on each item' } } },
  filter: { description: 'keeps the items for which `expression` (over item, index, data) is truthy', required: ['expression'] },
  sort: { description: 'orders the items by `field` or `expression` (numbers, then text)', properties: { direction: { enum: ['asc', 'desc'], default: 'asc', description: 'Order' } } },
  group: { description: 'turns the items into `{ key: items[] }` by `field` or `expression`' },
  aggregate: { description: 'reduces the items (or each group) to one number: `function` of `field`/`expression` (count needs neither)', required: ['function'], properties: { function: { enum: AGGREGATES, description: 'sum, avg, count, min, max, first or last' } } },
  transform: { description: 'the whole value becomes `expression` (over data)', required: ['expression'] },
  merge: { description: 'merges an array of objects into one object (later ones win)' },
  split: { description: 'sends each item as its own packet (last operation only)' },
}, {
  ...KEY,
  enabled: { type: 'boolean', default: true, description: 'false skips the operation' },
  description: { type: 'string', description: 'What the operation is for' },
});

type Stage = (data: unknown) => unknown;

/** A compiled expression over one item (`at` says where, for errors). */
type ItemExpression = (item: unknown, index: number, data: unknown, at: string) => unknown;

interface Compiled {
  stages: { where: string; run: Stage }[];
  split: boolean;
}

function asArray(where: string, data: unknown): unknown[] {
  if (!Array.isArray(data)) throw new ActorflowError('INVALID_INPUT', `${where} works on an array, got ${describeKind(data)}`, 'send an array, or put a transform/group step before it that makes one');
  return data;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return String(a).localeCompare(String(b));
}

function aggregate(where: string, fn: Aggregate, values: unknown[]): number | unknown {
  if (fn === 'count') return values.length;
  if (fn === 'first') return values[0];
  if (fn === 'last') return values[values.length - 1];
  const numbers = values.map((v, i) => {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ActorflowError('INVALID_INPUT', `${where}: ${fn} needs numbers, item ${i} gives ${describeKind(v)}`, 'aggregate a numeric field, or filter such items out first');
    return v;
  });
  if (numbers.length === 0) return fn === 'sum' ? 0 : null;
  switch (fn) {
    case 'sum': return numbers.reduce((a, b) => a + b, 0);
    case 'avg': return numbers.reduce((a, b) => a + b, 0) / numbers.length;
    case 'min': return Math.min(...numbers);
    default: return Math.max(...numbers);
  }
}

/** Compiles a pipeline; `node` names the node in config errors. */
export function compileOperations(engine: ExpressionEngine | undefined, node: { nodeId: string; component: string }, operations: Operation[], field = 'operations'): Compiled {
  const stages: Compiled['stages'] = [];
  let split = false;
  operations.forEach((op, i) => {
    if (op.enabled === false) return;
    const where = `operation ${i + 1} (${op.type})`;
    if (split) throw new ActorflowError('INVALID_CONFIG', `node '${node.nodeId}' (${node.component}) config field '${field}[${i}]': no operation may follow a split`, 'make split the last operation');
    const expr = (source: string, sub: string): ItemExpression => {
      const fn = compileExpression(engine!, node, `${field}[${i}].${sub}`, source);
      // Only the names an expression mentions cross into the sandbox: handing every item
      // evaluation the whole input (`data`) would copy it once per item.
      const usesIndex = /\bindex\b/.test(source);
      const usesData = /\bdata\b/.test(source);
      return (item, index, data, at) => {
        const scope: Record<string, unknown> = { item };
        if (usesIndex) scope.index = index;
        if (usesData) scope.data = data;
        try {
          return fn(scope);
        } catch (error) {
          throw evaluationError(`${where}, ${at}`, error);
        }
      };
    };
    /** The value an item is sorted/grouped/aggregated by. */
    const keyOf = (): ((item: unknown, index: number, data: unknown) => unknown) | undefined => {
      if ('field' in op && op.field !== undefined) {
        const path = parsePath(op.field);
        return (item) => getPath(item, path);
      }
      if ('expression' in op && op.expression !== undefined) {
        const fn = expr(op.expression, 'expression');
        return (item, index, data) => fn(item, index, data, `item ${index}`);
      }
      return undefined;
    };
    const needKey = () => {
      const k = keyOf();
      if (!k) throw new ActorflowError('INVALID_CONFIG', `node '${node.nodeId}' (${node.component}) config field '${field}[${i}]': ${op.type} needs a field or an expression`, "add 'field' (a path) or 'expression'");
      return k;
    };
    switch (op.type) {
      case 'map': {
        const whole = op.expression !== undefined ? expr(op.expression, 'expression') : undefined;
        const sets = Object.entries(op.set ?? {}).map(([path, source]) => ({ path: parsePath(path), fn: expr(source, `set.${path}`) }));
        if (!whole && sets.length === 0) throw new ActorflowError('INVALID_CONFIG', `node '${node.nodeId}' (${node.component}) config field '${field}[${i}]': map needs an expression or set`, "add 'expression' (the new item) or 'set' (fields to set)");
        stages.push({
          where, run: (data) => asArray(where, data).map((item, index) => {
            let out = whole ? whole(item, index, data, `item ${index}`) : item;
            for (const s of sets) out = setPath(out, s.path, s.fn(item, index, data, `item ${index}`));
            return out;
          }),
        });
        break;
      }
      case 'filter': {
        const fn = expr(op.expression, 'expression');
        stages.push({ where, run: (data) => asArray(where, data).filter((item, index) => fn(item, index, data, `item ${index}`)) });
        break;
      }
      case 'sort': {
        const key = needKey();
        const sign = op.direction === 'desc' ? -1 : 1;
        stages.push({
          where, run: (data) => asArray(where, data)
            .map((item, index) => ({ item, key: key(item, index, data) }))
            .sort((a, b) => sign * compare(a.key, b.key))
            .map((e) => e.item),
        });
        break;
      }
      case 'group': {
        const key = needKey();
        stages.push({
          where, run: (data) => {
            const groups: Record<string, unknown[]> = {};
            asArray(where, data).forEach((item, index) => {
              const k = key(item, index, data);
              const name = typeof k === 'string' ? k : k === undefined ? 'undefined' : JSON.stringify(k);
              (groups[name] ??= []).push(item);
            });
            return groups;
          },
        });
        break;
      }
      case 'aggregate': {
        const key = op.function === 'count' ? keyOf() : needKey();
        const reduce = (items: unknown[], data: unknown) => aggregate(where, op.function, key ? items.map((item, index) => key(item, index, data)) : items);
        stages.push({
          where, run: (data) => {
            if (Array.isArray(data)) return reduce(data, data);
            if (typeof data === 'object' && data !== null && Object.values(data).every(Array.isArray)) {
              return Object.fromEntries(Object.entries(data as Record<string, unknown[]>).map(([k, items]) => [k, reduce(items, data)]));
            }
            throw new ActorflowError('INVALID_INPUT', `${where} works on an array or on groups ({ key: items[] }), got ${describeKind(data)}`, 'send an array, or group it first');
          },
        });
        break;
      }
      case 'transform': {
        const fn = compileExpression(engine!, node, `${field}[${i}].expression`, op.expression);
        stages.push({
          where, run: (data) => {
            try {
              return fn({ data });
            } catch (error) {
              throw evaluationError(where, error);
            }
          },
        });
        break;
      }
      case 'merge':
        stages.push({
          where, run: (data) => {
            const items = asArray(where, data);
            items.forEach((item, index) => {
              if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ActorflowError('INVALID_INPUT', `${where} merges objects, item ${index} is ${describeKind(item)}`, 'send an array of objects');
            });
            return Object.assign({}, ...items) as unknown;
          },
        });
        break;
      case 'split':
        split = true;
        break;
    }
  });
  return { stages, split };
}

/** Runs a compiled pipeline over one value. */
export function runOperations(compiled: Compiled, data: unknown): unknown {
  let value = data;
  for (const stage of compiled.stages) value = stage.run(value);
  return value;
}

/** Whether a pipeline has expressions (and so needs the expression engine). */
export function operationsNeedEngine(operations: Operation[]): boolean {
  return operations.some((op) => op.enabled !== false && (('expression' in op && op.expression !== undefined) || ('set' in op && op.set !== undefined)));
}

interface OperationsState {
  compiled?: Compiled;
}

export const Operations = defineActor({
  name: 'transform/Operations',
  description: 'Runs each packet through a pipeline of operations: map, filter, sort, group, aggregate, transform, merge, split. '
    + 'Item expressions see `item`, `index` and `data` (the whole input); `transform` expressions see `data`.',
  category: 'transform',
  icon: 'workflow',
  inports: { in: { description: 'The value to process (usually an array)', required: true } },
  outports: { out: { description: 'The result (each item separately when the pipeline ends with split)' }, error: ERROR_PORT },
  config: {
    type: 'object',
    examples: [{ operations: [{ type: 'filter', expression: "item.status === 'active'" }, { type: 'group', field: 'dept' }, { type: 'aggregate', function: 'sum', field: 'salary' }] }],
    required: ['operations'],
    properties: { operations: { type: 'array', minItems: 1, items: OPERATION_SCHEMA, description: 'Operations, applied in order' } },
  },
  state: (): OperationsState => ({}),
  async setup(ctx) {
    const operations = ctx.config.operations as Operation[];
    ctx.state.compiled = compileOperations(operationsNeedEngine(operations) ? await expressionEngine() : undefined, ctx, operations);
  },
  async process(input, ctx) {
    if (input.in === undefined) throw inputError(ctx.component, 'in', 'a value', input.in);
    const compiled = ctx.state.compiled!;
    const result = runOperations(compiled, input.in);
    if (!compiled.split) {
      ctx.emit('out', result);
      return;
    }
    for (const item of asArray('split', result)) if (!ctx.emit('out', item)) await ctx.drained();
  },
});
