// Reflow's script templates (`tpl_javascript_script`, `tpl_python_script`) on script/Script: the
// template's script becomes the body of a function that receives the template's inputs (`data`,
// and `metadata` / `config` kept from their own port), and whatever it returns goes to Result.
// Reflow's scripts that are a single expression (`input.a + input.b`) work too: their value is
// the result.
import { ScriptActor } from '@actorflow/script';
import type { TemplateSpec } from './adapter.ts';

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (body: string) => unknown;

/** Whether a script is one expression (checked by parsing it here; nothing runs). */
function isExpression(script: string): boolean {
  try {
    new AsyncFunction(`return (${script}\n);`);
    return true;
  } catch {
    return false;
  }
}

/** JavaScript module around a Zeal/Reflow script body; line n of the script stays line n. */
export function javascriptModule(script: string): string {
  const body = isExpression(script) ? `return (${script}\n);` : `${script}\n`;
  return 'export default async function ({ inputs, state }) { '
    + "if (!('data' in inputs)) { state.metadata = inputs.metadata; return; } "
    + 'const data = inputs.data, input = data, metadata = state.metadata ?? {}, imports = { data, metadata }; '
    + `return { result: await (async () => { ${body}})() }; }`;
}

/** Python module around a Zeal/Reflow script body (indented into a function; the result is what it returns). */
export function pythonModule(script: string): string {
  const indented = script.split('\n').map((line) => `        ${line}`).join('\n');
  return [
    'def process(inputs, state):',
    "    if 'data' not in inputs:",
    "        state['config'] = inputs.get('config')",
    '        return None',
    "    data = inputs['data']; imports = {'data': data, 'config': state.get('config')}; input = data",
    '    def __script():',
    indented,
    '    return {"result": __script()}',
    '',
  ].join('\n');
}

const LIMITS = (timeout: number, memory: number) => ({
  timeout: { type: 'integer', minimum: 100, maximum: 300_000, default: timeout, description: 'Time limit per message (ms)' },
  memoryLimit: { type: 'integer', minimum: 8, maximum: 8192, default: memory, description: 'Memory limit in MB' },
});

export const SCRIPT_TEMPLATE_SPECS: TemplateSpec[] = [
  {
    id: 'tpl_javascript_script',
    name: 'zeal/JavaScriptScript',
    target: ScriptActor,
    description: 'JavaScript Script: runs the script (sandboxed, isolated-vm) for each Data packet; it sees `data` (also `input`, `imports.data`) '
      + 'and `metadata`, and what it returns goes to Result.',
    icon: 'code',
    inports: { 'data-in': 'data', input: 'data', 'metadata-in': 'metadata' },
    outports: { 'result-out': { port: 'result' }, output: { port: 'result' }, 'error-out': { port: 'error' }, error: { port: 'error' } },
    errorPorts: ['error-out', 'error'],
    properties: {
      type: 'object',
      examples: [{ script: 'const items = imports.data || [];\nreturn items.map((item) => ({ ...item, processed: true }));', timeout: 10000 }],
      additionalProperties: false,
      required: ['script'],
      properties: { script: { type: 'string', minLength: 1, description: 'The script: a function body (`return` its result) or an expression' }, ...LIMITS(10_000, 128) },
    },
    config: (v) => ({
      runtime: 'javascript', source: javascriptModule(String(v.script ?? '')), inports: ['data', 'metadata'], outports: ['result'],
      limits: { timeoutMs: v.timeout ?? 10_000, memoryMb: v.memoryLimit ?? 128 },
    }),
  },
  {
    id: 'tpl_python_script',
    name: 'zeal/PythonScript',
    target: ScriptActor,
    description: 'Python Script: runs the script (sandboxed CPython process) for each Data packet; it sees `data` (also `input`, `imports`) '
      + 'and `imports["config"]`, and what it returns goes to Result. Standard library only.',
    icon: 'file-code',
    inports: { 'data-in': 'data', input: 'data', 'config-in': 'config' },
    outports: { 'result-out': { port: 'result' }, output: { port: 'result' }, 'error-out': { port: 'error' }, error: { port: 'error' } },
    errorPorts: ['error-out', 'error'],
    properties: {
      type: 'object',
      examples: [{ script: 'return {"count": len(data)}', timeout: 30000 }],
      additionalProperties: false,
      required: ['script'],
      properties: {
        script: { type: 'string', minLength: 1, description: 'The script: a function body that returns its result' },
        packages: { type: 'string', description: 'Not supported: pip packages cannot be installed at run time (standard library only)', maxLength: 0 },
        ...LIMITS(30_000, 512),
      },
    },
    config: (v) => ({
      runtime: 'python', source: pythonModule(String(v.script ?? '')), inports: ['data', 'config'], outports: ['result'],
      limits: { timeoutMs: v.timeout ?? 30_000, memoryMb: v.memoryLimit ?? 512 },
    }),
  },
];
