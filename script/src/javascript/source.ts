// Where a JavaScript node's code comes from and how its errors point back into it: reads the
// file (or takes the inline code), strips TypeScript types, and turns V8 error text into a
// ScriptError with the script's own line and column.
import { readFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ScriptError, type ScriptErrorCode, type ScriptSource } from '../engine.ts';

/** A script ready to compile. */
export interface LoadedScript {
  code: string;
  /** URL given to V8 as the script's origin; stack frames mention it. */
  url: string;
  /** What error messages call the script: the file path, or `<inline>`. */
  label: string;
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/** Reads the source (file or inline code) and strips TypeScript types from `.ts` files. */
export async function loadScript(source: ScriptSource, nodeId: string): Promise<LoadedScript> {
  if (source.code !== undefined && source.file !== undefined) {
    throw new ScriptError('SCRIPT_CONFIG', `node '${nodeId}': give the script as inline code or as a file, not both`, 'remove `source` or `file`');
  }
  if (typeof source.file === 'string') {
    const path = resolve(source.file);
    let code: string;
    try {
      code = await readFile(path, 'utf8');
    } catch (error) {
      throw new ScriptError('SCRIPT_CONFIG', `node '${nodeId}': cannot read script file ${path}: ${(error as Error).message}`,
        'check the path (relative paths resolve from the server\'s working directory)', { file: path, cause: error });
    }
    const script = { code, url: pathToFileURL(path).href, label: path };
    return TYPESCRIPT.has(extname(path)) ? stripTypes(script) : script;
  }
  if (typeof source.code === 'string') {
    return { code: source.code, url: `inline:///${encodeURIComponent(nodeId)}.js`, label: '<inline>' };
  }
  throw new ScriptError('SCRIPT_CONFIG', `node '${nodeId}' has no script`, 'set `source` (inline code) or `file` (a path to a .js or .ts file)');
}

function stripTypes(script: LoadedScript): LoadedScript {
  try {
    // 'strip' replaces types with blanks, so lines and columns stay where the author wrote them.
    return { ...script, code: stripTypeScriptTypes(script.code, { mode: 'strip' }) };
  } catch (error) {
    const err = error as Error & { code?: string };
    const at = /(\d+):(\d+)/.exec(err.message);
    throw new ScriptError('SCRIPT_SYNTAX', `${script.label}: ${err.message.split('\n')[0]}`,
      'only erasable TypeScript runs in the sandbox: no enums, namespaces or parameter properties',
      { file: script.label, ...(at ? { line: Number(at[1]), column: Number(at[2]) } : {}), cause: error });
  }
}

/** What the sandbox reports about an error thrown inside it. */
export interface SandboxErrorInfo {
  name: string;
  message: string;
  stack?: string;
  /** Set by the sandbox runtime for its own checks (e.g. 'SCRIPT_INVALID_OUTPUT'). */
  code?: ScriptErrorCode;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Locates errors inside one script: its frames in stack traces, its `[url:line:col]` in syntax errors. */
export class ScriptLocator {
  readonly script: LoadedScript;
  #frame: RegExp;
  constructor(script: LoadedScript) {
    this.script = script;
    this.#frame = new RegExp(`${escapeRegExp(script.url)}:(\\d+):(\\d+)`);
  }

  /** The first position inside the script that `text` mentions. */
  locate(text: string | undefined): { line: number; column: number } | undefined {
    const m = text ? this.#frame.exec(text) : null;
    return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
  }

  /** The stack trace reduced to the script's own frames, with its URL replaced by its label. */
  scriptStack(stack: string | undefined): string | undefined {
    if (!stack) return undefined;
    const lines = stack.split('\n');
    const frames = lines.slice(1).filter((l) => l.includes(this.script.url)).map((l) => l.split(this.script.url).join(this.script.label));
    return frames.length ? [lines[0], ...frames].join('\n') : undefined;
  }

  /** A ScriptError for an error the script threw (or the sandbox runtime raised on its behalf). */
  fromSandbox(info: SandboxErrorInfo, fallback: ScriptErrorCode = 'SCRIPT_ERROR'): ScriptError {
    const at = this.locate(info.stack);
    const where = at ? ` (${this.script.label}:${at.line}:${at.column})` : '';
    const code = info.code ?? fallback;
    const hint = code === 'SCRIPT_INVALID_OUTPUT'
      ? 'send JSON-compatible values: objects, arrays, strings, finite numbers, booleans, null'
      : 'fix the script; the node keeps running and takes the next message';
    const message = info.name && info.name !== 'Error' ? `${info.name}: ${info.message}` : info.message;
    return new ScriptError(code, `${message}${where}`, hint, {
      file: this.script.label, ...(at ?? {}), ...(info.stack ? { scriptStack: this.scriptStack(info.stack) ?? message } : {}),
    });
  }

  /** A ScriptError for a compile-time SyntaxError (`message [url:line:col]`). */
  syntaxError(error: Error): ScriptError {
    const m = new RegExp(`^(.*) \\[${escapeRegExp(this.script.url)}:(\\d+):(\\d+)\\]$`).exec(error.message);
    const message = m ? m[1] : error.message;
    const line = m ? Number(m[2]) : undefined;
    const column = m ? Number(m[3]) : undefined;
    return new ScriptError('SCRIPT_SYNTAX', `${error.name}: ${message}${line ? ` (${this.script.label}:${line}:${column})` : ''}`,
      'fix the syntax error; the script did not load', { file: this.script.label, ...(line ? { line, column } : {}), cause: error });
  }
}
