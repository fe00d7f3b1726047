// Inline expressions and templates for components (map/filter/sort expressions, rule conditions,
// message templates), evaluated in QuickJS: fully sandboxed (no host object, no I/O, frozen
// built-ins), with a deadline and a memory limit on every evaluation.
//
// Scope rules:
// - Each own key of `scope` that is a valid identifier becomes a variable: `amount > 100`
//   with { amount: 150 } is true. Other keys (e.g. 'content-type') are not visible.
// - Scope values cross as JSON in the network's plain form (toPlainJson: Flow -> "flow", bytes ->
//   base64, Dates -> ISO strings); an expression cannot change the caller's objects.
// - A name missing from the scope is a ReferenceError (EXPRESSION_ERROR), never a silent undefined.
// - Only the standard JavaScript built-ins exist (Math, JSON, Date, String methods, ...), all
//   frozen; nothing an expression does survives into the next evaluation.
// - An expression whose value is a function (`x => x * 2`, `(a, b) => a.n - b.n`) is called with
//   the `args` given to evaluate; without args that is an error.
// - Results come back as host values: primitives as they are (NaN included), objects and arrays
//   through JSON (a function, symbol, bigint or cycle in them is EXPRESSION_INVALID_RESULT).
// - Templates: `Hello ${user.name}!`; a hole's value is written as text (null/undefined as '',
//   objects as JSON); `\${` is a literal `${`.
//
// One engine owns one QuickJS module instance (~2 MB) and reuses one runtime across evaluations:
// create one per process (or per component library) and share it. Evaluation is synchronous.
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten';
import { toPlainJson } from '@actorflow/network';
import { ExpressionError } from './errors.ts';
import { QuickJsFault, QuickJsRuntime, type QuickJsFailure, type RuntimeLimits } from './runtime.ts';
import { templateToExpression } from './template.ts';

export { ExpressionError, type ExpressionErrorCode } from './errors.ts';

export type Scope = Record<string, unknown>;

/** A compiled expression: evaluate it against a scope (and call it with `args` if it is a function). */
export type CompiledExpression = (scope?: Scope, args?: readonly unknown[]) => unknown;
/** A compiled template: fill it in from a scope. */
export type CompiledTemplate = (scope?: Scope) => string;

export interface ExpressionEngineOptions {
  /** Deadline for one evaluation, in ms (default 50). */
  timeoutMs?: number;
  /** Memory limit of the runtime, in MB (default 16). */
  memoryMb?: number;
  /** Stack limit, in KB (default 256): deep recursion fails instead of crashing. */
  stackKb?: number;
  /** Compiled expressions kept (per distinct expression and scope shape; default 1000). */
  cacheSize?: number;
}

export interface ExpressionEngine {
  /** Evaluates an expression against a scope. Throws ExpressionError. */
  evaluate(expression: string, scope?: Scope, args?: readonly unknown[]): unknown;
  /** Checks the syntax now and returns a reusable evaluator. Throws ExpressionError (EXPRESSION_SYNTAX). */
  compile(expression: string): CompiledExpression;
  /** Fills in a template from a scope. */
  template(text: string, scope?: Scope): string;
  /** Checks the template now and returns a reusable filler. */
  compileTemplate(text: string): CompiledTemplate;
  /** Frees the QuickJS runtime. */
  dispose(): void;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for function if '
  + 'implements import in instanceof interface let new null package private protected public return static super switch this throw true try '
  + 'typeof var void while with yield await arguments eval undefined NaN Infinity').split(' '));

/** Creates an expression engine (loads a QuickJS module instance: ~10 ms). */
export async function createExpressionEngine(options: ExpressionEngineOptions = {}): Promise<ExpressionEngine> {
  const module = await newQuickJSWASMModule(RELEASE_SYNC);
  return new QuickJsExpressionEngine(module, options);
}

interface CacheEntry {
  fn: QuickJSHandle;
  runtime: QuickJsRuntime;
}

class QuickJsExpressionEngine implements ExpressionEngine {
  readonly #module: QuickJSWASMModule;
  readonly #limits: RuntimeLimits;
  readonly #timeoutMs: number;
  readonly #cacheSize: number;
  #runtime: QuickJsRuntime | undefined;
  /** Compiled functions by scope shape + source, oldest first. */
  readonly #cache = new Map<string, CacheEntry>();
  readonly #templates = new Map<string, string>();
  /** Bindings (identifier keys) by scope shape. */
  readonly #shapes = new Map<string, string[]>();

  constructor(module: QuickJSWASMModule, options: ExpressionEngineOptions) {
    const positive = (name: keyof ExpressionEngineOptions, fallback: number): number => {
      const v = options[name];
      if (v === undefined) return fallback;
      if (typeof v !== 'number' || !(v > 0)) {
        throw new ExpressionError('EXPRESSION_ERROR', `expression engine option ${name} must be a positive number, got ${JSON.stringify(v)}`, `remove it to use ${fallback}`, { expression: '' });
      }
      return v;
    };
    this.#module = module;
    this.#timeoutMs = positive('timeoutMs', 50);
    this.#cacheSize = Math.floor(positive('cacheSize', 1000));
    this.#limits = { memoryBytes: positive('memoryMb', 16) * 1024 * 1024, stackBytes: positive('stackKb', 256) * 1024 };
  }

  evaluate(expression: string, scope: Scope = {}, args?: readonly unknown[]): unknown {
    return this.#run(expression, expression, scope, args);
  }

  compile(expression: string): CompiledExpression {
    if (typeof expression !== 'string' || expression.trim() === '') {
      throw new ExpressionError('EXPRESSION_SYNTAX', 'the expression is empty', "write an expression, e.g. 'value * 2'", { expression: String(expression) });
    }
    this.#entry(expression, expression, '', []); // syntax check now
    return (scope = {}, args) => this.#run(expression, expression, scope, args);
  }

  template(text: string, scope: Scope = {}): string {
    return this.#run(text, this.#templateSource(text), scope, undefined) as string;
  }

  compileTemplate(text: string): CompiledTemplate {
    const source = this.#templateSource(text);
    this.#entry(text, source, '', []);
    return (scope = {}) => this.#run(text, source, scope, undefined) as string;
  }

  dispose(): void {
    this.#cache.clear();
    this.#runtime?.dispose();
    this.#runtime = undefined;
  }

  #templateSource(text: string): string {
    let source = this.#templates.get(text);
    if (source === undefined) {
      if (typeof text !== 'string') throw new ExpressionError('EXPRESSION_SYNTAX', 'a template must be a string', "e.g. 'Hello ${name}'", { expression: String(text) });
      source = templateToExpression(text);
      if (this.#templates.size >= this.#cacheSize) this.#templates.delete(this.#templates.keys().next().value!);
      this.#templates.set(text, source);
    }
    return source;
  }

  #run(expression: string, source: string, scope: Scope, args: readonly unknown[] | undefined): unknown {
    if (typeof scope !== 'object' || scope === null || Array.isArray(scope)) {
      throw new ExpressionError('EXPRESSION_ERROR', 'the scope must be an object of name -> value', "e.g. { value: 3 }", { expression });
    }
    const keys = Object.keys(scope);
    const shape = keys.join(',');
    let bindings = this.#shapes.get(shape);
    if (bindings === undefined) {
      bindings = keys.filter((k) => IDENTIFIER.test(k) && !RESERVED.has(k));
      if (this.#shapes.size >= this.#cacheSize) this.#shapes.delete(this.#shapes.keys().next().value!);
      this.#shapes.set(shape, bindings);
    }
    const entry = this.#entry(expression, source, shape, bindings);
    const scopeJson = JSON.stringify(toPlainJson(scope));
    const argsJson = args === undefined ? undefined : JSON.stringify(toPlainJson(args));
    try {
      return entry.runtime.call(entry.fn, scopeJson, argsJson, Date.now() + this.#timeoutMs);
    } catch (error) {
      throw this.#error(error, expression, source === expression);
    }
  }

  /** The compiled function for this source and scope shape, compiled on first use. */
  #entry(expression: string, source: string, shape: string, bindings: readonly string[]): CacheEntry {
    const key = `${shape}\n${source}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const runtime = (this.#runtime ??= new QuickJsRuntime(this.#module, this.#limits));
    let fn: QuickJSHandle;
    try {
      fn = runtime.compile(source, bindings, Date.now() + this.#timeoutMs);
    } catch (error) {
      throw this.#error(error, expression, source === expression);
    }
    if (this.#cache.size >= this.#cacheSize) {
      const [oldestKey, oldest] = this.#cache.entries().next().value!;
      this.#cache.delete(oldestKey);
      oldest.runtime.release(oldest.fn);
    }
    const entry = { fn, runtime };
    this.#cache.set(key, entry);
    return entry;
  }

  /** An ExpressionError for a QuickJS failure; positions are reported only when they refer to the text the user wrote. */
  #error(error: unknown, expression: string, positional: boolean): unknown {
    if (!(error instanceof QuickJsFault)) return error;
    const f: QuickJsFailure = positional ? error.failure : { ...error.failure, line: undefined, column: undefined };
    const shown = expression.length > 80 ? `${expression.slice(0, 77)}...` : expression;
    if (f.kind === 'memory') this.#recycle();
    const where = f.column !== undefined && f.line === 1 ? ` at column ${f.column}` : f.line !== undefined && f.line > 1 ? ` at line ${f.line}` : '';
    const details = { expression, ...(f.column !== undefined && f.line === 1 ? { column: f.column } : {}), cause: error };
    switch (f.kind) {
      case 'syntax': return new ExpressionError('EXPRESSION_SYNTAX', `${f.name} in '${shown}'${where}: ${f.message}`, 'fix the expression (JavaScript syntax)', details);
      case 'timeout': return new ExpressionError('EXPRESSION_TIMEOUT', `'${shown}' ran longer than ${this.#timeoutMs} ms`, 'expressions must be quick: no long loops', details);
      case 'memory': return new ExpressionError('EXPRESSION_MEMORY', `'${shown}' used more than ${this.#limits.memoryBytes / 1024 / 1024} MB`, 'build smaller values', details);
      case 'result': return new ExpressionError('EXPRESSION_INVALID_RESULT', `'${shown}': ${f.message}`, 'return plain data: numbers, strings, booleans, null, arrays, objects', details);
      default: return new ExpressionError('EXPRESSION_ERROR', `${f.name} in '${shown}'${where}: ${f.message}`,
        f.name === 'ReferenceError' ? 'use only names the scope provides' : 'fix the expression', details);
    }
  }

  /** After running out of memory the runtime is replaced (its heap may be fragmented beyond use). */
  #recycle(): void {
    this.#cache.clear();
    this.#runtime?.dispose();
    this.#runtime = undefined;
  }
}
