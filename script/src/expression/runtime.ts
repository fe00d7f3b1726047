// One QuickJS runtime + context prepared for expressions: a frozen global (an expression cannot
// change built-ins or leave anything behind for the next one), a memory limit, a stack limit and
// an interrupt deadline checked during every evaluation. The runtime is reused across
// evaluations; the engine replaces it after it ran out of memory.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import { TEMPLATE_STRING_HELPER } from './template.ts';

/** Why QuickJS refused or stopped an expression. */
export interface QuickJsFailure {
  kind: 'syntax' | 'error' | 'timeout' | 'memory' | 'result';
  name: string;
  message: string;
  line?: number;
  column?: number;
}

/** Thrown by QuickJsRuntime; the engine turns it into an ExpressionError. */
export class QuickJsFault extends Error {
  readonly failure: QuickJsFailure;
  constructor(failure: QuickJsFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

const FILENAME = 'expression';

// Runs once per runtime. `invoke` calls a compiled expression with its scope (JSON) and, when the
// expression's value is a function (`x => x * 2`), calls that with the arguments (JSON). Objects
// come back as { j: JSON text }, primitives as themselves.
const PRELUDE = `(function () {
  'use strict';
  const parse = JSON.parse, stringify = JSON.stringify, finite = Number.isFinite, freeze = Object.freeze;
  const ownKeys = Reflect.ownKeys, describe = Object.getOwnPropertyDescriptor, protoOf = Object.getPrototypeOf;
  class InvalidResult extends Error {}
  InvalidResult.prototype.name = 'InvalidResult';
  const what = (v) => v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'number' ? String(v) : 'a ' + typeof v;
  function toJson(value) {
    let bad = '';
    let text;
    try {
      text = stringify(value, function (key, v) {
        const t = typeof v;
        if (!bad && (t === 'function' || t === 'symbol' || t === 'bigint' || (t === 'number' && !finite(v)))) bad = (key === '' ? 'the value' : "'" + key + "'") + ' is ' + what(v);
        return t === 'bigint' ? null : v;
      });
    } catch (error) {
      throw new InvalidResult('the value has no JSON form: ' + error.message);
    }
    if (bad) throw new InvalidResult('the value has no JSON form: ' + bad);
    return text;
  }
  globalThis.${TEMPLATE_STRING_HELPER} = function (v) {
    if (v === undefined || v === null) return '';
    if (typeof v === 'object') return toJson(v);
    return String(v);
  };
  function invoke(fn, scopeJson, argsJson) {
    let v = fn(parse(scopeJson));
    if (typeof v === 'function') {
      if (argsJson === undefined) throw new InvalidResult('the expression is a function; pass the arguments to call it with');
      v = v.apply(undefined, parse(argsJson));
    }
    const t = typeof v;
    if (t === 'object' && v !== null) return { j: toJson(v) };
    if (t === 'function' || t === 'symbol' || t === 'bigint') throw new InvalidResult('the value is ' + what(v) + ', which has no JSON form');
    return v;
  }
  // Freeze everything reachable from the global object.
  const seen = new Set();
  const todo = [globalThis];
  while (todo.length) {
    const o = todo.pop();
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
    seen.add(o);
    freeze(o);
    for (const key of ownKeys(o)) {
      const d = describe(o, key);
      if ('value' in d) todo.push(d.value); else todo.push(d.get, d.set);
    }
    todo.push(protoOf(o));
  }
  return invoke;
})()`;

export interface RuntimeLimits {
  memoryBytes: number;
  stackBytes: number;
}

export class QuickJsRuntime {
  readonly #runtime: QuickJSRuntime;
  readonly #context: QuickJSContext;
  readonly #invoke: QuickJSHandle;
  readonly #compiled = new Set<QuickJSHandle>();
  #deadline = Infinity;

  constructor(module: QuickJSWASMModule, limits: RuntimeLimits) {
    this.#runtime = module.newRuntime();
    this.#runtime.setMemoryLimit(limits.memoryBytes);
    this.#runtime.setMaxStackSize(limits.stackBytes);
    this.#runtime.setInterruptHandler(() => Date.now() > this.#deadline);
    this.#context = this.#runtime.newContext();
    const prelude = this.#context.evalCode(PRELUDE, 'prelude');
    if (prelude.error) {
      const failure = this.#failure(prelude.error);
      this.#context.dispose();
      this.#runtime.dispose();
      throw new Error(`expression runtime failed to start: ${failure.message}`);
    }
    this.#invoke = prelude.value;
  }

  /**
   * Compiles `source` as the body of a function whose parameters are the scope's `bindings`
   * (destructured from the scope object). The handle lives until `release` or `dispose`.
   */
  compile(source: string, bindings: readonly string[], deadline: number): QuickJSHandle {
    const code = `(function () { 'use strict'; return function ({ ${bindings.join(', ')} }) { return (\n${source}\n); }; })()`;
    this.#deadline = deadline;
    const result = this.#context.evalCode(code, FILENAME);
    this.#deadline = Infinity;
    if (result.error) throw new QuickJsFault(this.#failure(result.error, true));
    this.#compiled.add(result.value);
    return result.value;
  }

  /** Calls a compiled expression; returns its value as a host value. */
  call(fn: QuickJSHandle, scopeJson: string, argsJson: string | undefined, deadline: number): unknown {
    const ctx = this.#context;
    const scope = ctx.newString(scopeJson);
    const args = argsJson === undefined ? ctx.undefined : ctx.newString(argsJson);
    this.#deadline = deadline;
    const result = ctx.callFunction(this.#invoke, ctx.undefined, fn, scope, args);
    this.#deadline = Infinity;
    scope.dispose();
    if (argsJson !== undefined) args.dispose();
    if (result.error) throw new QuickJsFault(this.#failure(result.error));
    const handle = result.value;
    try {
      switch (ctx.typeof(handle)) {
        case 'number': return ctx.getNumber(handle);
        case 'string': return ctx.getString(handle);
        case 'undefined': return undefined;
        case 'object': {
          const json = ctx.getProp(handle, 'j');
          try {
            return ctx.typeof(json) === 'string' ? JSON.parse(ctx.getString(json)) : null;
          } finally {
            json.dispose();
          }
        }
        default: return ctx.dump(handle) as unknown;
      }
    } finally {
      handle.dispose();
    }
  }

  release(fn: QuickJSHandle): void {
    if (this.#compiled.delete(fn)) fn.dispose();
  }

  /** Frees every handle, then the context and the runtime (QuickJS aborts on leaked handles). */
  dispose(): void {
    for (const fn of this.#compiled) fn.dispose();
    this.#compiled.clear();
    this.#invoke.dispose();
    this.#context.dispose();
    this.#runtime.dispose();
  }

  /** Reads (and frees) an error handle; never keeps a reference to the context. */
  #failure(errorHandle: QuickJSHandle, compiling = false): QuickJsFailure {
    let dumped: unknown;
    try {
      dumped = this.#context.dump(errorHandle);
    } finally {
      errorHandle.dispose();
    }
    const e = (typeof dumped === 'object' && dumped !== null ? dumped : { name: 'Error', message: String(dumped) }) as { name?: string; message?: string; stack?: string };
    const name = String(e.name ?? 'Error');
    const message = String(e.message ?? '');
    const at = new RegExp(`${FILENAME}:(\\d+):(\\d+)`).exec(e.stack ?? '');
    const position = at ? { line: Number(at[1]) - 1, column: Number(at[2]) } : {};
    if (name === 'InternalError' && message === 'interrupted') return { kind: 'timeout', name, message };
    if (name === 'InternalError' && message === 'out of memory') return { kind: 'memory', name, message };
    if (name === 'InvalidResult') return { kind: 'result', name, message };
    if (compiling && name === 'SyntaxError') return { kind: 'syntax', name, message, ...position };
    return { kind: 'error', name, message, ...position };
  }
}
