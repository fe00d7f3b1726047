// Reflow's Zeal templates, mapped onto our components with the templates' port ids (and the port
// names of Reflow's actors for them) and their property values. Port ids and properties follow
// Zeal's template definitions (logic-control, data-processing) and Reflow's reflow_components.
import { Branch } from '../flow/branch.ts';
import { Loop } from '../flow/loop.ts';
import { Switch } from '../flow/switch.ts';
import { RULE_SET_PROPERTIES, RULES_SCHEMA } from '../logic/rule-grammar.ts';
import { Rules } from '../logic/rules.ts';
import { Operations, type Operation } from '../transform/operations.ts';
import type { TemplateSpec } from './adapter.ts';
import { accessor, fromReflowTransform, fromZealOperations, REFLOW_TRANSFORM_TYPES, type ZealDataOperationSet } from './reflow-data.ts';

const text = (description: string) => ({ type: ['string', 'number', 'boolean'], description });

/** Zeal's `dataOperations` property: DataOperationSet[] (each `{ id, name, operations }`). */
const DATA_OPERATIONS = {
  type: 'array',
  description: 'Operation sets (Zeal DataOperationSet[]); their operations run as one pipeline, in order',
  items: {
    type: 'object',
    required: ['operations'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      operations: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type'],
          properties: {
            id: { type: 'string' },
            type: { enum: ['map', 'filter', 'sort', 'transform', 'group', 'aggregate', 'merge', 'split'], description: 'Operation' },
            enabled: { type: 'boolean', description: 'false skips it' },
            mapping: { type: 'array', items: { type: 'object', required: ['targetField'], properties: { sourceField: { type: 'string' }, targetField: { type: 'string', minLength: 1 }, transform: { type: 'string', description: 'Expression over `data` (the item)' } } } },
            filterExpression: { type: 'string', description: 'Condition over `item`' },
            sortField: { type: 'string', description: 'Field, or expression over `data` (the item)' },
            sortDirection: { enum: ['asc', 'desc'] },
            transformExpression: { type: 'string', description: 'Expression over `data` (the whole value)' },
            groupByField: { type: 'string', description: 'Field, or expression over `data` (the item)' },
            aggregateField: { type: 'string', description: 'Field, or expression over `data` (the item)' },
            aggregateFunction: { enum: ['sum', 'avg', 'count', 'min', 'max', 'first', 'last'] },
            description: { type: 'string' },
          },
        },
      },
    },
  },
} as const;

/** Reflow's DataTransformActor properties (one step). */
const REFLOW_TRANSFORM = {
  transform_type: { enum: REFLOW_TRANSFORM_TYPES, description: "Reflow's single transformation (when there are no dataOperations)" },
  operation: { enum: REFLOW_TRANSFORM_TYPES, description: 'Same as transform_type' },
  field_name: { type: 'string', description: 'Field for extract_field / set_field' },
  field: { type: 'string', description: 'Same as field_name' },
  field_value: { description: 'Value for set_field' },
  value: { description: 'Same as field_value' },
  template: { type: 'string', description: 'Template for `template`: `${value}` is replaced by the packet (text, or JSON)' },
} as const;

function pipeline(values: Record<string, any>): Operation[] {
  const ops = Array.isArray(values.dataOperations) ? fromZealOperations(values.dataOperations as ZealDataOperationSet[]) : [];
  if (ops.length > 0) return ops;
  return [fromReflowTransform(values)];
}

/** Reflow's fallback condition of ConditionalBranchActor (no decisionRules) → our Branch config. */
function reflowCondition(values: Record<string, any>): Record<string, unknown> {
  const type = values.condition_type ?? 'equals';
  const field = values.condition_field ?? values.field;
  const value = values.condition_value ?? values.value;
  const operator = ({ equals: 'is', greater_than: 'greater_than', less_than: 'less_than', contains: 'contains', is_empty: 'empty' } as Record<string, string>)[type];
  if (operator === undefined) return { condition: field === undefined ? 'Array.isArray(data) ? data.length > 0 : Boolean(data)' : `Boolean(${accessor('data', String(field))})` };
  return { rules: { type: 'IF', groups: [{ connector: 'AND', rules: [{ ...(field !== undefined ? { field: String(field) } : {}), operator, ...(operator === 'empty' ? {} : { value }) }] }] } };
}

/** A case value that nothing equals: stands for a case the template leaves empty, keeping the slots aligned. */
const NO_CASE = Object.freeze({ 'zeal:unset-case': true });

export const LOGIC_DATA_TEMPLATE_SPECS: TemplateSpec[] = [
  {
    id: 'tpl_if_branch',
    name: 'zeal/IfBranch',
    target: Branch,
    description: 'If Branch: routes each packet to True or False by decision rules.',
    icon: 'git-branch',
    inports: { 'input-in': 'in', data: 'in' },
    outports: { 'true-out': { port: 'true' }, 'false-out': { port: 'false' } },
    properties: {
      type: 'object',
      examples: [{ decisionRules: { type: 'IF', groups: [{ connector: 'AND', rules: [{ field: 'price', operator: 'greater_than', value: '100', valueType: 'number' }] }] } }],
      additionalProperties: false,
      properties: {
        decisionRules: RULES_SCHEMA,
        condition_type: { enum: ['equals', 'greater_than', 'less_than', 'contains', 'is_empty', 'truthy'], description: "Reflow's simple condition (when there are no decisionRules)" },
        condition_field: { type: 'string', description: 'Field for the simple condition' },
        field: { type: 'string', description: 'Same as condition_field' },
        condition_value: { description: 'Value for the simple condition' },
        value: { description: 'Same as condition_value' },
      },
      anyOf: [{ required: ['decisionRules'], description: 'decisionRules' }, { required: ['condition_type'], description: 'condition_type (Reflow)' }],
    },
    config: (v) => (v.decisionRules !== undefined ? { rules: v.decisionRules } : reflowCondition(v)),
  },
  {
    id: 'tpl_switch',
    name: 'zeal/Switch',
    target: Switch,
    description: 'Switch: routes each packet by the value of a field to Case 1-3 (Reflow: 1-4) or Default.',
    icon: 'split',
    inports: { 'input-in': 'in', data: 'in' },
    outports: {
      'case1-out': { port: 'case', index: 0 }, 'case2-out': { port: 'case', index: 1 }, 'case3-out': { port: 'case', index: 2 }, 'default-out': { port: 'default' },
      case1: { port: 'case', index: 0 }, case2: { port: 'case', index: 1 }, case3: { port: 'case', index: 2 }, case4: { port: 'case', index: 3 }, default: { port: 'default' },
    },
    properties: {
      type: 'object',
      examples: [{ switchField: 'status', case1Value: 'active', case2Value: 'pending', case3Value: 'inactive' }],
      additionalProperties: false,
      properties: {
        switchField: { type: 'string', description: 'Field name to switch on (omit: the whole packet)' },
        switch_field: { type: 'string', description: 'Same as switchField (Reflow)' },
        case1Value: text('Value of Case 1'), case2Value: text('Value of Case 2'), case3Value: text('Value of Case 3'),
        case1_value: text('Same as case1Value (Reflow)'), case2_value: text('Same as case2Value (Reflow)'), case3_value: text('Same as case3Value (Reflow)'), case4_value: text('Value of case 4 (Reflow)'),
        caseSensitive: { type: 'boolean', default: true, description: 'Compare text case-sensitively' },
      },
    },
    config: (v) => {
      const field = v.switchField ?? v.switch_field;
      const cases = [1, 2, 3, 4].map((n) => v[`case${n}Value`] ?? v[`case${n}_value`] ?? NO_CASE);
      while (cases.length > 1 && cases[cases.length - 1] === NO_CASE) cases.pop();
      return { ...(field ? { field } : {}), cases, caseSensitive: v.caseSensitive };
    },
  },
  {
    id: 'tpl_loop',
    name: 'zeal/Loop',
    target: Loop,
    description: 'Loop: iterates over an array — Current Item, Index, then Done.',
    icon: 'repeat',
    inports: { 'items-in': 'in', collection: 'in' },
    outports: { 'item-out': { port: 'item' }, 'index-out': { port: 'index' }, 'done-out': { port: 'done' }, item: { port: 'item' }, completed: { port: 'done' } },
    properties: {
      type: 'object',
      examples: [{ loopType: 'for-each', batchSize: 1, maxIterations: 1000, breakCondition: "item.status === 'stop'" }],
      additionalProperties: false,
      properties: {
        loopType: { enum: ['for-each'], default: 'for-each', description: 'Only for-each is supported (while / do-while: use for-each with breakCondition)' },
        batchSize: { type: 'integer', minimum: 1, default: 1, description: 'Items per iteration' },
        maxIterations: { type: 'integer', minimum: 1, default: 1000, description: 'Safety limit for iterations' },
        breakCondition: { type: 'string', description: "Expression over `item` (and `index`, `data`) that stops the loop, e.g. item.status === 'stop'" },
      },
    },
    config: (v) => ({ batchSize: v.batchSize, maxIterations: v.maxIterations, ...(typeof v.breakCondition === 'string' && v.breakCondition.trim() ? { breakCondition: v.breakCondition } : {}) }),
  },
  {
    id: 'tpl_data_transformer',
    name: 'zeal/DataTransformer',
    target: Operations,
    description: 'Data Transformer: runs the data operations (map, filter, sort, transform, group, aggregate, merge, split) on each packet; '
      + "without dataOperations, Reflow's single transform_type step.",
    icon: 'shuffle',
    inports: { 'data-in': 'in', input: 'in' },
    outports: { 'transformed-out': { port: 'out' }, output: { port: 'out' } },
    errorPorts: ['errors-out', 'error'],
    properties: {
      type: 'object',
      examples: [{ dataOperations: [{ id: 'set1', name: 'active users', operations: [{ id: 'op1', type: 'filter', enabled: true, filterExpression: "item.status === 'active'" }, { id: 'op2', type: 'sort', enabled: true, sortField: 'name', sortDirection: 'asc' }] }] }],
      additionalProperties: false,
      properties: {
        dataOperations: DATA_OPERATIONS,
        errorHandling: { enum: ['ignore', 'skip_item', 'stop_pipeline', 'log_and_continue'], default: 'log_and_continue', description: 'Accepted for compatibility: a failed packet goes to Errors when it is connected, otherwise it fails the node' },
        batchSize: { type: 'integer', minimum: 1, default: 1000, description: 'Accepted for compatibility (each packet is processed whole)' },
        enableValidation: { type: 'boolean', default: true, description: 'Accepted for compatibility (operations always check their input)' },
        ...REFLOW_TRANSFORM,
      },
    },
    config: (v) => ({ operations: pipeline(v) }),
  },
  {
    id: 'tpl_data_operations',
    name: 'zeal/DataOperations',
    target: Operations,
    description: "Data Operations: Reflow's DataOperationsActor — the dataOperations pipeline on each packet.",
    icon: 'workflow',
    inports: { data: 'in', 'data-in': 'in' },
    outports: { output: { port: 'out' }, 'transformed-out': { port: 'out' } },
    errorPorts: ['error', 'errors-out'],
    properties: {
      type: 'object',
      examples: [{ dataOperations: [{ operations: [{ type: 'aggregate', aggregateField: 'amount', aggregateFunction: 'sum' }] }] }],
      additionalProperties: false,
      required: ['dataOperations'],
      properties: { dataOperations: DATA_OPERATIONS },
    },
    config: (v) => ({ operations: pipeline(v) }),
  },
  {
    id: 'tpl_rules_engine',
    name: 'zeal/RulesEngine',
    target: Rules,
    description: "Rules Engine: Reflow's RulesEngineActor — a rule set with setProperty / setOutput actions; Matched or Unmatched.",
    icon: 'scale',
    inports: { data: 'in', 'input-in': 'in', 'data-in': 'in' },
    outports: { matched: { port: 'matched' }, unmatched: { port: 'unmatched' }, 'matched-out': { port: 'matched' }, 'unmatched-out': { port: 'unmatched' } },
    properties: {
      type: 'object',
      examples: [{ rules: { type: 'IF', groups: [{ connector: 'AND', rules: [{ field: 'score', operator: 'between', value: [50, 100] }] }], actions: { setProperty: [{ key: 'grade', value: 'pass' }] } } }],
      additionalProperties: false,
      required: ['rules'],
      properties: {
        rules: {
          type: 'object',
          required: ['groups'],
          properties: { ...RULE_SET_PROPERTIES, actions: { type: 'object', description: 'setProperty: [{ key, value }], setOutput: [{ port, value }]' } },
          description: 'The rule set (Zeal RuleSet: IF/OR, groups, actions)',
        },
      },
    },
    config: (v) => ({ ruleSets: [v.rules], mode: 'first' }),
  },
];
