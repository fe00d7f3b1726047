// The `actorflow` commands (server/bin/actorflow.mjs is the executable that starts them).
//
//   actorflow serve [--example graph.json] [--actors dir] [--host …] [--port …] [--db …] …   start the server
//   actorflow run <graph.json|.fbp> [--input port=value]… [--timeout ms] [--json]
//   actorflow validate <graph> [--json]
//   actorflow components [--category name] [--json]
//
// Exit codes: 0 success; 1 the run failed, timed out or the graph is invalid; 2 bad usage or
// configuration; 130 interrupted (Ctrl-C cancels a run).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CONFIG_OPTIONS, ConfigError } from '../config.ts';
import { UsageError } from './output.ts';

const USAGE = `usage: actorflow <command> [options]

commands:
  serve        start the server (REST API, /ws, history)
  run <graph>  run a graph (.json or .fbp) here, with live progress and a summary
  validate <graph>   check a graph against the components, listing every problem
  components   list the components graphs can use

run options:
  --input port=value   value for an exported inport (JSON, else a string); repeatable
  --timeout ms         cancel the run after this long (default 300000)
  --json               print the result as JSON instead of a summary

serve options:
  --example <graph>    validate a graph at start and print how to post it
  --actors <dir>       register every *.actor.{js,ts,py,wasm} in dir as a component; reload on change
${CONFIG_OPTIONS.map((o) => `  --${o.flag.padEnd(20)} ${o.env}`).join('\n')}

Every serve option can also be set through its environment variable (flags win).
Exit codes: 0 ok, 1 run failed / graph invalid, 2 usage or configuration error, 130 interrupted.`;

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

const COMMANDS: Record<string, { options: ParseArgsConfig['options']; run: (values: Record<string, unknown>, positionals: string[]) => Promise<number> }> = {
  serve: {
    options: { ...COMMON, example: { type: 'string' }, actors: { type: 'string' }, ...Object.fromEntries(CONFIG_OPTIONS.map((o) => [o.flag, { type: 'string' as const }])) },
    // Each command loads only what it needs (a usage error answers at once).
    run: async (values) => (await import('./serve.ts')).serveCommand(values as Record<string, string | undefined>),
  },
  run: {
    options: { ...COMMON, input: { type: 'string', multiple: true, short: 'i' }, timeout: { type: 'string' } },
    run: async (values, positionals) => (await import('./run.ts')).runCommand(positionals, values as { input?: string[]; timeout?: string; json?: boolean }),
  },
  validate: { options: COMMON, run: async (values, positionals) => (await import('./validate.ts')).validateCommand(positionals, Boolean(values.json)) },
  components: { options: { ...COMMON, category: { type: 'string' } }, run: async (values) => (await import('./components.ts')).componentsCommand(values as { category?: string; json?: boolean }) },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`actorflow: unknown command '${name}'\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    if ((values as Record<string, unknown>).help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    return await command.run(values, positionals);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`actorflow ${name}: ${(err as Error).message}\n(see actorflow --help)\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`actorflow ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
