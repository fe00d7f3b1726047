// Component metadata of a `*.actor.py` file, read with Python's `ast` module WITHOUT running the
// script: `@actor(name=..., inports=[...], ...)` on the entry function, or `__actor_metadata__ = {...}`.
// The values are normalized like every runtime's metadata (normalizeMetadata in ../engine.ts:
// ports as names, specs or a dict of specs; Reflow's `port_type`, `component`, `config_schema`).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { normalizeMetadata, ScriptError, type ScriptMetadata, type ScriptSource } from '../engine.ts';
import { HOST_PROGRAM } from './engine.ts';
import { resolveInterpreter } from './interpreter.ts';

const DESCRIBE_TIMEOUT_MS = 10_000;

/**
 * Reads the metadata a Python script declares: empty (name '', no ports: the caller's defaults apply)
 * when it declares none; ScriptError (SCRIPT_CONFIG / SCRIPT_SYNTAX, with the line) when malformed.
 */
export async function describePython(source: ScriptSource, interpreter?: string): Promise<ScriptMetadata> {
  const file = source.file ?? '<inline>';
  let code = source.code;
  if (code === undefined) {
    if (source.file === undefined) throw new ScriptError('SCRIPT_CONFIG', 'nothing to describe: the source has neither code nor file', 'pass { file } or { code }');
    code = await readFile(source.file, 'utf8').catch((error: Error) => {
      throw new ScriptError('SCRIPT_CONFIG', `cannot read ${source.file}: ${error.message}`, 'check the path', { cause: error, file });
    });
  }
  const python = await resolveInterpreter(interpreter);
  const reply = await runDescribe(python.executable, JSON.stringify({ code, file }), file);
  if (reply.t === 'error') {
    const details: { file: string; line?: number; column?: number } = { file };
    if (typeof reply.line === 'number') details.line = reply.line;
    if (typeof reply.column === 'number') details.column = reply.column;
    const code = reply.code === 'SCRIPT_SYNTAX' ? 'SCRIPT_SYNTAX' : 'SCRIPT_CONFIG';
    throw new ScriptError(code, String(reply.message), String(reply.hint ?? ''), details);
  }
  if (reply.metadata === null) return { name: '', inports: {}, outports: {} };
  return toMetadata(reply.metadata as Record<string, unknown>, file, reply.line as number);
}

/** `python -I -S actor_host.py describe` under prlimit: parsing only, but the file is still untrusted input. */
function runDescribe(python: string, request: string, file: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = execFile('prlimit', [`--as=${256 * 1024 * 1024}`, '--cpu=10', '--nofile=32', '--', python, '-I', '-S', HOST_PROGRAM, 'describe'],
      { timeout: DESCRIBE_TIMEOUT_MS, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as Record<string, unknown>);
        } catch {
          reject(new ScriptError('SCRIPT_CONFIG', `cannot read the metadata of ${file}: ${error?.message ?? 'no answer'}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
            'check that the file is valid Python and python3 + prlimit are installed', { file, cause: error }));
        }
      });
    child.stdin?.end(request);
  });
}

/** The declared metadata, normalized like every runtime's (engine.ts); an omitted name stays '' for the caller to fill. */
function toMetadata(raw: Record<string, unknown>, file: string, line: number): ScriptMetadata {
  try {
    return normalizeMetadata(raw, `${file} line ${line}`);
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    throw new ScriptError(error.code, error.message.replace(/ \([^)]*\)$/, ''), error.hint, { file, line, cause: error });
  }
}
