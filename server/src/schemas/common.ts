// Shared JSON Schemas (registered once by $id; routes and the OpenAPI document refer to them).

export const ProblemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'One problem found in a request or a graph.',
  required: ['code', 'path', 'message', 'hint', 'severity'],
  properties: {
    code: { type: 'string', description: 'Stable code, e.g. UNKNOWN_COMPONENT, SCHEMA_REQUIRED.' },
    path: { type: 'string', description: 'JSON path of the offending value, e.g. `$.graph_json.processes.dbl.component`.' },
    message: { type: 'string' },
    hint: { type: 'string', description: 'How to fix it.' },
    severity: { type: 'string', enum: ['error', 'warning'] },
  },
} as const;

export const ErrorEnvelopeSchema = {
  $id: 'ErrorEnvelope',
  type: 'object',
  description: 'A failed request: Reflow\'s envelope with a stable code, a hint and every problem found.',
  required: ['success', 'data', 'error', 'code', 'hint', 'timestamp'],
  properties: {
    success: { type: 'boolean', enum: [false] },
    data: { type: 'null' },
    error: { type: 'string' },
    code: { type: 'string' },
    hint: { type: 'string' },
    problems: { type: 'array', items: { $ref: 'Problem#' } },
    request_id: { type: 'string' },
    timestamp: { type: 'integer', description: 'Epoch milliseconds' },
  },
} as const;

/** Execution ids: client-chosen (Reflow's metadata.execution_id) or generated UUIDs. */
export const EXECUTION_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';

export const ExecutionIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: EXECUTION_ID_PATTERN, description: 'Execution id' } },
} as const;

/** The error responses every route may give (in addition to its own). */
export function errorResponses(...statuses: number[]): Record<number, unknown> {
  const all = [400, 401, 429, 500, ...statuses];
  return Object.fromEntries(all.map((s) => [s, { $ref: 'ErrorEnvelope#' }]));
}
