// The errors components raise, worded the same way everywhere: which node, which field or port,
// what was wrong, and how to fix it. Codes: INVALID_CONFIG (a config value found unusable at
// setup), INVALID_INPUT (a packet the component cannot handle), and the expression engine's codes
// (EXPRESSION_*) with where the evaluation failed.
import { ActorflowError } from '@actorflow/network';

/** The `error` outport of components that can fail on a packet: connect it to handle failures instead of failing the run. */
export const ERROR_PORT = {
  type: 'object',
  description: 'Failures, when connected: { message, name, code, actorId, component, port, input } (codes INVALID_INPUT, EXPRESSION_*, …)',
} as const;

/** Names the node in error messages. */
export interface NodeRef {
  readonly nodeId: string;
  readonly component: string;
}

/** An error's message without the `(hint)` ActorflowError appends. */
export function reason(error: unknown): string {
  if (error instanceof ActorflowError && error.hint && error.message.endsWith(` (${error.hint})`)) return error.message.slice(0, -(error.hint.length + 3));
  return error instanceof Error ? error.message : String(error);
}

/** A config value that cannot be used, found at setup. */
export function configError(node: NodeRef, field: string, problem: string, hint: string, cause?: unknown): ActorflowError {
  return new ActorflowError('INVALID_CONFIG', `node '${node.nodeId}' (${node.component}) config field '${field}': ${problem}`, hint, cause === undefined ? undefined : { cause });
}

/** Adds where an evaluation failed (`operation 2 (filter), item 5`) to its error, keeping code and hint. */
export function evaluationError(where: string, error: unknown): ActorflowError {
  const code = error instanceof ActorflowError ? error.code : 'EXPRESSION_ERROR';
  const hint = error instanceof ActorflowError ? error.hint : '';
  return new ActorflowError(code, `${where}: ${reason(error)}`, hint, { cause: error });
}

/** `a string`, `an array`, `null`, `bytes`: what a value is, for messages. */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Date) return 'a date';
  const t = typeof value;
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** A packet the component cannot handle: what it got, on which port, and what it needs. */
export function inputError(component: string, port: string, expected: string, got: unknown, detail = ''): ActorflowError {
  return new ActorflowError('INVALID_INPUT', `${component} expects ${expected} on '${port}', got ${describeKind(got)}${detail ? ` (${detail})` : ''}`, `send ${expected} to '${port}'`);
}
