// Reflow's rule grammar (Zeal's `rules` property type), shared by flow/Branch and logic/Rules:
// a rule set is IF (every group must match) or OR (any group), each group joins its rules with
// AND or OR, and each rule compares one field of the message with a value:
//   is, is_not, contains, not_contains, greater_than, less_than, greater_equal, less_equal,
//   between ([min, max], inclusive), empty, not_empty.
// `valueType` (string | number | date | boolean) converts both sides before comparing; without
// it numbers compare as numbers, dates (Date or ISO text with valueType date) as instants, other
// text as text. A missing field is empty: `is` fails, `is_not` holds, comparisons fail.
import { getPath, parsePath, PATH_SCHEMA, type Path } from '../transform/paths.ts';

export const RULE_OPERATORS = [
  'is', 'is_not', 'contains', 'not_contains', 'greater_than', 'less_than', 'greater_equal', 'less_equal', 'between', 'empty', 'not_empty',
] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];
export type ValueType = 'string' | 'number' | 'date' | 'boolean';

export interface Rule {
  id?: string;
  /** Field path into the message; absent: the message itself. */
  field?: string;
  operator: RuleOperator;
  value?: unknown;
  valueType?: ValueType;
}

export interface RuleGroup {
  id?: string;
  connector?: 'AND' | 'OR';
  rules: Rule[];
}

export interface RuleSet {
  id?: string;
  type?: 'IF' | 'OR';
  groups: RuleGroup[];
}

const RULE_SCHEMA = {
  type: 'object',
  required: ['operator'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    field: { ...PATH_SCHEMA, description: 'Field of the message to test (a path); omit it to test the whole message' },
    operator: { enum: RULE_OPERATORS, description: 'How the field is compared with `value`' },
    value: { description: 'Value to compare with; for `between` a [min, max] pair' },
    valueType: { enum: ['string', 'number', 'date', 'boolean'], description: 'Convert both sides to this type before comparing' },
  },
  allOf: [
    {
      if: { properties: { operator: { const: 'between' } } },
      then: { required: ['value'], properties: { value: { type: 'array', minItems: 2, maxItems: 2, description: '[min, max], both inclusive' } } },
    },
    {
      if: { properties: { operator: { enum: ['is', 'is_not', 'contains', 'not_contains', 'greater_than', 'less_than', 'greater_equal', 'less_equal'] } } },
      then: { required: ['value'] },
    },
  ],
} as const;

const GROUP_SCHEMA = {
  type: 'object',
  required: ['rules'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    connector: { enum: ['AND', 'OR'], default: 'AND', description: 'AND: every rule must hold; OR: any rule' },
    rules: { type: 'array', minItems: 1, items: RULE_SCHEMA, description: 'The rules of the group' },
  },
} as const;

/** JSON Schema properties of a rule set (extend it with more, e.g. actions). */
export const RULE_SET_PROPERTIES = {
  id: { type: 'string' },
  type: { enum: ['IF', 'OR'], default: 'IF', description: 'IF: every group must match; OR: any group' },
  groups: { type: 'array', minItems: 1, items: GROUP_SCHEMA, description: 'Groups of rules' },
} as const;

/** JSON Schema of a rule set. */
export const RULE_SET_SCHEMA = {
  type: 'object',
  required: ['groups'],
  additionalProperties: false,
  properties: RULE_SET_PROPERTIES,
  description: 'Rules: IF/OR over groups of AND/OR rules (Reflow/Zeal grammar)',
} as const;

/** JSON Schema of rules: one rule set, or a list of rule sets of which any may match. */
export const RULES_SCHEMA = {
  type: ['object', 'array'],
  if: { type: 'array' },
  then: { minItems: 1, items: RULE_SET_SCHEMA },
  else: RULE_SET_SCHEMA,
  description: 'A rule set (IF/OR over groups of AND/OR rules), or a list of rule sets of which any may match',
} as const;

/** A compiled rule set: true when the message matches. */
export type RuleMatcher = (message: unknown) => boolean;

type Test = (field: unknown) => boolean;

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object' && !(v instanceof Date)) return Object.keys(v).length === 0;
  return false;
}

function convert(v: unknown, type: ValueType | undefined): unknown {
  if (v === undefined || v === null || type === undefined) return v;
  switch (type) {
    case 'string': return typeof v === 'string' ? v : typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : String(v);
    case 'number': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
      return Number.isNaN(n) ? undefined : n;
    }
    case 'date': {
      const t = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
      return Number.isNaN(t) ? undefined : t;
    }
    case 'boolean': return v === true || v === 'true' || v === 1 ? true : v === false || v === 'false' || v === 0 ? false : undefined;
  }
}

/** A comparable number (numbers, numeric text, dates), or undefined. */
function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/** -1/0/1, or undefined when the two cannot be ordered. */
function order(a: unknown, b: unknown): number | undefined {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return Math.sign(x - y);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** Deep equality; primitives of different types compare by their text (`18` is `"18"`). */
export function looselyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (a instanceof Date || b instanceof Date) return numeric(a) !== undefined && numeric(a) === numeric(b);
  if (typeof a !== 'object' && typeof b !== 'object') return String(a) === String(b);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && looselyEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function contains(field: unknown, needle: unknown): boolean {
  if (typeof field === 'string') return needle !== undefined && needle !== null && field.includes(String(needle));
  if (Array.isArray(field)) return field.some((item) => looselyEqual(item, needle));
  if (typeof field === 'object' && field !== null) return Object.hasOwn(field, String(needle));
  return false;
}

function compileRule(rule: Rule): (message: unknown) => boolean {
  const path: Path | undefined = rule.field === undefined || rule.field === '' ? undefined : parsePath(rule.field);
  const type = rule.valueType;
  const value = rule.operator === 'between' ? (rule.value as unknown[]).map((v) => convert(v, type)) : convert(rule.value, type);
  const ordered = (accept: (o: number) => boolean): Test => (f) => {
    const o = order(f, value);
    return o !== undefined && accept(o);
  };
  const tests: Record<RuleOperator, Test> = {
    is: (f) => looselyEqual(f, value),
    is_not: (f) => !looselyEqual(f, value),
    contains: (f) => contains(f, value),
    not_contains: (f) => !contains(f, value),
    greater_than: ordered((o) => o > 0),
    less_than: ordered((o) => o < 0),
    greater_equal: ordered((o) => o >= 0),
    less_equal: ordered((o) => o <= 0),
    between: (f) => {
      const [min, max] = value as unknown[];
      const low = order(f, min);
      const high = order(f, max);
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    },
    empty: isEmpty,
    not_empty: (f) => !isEmpty(f),
  };
  const test = tests[rule.operator];
  return (message) => test(convert(path === undefined ? message : getPath(message, path), type));
}

/** Compiles rules: a rule set, or a list of rule sets of which any may match. */
export function compileRules(rules: RuleSet | RuleSet[]): RuleMatcher {
  if (!Array.isArray(rules)) return compileRuleSet(rules);
  const sets = rules.map(compileRuleSet);
  return (m) => sets.some((s) => s(m));
}

/** Compiles a rule set (paths parsed once); the result tests messages. */
export function compileRuleSet(set: RuleSet): RuleMatcher {
  const groups = set.groups.map((group) => {
    const rules = group.rules.map(compileRule);
    return group.connector === 'OR'
      ? (m: unknown) => rules.some((r) => r(m))
      : (m: unknown) => rules.every((r) => r(m));
  });
  return set.type === 'OR'
    ? (m) => groups.some((g) => g(m))
    : (m) => groups.every((g) => g(m));
}
