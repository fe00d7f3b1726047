// Finding the real Python interpreter. A pyenv shim is a bash script that costs ~80 ms per start
// (deps.md §4), so the engine always runs the interpreter binary the shim would have chosen.
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { promisify } from 'node:util';
import { ScriptError } from '../engine.ts';

const run = promisify(execFile);

/** A resolved interpreter: the binary and the prefix holding its standard library. */
export interface PythonInterpreter {
  /** Absolute path of the interpreter binary (symlinks resolved). */
  executable: string;
  /** sys.base_prefix: the tree the sandbox must make visible (read-only) besides /usr. */
  prefix: string;
  /** "3.11.2" */
  version: string;
}

const resolved = new Map<string, Promise<PythonInterpreter>>();

/**
 * Resolves `requested` (a path or a command name; default: $ACTORFLOW_PYTHON, else /usr/bin/python3,
 * else `python3` on PATH) by asking that interpreter for sys.executable. Cached per request.
 */
export function resolveInterpreter(requested?: string): Promise<PythonInterpreter> {
  const name = requested ?? process.env.ACTORFLOW_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  let pending = resolved.get(name);
  if (!pending) {
    pending = probe(name);
    resolved.set(name, pending);
    pending.catch(() => resolved.delete(name));
  }
  return pending;
}

async function probe(name: string): Promise<PythonInterpreter> {
  const script = 'import sys, os; print(os.path.realpath(sys.executable)); print(sys.base_prefix); print("%d.%d.%d" % sys.version_info[:3])';
  try {
    const { stdout } = await run(name, ['-I', '-S', '-c', script], { timeout: 10_000 });
    const [executable, prefix, version] = stdout.trim().split('\n');
    if (!executable || !prefix || !version) throw new Error(`unexpected answer ${JSON.stringify(stdout)}`);
    const [major, minor] = version.split('.').map(Number);
    if (major !== 3 || minor < 8) {
      throw new ScriptError('SCRIPT_CONFIG', `Python ${version} at ${executable} is too old for script actors`,
        'install Python 3.8 or newer, or set the engine option `interpreter`');
    }
    return { executable: realpathSync(executable), prefix, version };
  } catch (error) {
    if (error instanceof ScriptError) throw error;
    throw new ScriptError('SCRIPT_CONFIG', `cannot run the Python interpreter '${name}': ${(error as Error).message}`,
      'install python3 (Debian: apt-get install python3) or set the engine option `interpreter` / $ACTORFLOW_PYTHON', { cause: error });
  }
}
