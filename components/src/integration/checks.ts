// Run-time checks shared by the integration, data and media components: messages checked against
// a JSON Schema (INVALID_INPUT with the field and what is expected) and `${env.NAME}` references
// in configuration resolved from the node's declared env_vars (credentials never sit in graphs).
import { ActorflowError, validateValue, type JsonSchema } from '@actorflow/network';

/** A message a component cannot use: what is wrong, where, and how to fix it. */
export function invalidInput(message: string, hint: string): ActorflowError {
  return new ActorflowError('INVALID_INPUT', message, hint);
}

/**
 * Throws INVALID_INPUT listing every violation of `schema` by `value` (`subject` names the value
 * in messages, e.g. "the request on port 'request'").
 */
export function checkInput(schema: JsonSchema, value: unknown, subject: string): void {
  const problems = validateValue(schema, value, '$', subject);
  if (problems.length === 0) return;
  throw invalidInput(problems.map((p) => p.message).join('; '), problems.map((p) => p.hint).join('; '));
}

/** A short description of a value for error messages: `a string "abc…"`, `an array (3 items)`, `bytes (12)`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (value instanceof Uint8Array) return `bytes (${value.byteLength})`;
  if (Array.isArray(value)) return `an array (${value.length} item${value.length === 1 ? '' : 's'})`;
  if (typeof value === 'string') return `a string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return `an object${value.constructor && value.constructor !== Object ? ` (${value.constructor.name})` : ''}`;
  return `${typeof value === 'number' ? 'the number' : `a ${typeof value}`} ${String(value)}`;
}

const ENV_REF = /\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces every `${env.NAME}` in the strings of `value` (deeply, in objects and arrays) by the
 * node's env var NAME. The variable must be declared in the node's `env_vars` and set; otherwise
 * INVALID_CONFIG names the config field (`path`) and the variable.
 */
export function resolveEnvRefs<T>(value: T, env: Readonly<Record<string, string | undefined>>, path: string): T {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_ref, name: string) => {
      const resolved = env[name];
      if (resolved !== undefined) return resolved;
      const declared = Object.hasOwn(env, name);
      throw new ActorflowError('INVALID_CONFIG', `config field '${path}' uses \${env.${name}}, but ${declared ? `the environment variable ${name} is not set` : `the node does not declare the environment variable ${name}`}`,
        declared ? `set ${name} in the server's environment` : `declare it in the node's metadata: "env_vars": { "${name}": "required" }`);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvRefs(v, env, `${path}[${i}]`)) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnvRefs(v, env, path ? `${path}.${k}` : k)])) as T;
  }
  return value;
}

/**
 * Config keys that env_vars merge into a node's config (the runtime copies each declared variable
 * under its own name): component schemas that forbid unknown keys accept these.
 */
export const ENV_VAR_KEYS: Record<string, JsonSchema> = { '^[A-Z][A-Z0-9_]*$': { type: 'string' } };
