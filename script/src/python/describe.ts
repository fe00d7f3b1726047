// Component metadata of a `*.actor.py` file, read with Python's `ast` module WITHOUT running the
// script: `@actor(name=..., inports=[...], ...)` on the entry function, or `__actor_metadata__ = {...}`.
// Ports may be given as names (["in"]), specs ([{"name": "in", "type": "number"}]) or a dict
// ({"in": "number"} / {"in": {"type": "number", "required": True}}); Reflow's `port_type` and
// `config_schema` spellings are accepted.
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { readFile } from 'node:fs/promises';
import { ScriptError, type ScriptMetadata, type ScriptSource } from '../engine.ts';
import { HOST_PROGRAM } from './engine.ts';
import { resolveInterpreter } from './interpreter.ts';

type InPortMeta = ScriptMetadata['inports'][string];
type OutPortMeta = ScriptMetadata['outports'][string];

const DESCRIBE_TIMEOUT_MS = 10_000;

/** Reads the metadata a Python script declares; ScriptError (SCRIPT_CONFIG / SCRIPT_SYNTAX, with the line) when it is missing or malformed. */
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

function toMetadata(raw: Record<string, unknown>, file: string, line: number): ScriptMetadata {
  const fail = (message: string, hint: string): never => {
    throw new ScriptError('SCRIPT_CONFIG', `${file} line ${line}: ${message}`, hint, { file, line });
  };
  const text = (key: string): string | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') fail(`metadata '${key}' must be a string, got ${JSON.stringify(value)}`, `write ${key}="..."`);
    return value as string;
  };
  const fromFile = file === '<inline>' ? undefined : basename(file).replace(/\.actor\.py$|\.py$/, '');
  const name = text('name') ?? fromFile;
  if (!name) fail('the metadata has no name', 'add name="library/Name"');
  const metadata: ScriptMetadata = {
    name: name!,
    inports: ports(raw.inports, 'inports', true, fail) as Record<string, InPortMeta>,
    outports: ports(raw.outports, 'outports', false, fail) as Record<string, OutPortMeta>,
  };
  for (const key of ['description', 'category', 'icon', 'version'] as const) {
    const value = text(key);
    if (value !== undefined) metadata[key] = value;
  }
  const config = raw.config ?? raw.config_schema;
  if (config !== undefined && config !== null) {
    if (typeof config !== 'object' || Array.isArray(config)) fail('metadata \'config\' must be a dict (a JSON Schema)', 'config={"type": "object", "properties": {...}}');
    metadata.config = config as Record<string, unknown>;
  }
  return metadata;
}

function ports(raw: unknown, what: string, inbound: boolean, fail: (message: string, hint: string) => never): Record<string, InPortMeta | OutPortMeta> {
  const hint = `${what}=["in"], ${what}=[{"name": "in", "type": "number"}] or ${what}={"in": "number"}`;
  if (raw === undefined || raw === null) return {};
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((item, i) => {
      if (typeof item === 'string') return [item, {}];
      if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') return [(item as { name: string }).name, item];
      return fail(`${what}[${i}] must be a port name or a dict with a "name"`, hint);
    })
    : typeof raw === 'object' ? Object.entries(raw as Record<string, unknown>) : fail(`${what} must be a list or a dict`, hint);
  const result: Record<string, InPortMeta | OutPortMeta> = {};
  for (const [name, spec] of entries) {
    if (name === '' || name in result) fail(`${what} has ${name === '' ? 'an empty' : `a duplicate`} port name '${name}'`, hint);
    if (typeof spec === 'string') {
      result[name] = { type: spec };
      continue;
    }
    if (spec === null || typeof spec !== 'object') fail(`${what}.${name} must be a type name or a dict`, hint);
    const s = spec as Record<string, unknown>;
    const port: InPortMeta = {};
    const type = s.type ?? s.port_type;
    if (type !== undefined) {
      if (typeof type !== 'string') fail(`${what}.${name}.type must be a string`, 'e.g. "number", "string", "object", "any"');
      port.type = type as string;
    }
    if (typeof s.description === 'string') port.description = s.description;
    if (inbound) {
      if (s.required !== undefined) {
        if (typeof s.required !== 'boolean') fail(`${what}.${name}.required must be True or False`, hint);
        port.required = s.required as boolean;
      }
      if (s.default !== undefined) port.default = s.default;
    }
    result[name] = port;
  }
  return result;
}
