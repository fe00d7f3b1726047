// Request validation: JSON Schema with every error reported (allErrors), each turned into a
// Problem with a JSON path and a fix hint. Bodies are validated strictly (a string is not a
// number, unknown fields are errors, not silently removed); query strings, params and headers
// are coerced ("10" → 10) since they are text by nature.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { Problem } from '@actorflow/network';

// ajv-formats is CommonJS: its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

/** Path prefix of each request part in problem paths. */
const PART_ROOT: Record<string, string> = { body: '$', querystring: 'query', params: 'params', headers: 'headers' };

/** An Ajv reporting every error, knowing the shared schemas; `coerce` turns text into numbers and booleans. */
export function createAjv(coerce: boolean, shared: readonly Record<string, unknown>[]): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes: coerce ? 'array' : false, removeAdditional: false, useDefaults: true, strict: false, verbose: true });
  addFormats(ajv);
  for (const schema of shared) ajv.addSchema(schema);
  return ajv;
}

/** An Ajv created when first asked for (start-up time: most schemas are compiled later). */
export function ajvLater(coerce: boolean, shared: readonly Record<string, unknown>[]): () => Ajv {
  let ajv: Ajv | undefined;
  return () => (ajv ??= createAjv(coerce, shared));
}

/** A validator compiled on its first use; `compile()` compiles it ahead of time. */
export type LazyValidator = ValidateFunction & { compile(): ValidateFunction };

export function compileLater(ajv: () => Ajv, schema: Record<string, unknown>): LazyValidator {
  let compiled: ValidateFunction | undefined;
  const compile = () => (compiled ??= ajv().compile(schema));
  const validate = ((data: unknown) => {
    const fn = compile();
    const valid = fn(data);
    validate.errors = fn.errors;
    return valid;
  }) as LazyValidator;
  validate.compile = compile;
  return validate;
}

/**
 * A fastify validator compiler using one strict Ajv for bodies and one coercing Ajv for the rest.
 * Each schema is compiled when it is first needed (or by `precompile`, after the server listens),
 * so compiling every route's schemas does not delay the first answered request.
 */
export function validatorCompiler(shared: readonly Record<string, unknown>[]): FastifySchemaCompiler<unknown> & { precompile(): void } {
  const strict = ajvLater(false, shared);
  const coercing = ajvLater(true, shared);
  const pending: LazyValidator[] = [];
  const compiler = ({ schema, httpPart }: { schema: unknown; httpPart?: string }) => {
    const validate = compileLater((httpPart as HttpPart | undefined) === 'body' ? strict : coercing, schema as Record<string, unknown>);
    pending.push(validate);
    return validate;
  };
  return Object.assign(compiler, {
    /** Compiles the schemas not compiled yet, one per event-loop turn (call once the server is up). */
    precompile(): void {
      const next = () => {
        pending.shift()?.compile();
        if (pending.length > 0) setImmediate(next).unref();
      };
      next();
    },
  }) as FastifySchemaCompiler<unknown> & { precompile(): void };
}

/** fastify's response serializer factory, compiling each route's serializer on first use. */
export function lazySerializers(build: (external: unknown, options: unknown) => (route: unknown) => (data: unknown) => string) {
  return (external: unknown, options: unknown) => {
    const compileFor = build(external, options);
    return (route: unknown) => {
      let serialize: ((data: unknown) => string) | undefined;
      return (data: unknown) => (serialize ??= compileFor(route))(data);
    };
  };
}

/** `$.a.b[3]["odd key"]` from a JSON pointer `/a/b/3/odd key`. */
export function pointerToPath(root: string, pointer: string): string {
  if (!pointer) return root;
  let path = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** One Ajv error as a Problem: what is wrong, where, and how to fix it. */
export function schemaProblem(error: ErrorObject, part: string): Problem {
  const root = PART_ROOT[part] ?? part;
  const params = error.params as Record<string, unknown>;
  let path = pointerToPath(root, error.instancePath);
  let message = error.message ?? 'is invalid';
  let hint: string;
  switch (error.keyword) {
    case 'required':
      path = pointerToPath(root, `${error.instancePath}/${String(params.missingProperty)}`);
      message = 'is required';
      hint = `add '${String(params.missingProperty)}'`;
      break;
    case 'additionalProperties': {
      path = pointerToPath(root, `${error.instancePath}/${String(params.additionalProperty)}`);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      message = 'is not a known field';
      hint = allowed.length ? `remove it; the known fields are ${allowed.join(', ')}` : 'remove it';
      break;
    }
    case 'type':
      message = `must be ${String(params.type)}, got ${describeType(error.data)}`;
      hint = `send ${String(params.type)}`;
      break;
    case 'enum':
      hint = `use one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'format':
      hint = `send a valid ${String(params.format)}`;
      break;
    case 'pattern':
      hint = `match the pattern ${String(params.pattern)}`;
      break;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      hint = `send a number that ${message}`;
      break;
    case 'maxLength':
    case 'minLength':
    case 'maxItems':
    case 'minItems':
      hint = `send a value that ${message}`;
      break;
    default:
      hint = 'see the request schema in GET /docs/json';
  }
  return { code: `SCHEMA_${error.keyword.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`, path, message, hint, severity: 'error' };
}
