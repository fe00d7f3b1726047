// Reflow/Zeal data property values → our configs: Zeal's `dataOperations` (DataOperationSet[])
// and Reflow's single `transform_type` step, both as a transform/Operations pipeline.
import type { Operation } from '../transform/operations.ts';
import { parsePath } from '../transform/paths.ts';

/** Zeal's DataOperation (types/workflow.ts). */
export interface ZealDataOperation {
  id?: string;
  type: 'map' | 'filter' | 'sort' | 'transform' | 'group' | 'aggregate' | 'merge' | 'split';
  enabled?: boolean;
  mapping?: { sourceField: string; targetField: string; transform?: string }[];
  filterExpression?: string;
  sortField?: string;
  sortDirection?: 'asc' | 'desc';
  transformExpression?: string;
  groupByField?: string;
  aggregateField?: string;
  aggregateFunction?: 'sum' | 'avg' | 'count' | 'min' | 'max' | 'first' | 'last';
  description?: string;
}

export interface ZealDataOperationSet {
  id?: string;
  name?: string;
  operations: ZealDataOperation[];
}

const PLAIN_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\])*$/;

/** JS for reading `path` from `root` without failing on missing steps: root?.["a"]?.[0]. */
export function accessor(root: string, path: string): string {
  return root + parsePath(path).map((k) => `?.[${JSON.stringify(k)}]`).join('');
}

/** Zeal item expressions call the item `data`; ours call it `item`. */
function itemExpression(source: string): string {
  return `((data) => (${source}))(item)`;
}

/** A Zeal field reference: a plain field path, or an expression over `data` (the item). */
function keyOf(text: string | undefined): { field: string } | { expression: string } | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const t = text.trim();
  if (PLAIN_PATH.test(t) && !/^(data|item)([.[]|$)/.test(t)) return { field: t };
  return { expression: itemExpression(t) };
}

/** Zeal's operation sets → one pipeline (the sets' operations in order; disabled ones left out). */
export function fromZealOperations(sets: ZealDataOperationSet[]): Operation[] {
  const out: Operation[] = [];
  for (const op of sets.flatMap((s) => s.operations)) {
    if (op.enabled === false) continue;
    switch (op.type) {
      case 'map': {
        const set: Record<string, string> = {};
        for (const m of op.mapping ?? []) {
          if (!m.targetField) continue;
          set[m.targetField] = m.transform && m.transform.trim() !== '' ? itemExpression(m.transform) : accessor('item', m.sourceField);
        }
        if (Object.keys(set).length > 0) out.push({ type: 'map', set });
        break;
      }
      case 'filter':
        if (op.filterExpression?.trim()) out.push({ type: 'filter', expression: op.filterExpression });
        break;
      case 'sort': {
        const key = keyOf(op.sortField);
        if (key) out.push({ type: 'sort', ...key, direction: op.sortDirection ?? 'asc' });
        break;
      }
      case 'transform':
        if (op.transformExpression?.trim()) out.push({ type: 'transform', expression: op.transformExpression });
        break;
      case 'group': {
        const key = keyOf(op.groupByField);
        if (key) out.push({ type: 'group', ...key });
        break;
      }
      case 'aggregate': {
        // Reflow answers `{ <function>: result }`.
        const fn = op.aggregateFunction ?? 'sum';
        const key = keyOf(op.aggregateField);
        out.push(key ? { type: 'aggregate', function: fn, ...key } : { type: 'aggregate', function: 'count' });
        out.push({ type: 'transform', expression: `({ ${JSON.stringify(key ? fn : 'count')}: data })` });
        break;
      }
      case 'merge':
      case 'split':
        out.push({ type: op.type });
        break;
    }
  }
  return out;
}

export const REFLOW_TRANSFORM_TYPES = ['passthrough', 'to_uppercase', 'to_lowercase', 'to_json', 'from_json', 'extract_field', 'set_field', 'template'] as const;

const TEXT = `(typeof data === 'string' ? data : JSON.stringify(data))`;

/** Reflow's DataTransformActor step (transform_type + field/value/template) → one transform expression. */
export function fromReflowTransform(values: Record<string, unknown>): Operation {
  const type = (values.transform_type ?? values.operation ?? 'passthrough') as (typeof REFLOW_TRANSFORM_TYPES)[number];
  const field = JSON.stringify(values.field_name ?? values.field ?? '');
  const value = JSON.stringify(values.field_value ?? values.value ?? null);
  const expressions: Record<(typeof REFLOW_TRANSFORM_TYPES)[number], () => string> = {
    passthrough: () => 'data',
    to_uppercase: () => `typeof data === 'string' ? data.toUpperCase() : data`,
    to_lowercase: () => `typeof data === 'string' ? data.toLowerCase() : data`,
    to_json: () => 'JSON.stringify(data)',
    from_json: () => `typeof data === 'string' ? JSON.parse(data) : data`,
    extract_field: () => `data !== null && typeof data === 'object' ? (data[${field}] ?? null) : data`,
    set_field: () => `({ ...(data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {}), [${field}]: ${value} })`,
    template: () => String(values.template ?? '${value}').split('${value}').map((part) => JSON.stringify(part)).join(` + ${TEXT} + `),
  };
  return { type: 'transform', expression: expressions[type]() };
}
