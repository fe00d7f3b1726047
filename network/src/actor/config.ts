// Node configuration. A node's metadata is its configuration (as in Reflow): it is checked
// against the component's config JSON Schema (Ajv 8, defaults applied), and the environment
// variables the node declares in `metadata.env_vars` are resolved. Every problem is reported at
// once, with a JSON path into the graph document and a hint built from the schema.
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { Problem } from '../errors.ts';
import { nodePath, pathKey, pointerToPath } from '../graph/json-path.ts';
import { describeValue, isRecord, problem } from '../graph/problems.ts';
import type { Metadata } from '../graph/types.ts';
import type { ConfigIssue, ActorDefinition, JsonSchema } from './types.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Metadata keys the runtime and editors own; never checked against a component's schema unless it declares them. */
export const RESERVED_METADATA_KEYS: readonly string[] = ['thread', 'retry', 'timeoutMs', 'env_vars', 'x', 'y', 'label', 'position', 'dimensions'];

// ------------------------------------------------------------------ schema compilation

type Mode = 'config' | 'value';
type Compiled = { validate: ValidateFunction } | { error: string };

const AJV_OPTIONS: Options = {
  allErrors: true,
  verbose: true, // errors carry parentSchema: hints quote descriptions and enum values
  strict: false, // component schemas may carry annotation keywords of their own (ui:*, x-*)
  allowUnionTypes: true,
  addUsedSchema: false, // schemas of different components may reuse an $id
};

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv, options: { keywords: boolean }) => void;

/**
 * Compiles each schema once per mode and caches the validator by schema object. `config` mode
 * applies defaults (it fills a node's config); `value` mode never changes the value it checks.
 */
class SchemaCache {
  #instances = new Map<string, Ajv>();
  #compiled: Record<Mode, WeakMap<object, Compiled>> = { config: new WeakMap(), value: new WeakMap() };

  get(schema: object, mode: Mode): Compiled {
    let compiled = this.#compiled[mode].get(schema);
    if (!compiled) {
      try {
        compiled = { validate: this.#ajv(schema, mode).compile(schema) };
      } catch (error) {
        compiled = { error: error instanceof Error ? error.message : String(error) };
      }
      this.#compiled[mode].set(schema, compiled);
    }
    return compiled;
  }

  /** The Ajv instance for the schema's draft (`$schema`): 2020-12, 2019-09, or draft-07 (the default). */
  #ajv(schema: object, mode: Mode): Ajv {
    const declared = (schema as { $schema?: unknown }).$schema;
    const draft = typeof declared === 'string' && declared.includes('2020-12') ? '2020'
      : typeof declared === 'string' && declared.includes('2019-09') ? '2019' : '7';
    const key = `${mode}:${draft}`;
    let ajv = this.#instances.get(key);
    if (!ajv) {
      const options: Options = { ...AJV_OPTIONS, useDefaults: mode === 'config' };
      ajv = draft === '2020' ? new Ajv2020(options) : draft === '2019' ? new Ajv2019(options) : new Ajv(options);
      // Format keywords (formatMinimum, …) are left out: ajv-formats resolves its own copy of Ajv here,
      // and code generated across two copies fails at validation time. `format` itself works.
      addFormats(ajv, { keywords: false });
      this.#instances.set(key, ajv);
    }
    return ajv;
  }
}

const schemas = new SchemaCache();

/**
 * Checks `value` against a JSON Schema, without changing it. The schema is compiled on first use
 * and cached. Returns every violation as a Problem under `basePath` (empty when valid).
 */
export function validateValue(schema: JsonSchema, value: unknown, basePath = '$', subject = 'value'): Problem[] {
  return runSchema(schema, value, 'value', basePath, subject, 'INVALID_VALUE');
}

function runSchema(schema: JsonSchema, data: unknown, mode: Mode, basePath: string, subject: string, code: string): Problem[] {
  if (schema === true) return [];
  if (schema === false) return [problem(code, basePath, `${subject} is not allowed (the schema is \`false\`)`, 'remove it')];
  if (!isRecord(schema)) {
    return [problem('INVALID_SCHEMA', basePath, `${subject}: the JSON Schema is ${describeValue(schema)}, not an object or boolean`, 'fix the schema')];
  }
  const compiled = schemas.get(schema, mode);
  if ('error' in compiled) {
    return [problem('INVALID_SCHEMA', basePath, `${subject}: the JSON Schema does not compile: ${compiled.error}`,
      'fix the schema (draft-07, 2019-09 and 2020-12 are supported; say which with $schema)')];
  }
  if (compiled.validate(data)) return [];
  return schemaErrorsToProblems(compiled.validate.errors ?? [], basePath, subject, code);
}

// ------------------------------------------------------------------ error reporting

/** Ajv errors → Problems: one per violation, alternatives (anyOf/oneOf) folded into one. */
function schemaErrorsToProblems(errors: ErrorObject[], basePath: string, subject: string, code: string): Problem[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const relevant = errors.filter((e) => e.keyword !== 'if' && !alternatives.some((prefix) => e.schemaPath.startsWith(prefix)));
  return relevant.map((e) => {
    let path = pointerToPath(basePath, e.instancePath);
    const missing = (e.params as { missingProperty?: string }).missingProperty;
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    if (missing !== undefined) path = pathKey(path, missing);
    if (extra !== undefined) path = pathKey(path, extra);
    const field = fieldName(e.instancePath, missing ?? extra);
    const what = field ? `${subject} field '${field}'` : subject;
    const got = e.keyword === 'required' || e.keyword === 'additionalProperties' ? '' : `, got ${describeValue(e.data)}`;
    const message = e.keyword === 'required' ? `${what} is required but missing`
      : e.keyword === 'additionalProperties' ? `${what} is not allowed`
        : `${what} ${e.message ?? 'is invalid'}${got}`;
    return problem(code, path, message, hintFor(e, missing, extra));
  });
}

function fieldName(pointer: string, child: string | undefined): string {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.join('.');
}

/** What to do, from the schema: expected type, allowed values, required names, the field's description. */
function hintFor(e: ErrorObject, missing: string | undefined, extra: string | undefined): string {
  const parent = isRecord(e.parentSchema) ? e.parentSchema : {};
  const params = e.params as Record<string, unknown>;
  if (missing !== undefined) {
    const properties = isRecord(parent.properties) ? parent.properties : {};
    const names = Array.isArray(parent.required) ? parent.required.join(', ') : missing;
    return `add '${missing}'${describeSchema(properties[missing])} (required: ${names})`;
  }
  if (extra !== undefined) {
    const allowed = isRecord(parent.properties) ? Object.keys(parent.properties) : [];
    return `remove '${extra}'${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}`;
  }
  const description = typeof parent.description === 'string' ? ` (${parent.description})` : '';
  switch (e.keyword) {
    case 'type': return `use ${article(String(params.type))}${description}`;
    case 'enum': return `use one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${description}`;
    case 'const': return `use ${JSON.stringify(params.allowedValue)}${description}`;
    case 'format': return `use a valid ${String(params.format)}${description}`;
    case 'anyOf': case 'oneOf': {
      const options = (Array.isArray(parent[e.keyword]) ? parent[e.keyword] as unknown[] : []).map((s) => describeSchema(s).replace(/^: /, '')).filter(Boolean);
      return options.length ? `use one of: ${options.join(' | ')}` : `match ${e.keyword === 'oneOf' ? 'exactly one' : 'one'} of the allowed shapes`;
    }
    default: return `make it ${e.message ?? 'valid'}${description}`;
  }
}

/** `: a string, one of "a", "b" (the description)` for a property schema, or '' when unknown. */
function describeSchema(schema: unknown): string {
  if (!isRecord(schema)) return '';
  const parts: string[] = [];
  if (schema.type !== undefined) parts.push(Array.isArray(schema.type) ? schema.type.join(' or ') : article(String(schema.type)));
  if (Array.isArray(schema.enum)) parts.push(`one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (schema.const !== undefined) parts.push(`exactly ${JSON.stringify(schema.const)}`);
  if (typeof schema.description === 'string') parts.push(`(${schema.description})`);
  return parts.length ? `: ${parts.join(', ')}` : '';
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

// ------------------------------------------------------------------ env_vars

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_SPEC = /^(required|optional)(?::([\s\S]*))?$/;

interface EnvDeclaration { name: string; required: boolean; fallback?: string }

function readEnvDeclarations(declared: unknown, path: string, nodeId: string, problems: Problem[]): EnvDeclaration[] {
  if (declared === undefined || declared === null) return [];
  const hint = "declare them as { \"VAR\": \"required\" | \"optional\" | \"optional:<default>\" }";
  if (!isRecord(declared)) {
    problems.push(problem('INVALID_ENV_VARS', path, `node '${nodeId}': env_vars is ${describeValue(declared)}, not an object`, hint));
    return [];
  }
  const out: EnvDeclaration[] = [];
  for (const [name, spec] of Object.entries(declared)) {
    const at = pathKey(path, name);
    if (!ENV_NAME.test(name)) {
      problems.push(problem('INVALID_ENV_VARS', at, `node '${nodeId}': '${name}' is not a valid environment variable name`, 'use letters, digits and _, not starting with a digit'));
      continue;
    }
    const match = typeof spec === 'string' ? ENV_SPEC.exec(spec) : null;
    if (!match || (match[1] === 'required' && match[2] !== undefined)) {
      problems.push(problem('INVALID_ENV_VARS', at, `node '${nodeId}': env_vars.${name} is ${describeValue(spec)}`, hint));
      continue;
    }
    out.push(match[2] === undefined ? { name, required: match[1] === 'required' } : { name, required: false, fallback: match[2] });
  }
  return out;
}

// ------------------------------------------------------------------ node config

/** Runs the actor's own `validate(config)` check (what a schema cannot say); its findings become problems. */
function customProblems(def: ActorDefinition, config: Record<string, unknown>, base: string, nodeId: string): Problem[] {
  let found: ConfigIssue[] | ConfigIssue | string | void;
  try {
    found = def.validate!(config);
  } catch (err) {
    found = (err as Error).message ?? String(err);
  }
  if (found === undefined || found === null || (Array.isArray(found) && found.length === 0)) return [];
  const issues = (Array.isArray(found) ? found : [found]).map((f) => (typeof f === 'string' ? { message: f } : f));
  return issues.map((issue) => problem('INVALID_CONFIG', issue.field ? pathKey(base, issue.field) : base,
    `node '${nodeId}' (${def.name}) config${issue.field ? ` field '${issue.field}'` : ''}: ${issue.message}`,
    issue.hint ?? `fix the node's configuration (see the component's documentation)`));
}

export interface NodeConfig {
  /** The node's metadata, env vars merged in (explicit keys win) and the config schema's defaults applied. */
  config: Record<string, unknown>;
  /** The env vars the node declared, resolved (only when an environment was given). */
  env: Record<string, string | undefined>;
  problems: Problem[];
}

/**
 * Resolves a node's configuration: `metadata` checked against `def.config` (every violation a
 * problem with its path and a hint), schema defaults applied, and `metadata.env_vars` resolved
 * from `env` (`VAR: 'required' | 'optional' | 'optional:<default>'`; a missing required one is a
 * MISSING_ENV problem). Without `env`, env vars are only checked for form, not resolved. The
 * metadata object is not modified. `nodeId` is named in messages; `path` is the JSON path of the
 * node's metadata in the graph document (default `$.processes.<nodeId>.metadata`).
 */
export function resolveNodeConfig(def: ActorDefinition, metadata: Metadata, env?: Env, nodeId = '?', path?: string): NodeConfig {
  const base = path ?? pathKey(nodePath(nodeId), 'metadata');
  const problems: Problem[] = [];
  const schema = def.config;
  const declared = isRecord(schema) && isRecord(schema.properties) ? schema.properties : undefined;
  // The schema checks the config keys; runtime and layout keys it does not declare are set aside.
  const config: Record<string, unknown> = {};
  const setAside: [string, unknown][] = [];
  for (const key of Object.keys(metadata)) {
    const value = copyPlain(metadata[key]);
    if (schema !== undefined && RESERVED.has(key) && !(declared && Object.hasOwn(declared, key))) setAside.push([key, value]);
    else config[key] = value;
  }

  const resolved: Record<string, string | undefined> = {};
  if (metadata.env_vars !== undefined) {
    for (const declaration of readEnvDeclarations(metadata.env_vars, pathKey(base, 'env_vars'), nodeId, problems)) {
      if (!env) continue;
      const value = env[declaration.name] ?? declaration.fallback;
      resolved[declaration.name] = value;
      if (value === undefined && declaration.required) {
        problems.push(problem('MISSING_ENV', pathKey(pathKey(base, 'env_vars'), declaration.name),
          `node '${nodeId}' (${def.name}) needs the environment variable ${declaration.name}, which is not set`,
          `set ${declaration.name} in the environment, or declare it 'optional:<default>'`));
      }
      if (value !== undefined && !Object.hasOwn(config, declaration.name) && !Object.hasOwn(metadata, declaration.name)) config[declaration.name] = value;
    }
  }

  const schemaProblems = schema !== undefined ? runSchema(schema, config, 'config', base, `node '${nodeId}' (${def.name}) config`, 'INVALID_CONFIG') : [];
  problems.push(...schemaProblems);
  if (def.validate && schemaProblems.length === 0) problems.push(...customProblems(def, config, base, nodeId));
  for (const [key, value] of setAside) config[key] = value;
  return { config, env: resolved, problems };
}

const RESERVED = new Set(RESERVED_METADATA_KEYS);

/**
 * A deep copy of plain data (objects and arrays), so schema defaults never leak into the graph's
 * metadata; other values (dates, bytes, class instances, functions) are shared, not copied.
 */
function copyPlain(value: unknown, copies?: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  const seen = copies ?? new Map<object, unknown>(); // a cyclic value is copied with the same cycles
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(copyPlain(item, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const key of Object.keys(value)) out[key] = copyPlain((value as Record<string, unknown>)[key], seen);
  return out;
}
