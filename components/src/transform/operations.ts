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

/** An item expression evaluated over an array: one value per item. */
type ItemsExpression = (items: unknown[], data: unknown) => unknown[];

/** Per item: [true, value] or [false, the error text, the item's index]. */
type ItemResult = [boolean, unknown, number?];

/** Items per sandbox call: one crossing per chunk instead of per item, and each call stays well inside the engine's deadline. */
const CHUNK = 256;

/** The sandbox function evaluating `source` over a chunk of items (`first` is the chunk's first index). */
function itemsFunction(source: string): string {
  return `(items, first, data) => items.map((item, i) => { const index = first + i; try { return [true, (${source}\n)]; } `
    + 'catch (e) { return [false, e instanceof Error ? `${e.name}: ${e.message}` : String(e), index]; } })';
}

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
    /** An item expression, evaluated over a whole array in a few sandbox calls (CHUNK items each). */
    const expr = (source: string, sub: string): ItemsExpression => {
      const at = `${field}[${i}].${sub}`;
      compileExpression(engine!, node, at, source); // the syntax check, with positions in the user's own text
      const fn = compileExpression(engine!, node, at, itemsFunction(source));
      // `data` (the whole input) crosses into the sandbox only when the expression mentions it.
      const usesData = /\bdata\b/.test(source);
      return (items, data) => {
        const out: unknown[] = [];
        for (let from = 0; from < items.length; from += CHUNK) {
          let results: ItemResult[];
          try {
            results = fn({}, [items.slice(from, from + CHUNK), from, usesData ? data : null]) as ItemResult[];
          } catch (error) {
            throw evaluationError(`${where}, items ${from}-${Math.min(items.length, from + CHUNK) - 1}`, error);
          }
          for (const [ok, value, index] of results) {
            if (!ok) throw new ActorflowError('EXPRESSION_ERROR', `${where}, item ${index}: ${String(value)} in '${source}'`, 'fix the expression, or filter such items out first');
            out.push(value);
          }
        }
        return out;
      };
    };
    /** The values the items are sorted/grouped/aggregated by. */
    const keysOf = (): ItemsExpression | undefined => {
      if ('field' in op && op.field !== undefined) {
        const path = parsePath(op.field);
        return (items) => items.map((item) => getPath(item, path));
      }
      if ('expression' in op && op.expression !== undefined) return expr(op.expression, 'expression');
      return undefined;
    };
    const needKeys = () => {
      const k = keysOf();
      if (!k) throw new ActorflowError('INVALID_CONFIG', `node '${node.nodeId}' (${node.component}) config field '${field}[${i}]': ${op.type} needs a field or an expression`, "add 'field' (a path) or 'expression'");
      return k;
    };
    switch (op.type) {
      case 'map': {
        const whole = op.expression !== undefined ? expr(op.expression, 'expression') : undefined;
        const sets = Object.entries(op.set ?? {}).map(([path, source]) => ({ path: parsePath(path), fn: expr(source, `set.${path}`) }));
        if (!whole && sets.length === 0) throw new ActorflowError('INVALID_CONFIG', `node '${node.nodeId}' (${node.component}) config field '${field}[${i}]': map needs an expression or set`, "add 'expression' (the new item) or 'set' (fields to set)");
        stages.push({
          where, run: (data) => {
            const items = asArray(where, data);
            let out = whole ? whole(items, data) : items;
            // Every `set` expression sees the item as it came in.
            for (const s of sets) {
              const values = s.fn(items, data);
              out = out.map((item, index) => setPath(item, s.path, values[index]));
            }
            return out;
          },
        });
        break;
      }
      case 'filter': {
        const fn = expr(op.expression, 'expression');
        stages.push({
          where, run: (data) => {
            const items = asArray(where, data);
            const keep = fn(items, data);
            return items.filter((_item, index) => keep[index]);
          },
        });
        break;
      }
      case 'sort': {
        const keys = needKeys();
        const sign = op.direction === 'desc' ? -1 : 1;
        stages.push({
          where, run: (data) => {
            const items = asArray(where, data);
            const k = keys(items, data);
            return items.map((item, index) => ({ item, key: k[index] })).sort((a, b) => sign * compare(a.key, b.key)).map((e) => e.item);
          },
        });
        break;
      }
      case 'group': {
        const keys = needKeys();
        stages.push({
          where, run: (data) => {
            const items = asArray(where, data);
            const k = keys(items, data);
            const groups: Record<string, unknown[]> = {};
            items.forEach((item, index) => {
              const key = k[index];
              const name = typeof key === 'string' ? key : key === undefined ? 'undefined' : JSON.stringify(key);
              (groups[name] ??= []).push(item);
            });
            return groups;
          },
        });
        break;
      }
      case 'aggregate': {
        const keys = op.function === 'count' ? keysOf() : needKeys();
        const reduce = (items: unknown[], data: unknown) => aggregate(where, op.function, keys ? keys(items, data) : items);
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
