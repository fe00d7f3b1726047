// `actorflow serve`: the server with the embedded defaults (SQLite history next to you, loopback
// only), graceful shutdown on SIGTERM/SIGINT (a second signal exits at once).
import type { ComponentRegistry } from '@actorflow/network';
import type { ActorWatcher } from '@actorflow/script';
import { buildServer } from '../app.ts';
import { defaultConfig, loadConfig } from '../config.ts';
import { inspectGraph } from '../engine/graph-intake.ts';
import { formatProblems, readGraphFile } from './output.ts';

export async function serveCommand(flags: Record<string, string | undefined>): Promise<number> {
  const config = loadConfig(flags, process.env);
  const example = flags.example;
  // The server answers at once; the component library loads meanwhile (app.actorflow.loaded).
  const app = await buildServer({ config });
  await app.listen({ host: config.host, port: config.port });
  await app.actorflow.loaded;
  if (example) {
    const { maxNodes, maxEdges, maxIipBytes } = defaultConfig();
    const { valid, problems } = inspectGraph(readGraphFile(example), app.actorflow.registry, { maxNodes, maxEdges, maxIipBytes });
    if (!valid) {
      process.stderr.write(`actorflow serve: the example graph ${example} is invalid:\n${formatProblems(problems)}\n`);
      await app.close();
      return 1;
    }
  }
  const watcher = flags.actors ? await watchScripts(flags.actors, app.actorflow.registry) : undefined;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const auth = config.apiKeys.length ? ` -H "authorization: Bearer $ACTORFLOW_API_KEY"` : '';
  process.stdout.write([
    `actorflow: listening on ${url} (history: ${config.db}; API docs: ${url}/docs/json; live events: ws://${host}:${port}/ws)`,
    ...(example ? [
      `actorflow: run the example graph ${example}:`,
      `  curl -s -X POST "${url}/workflows?wait=true" -H 'content-type: application/json'${auth} --data "{\\"graph_json\\": $(cat ${example})}"`,
      `  or without the server: ./run actorflow run ${example}`,
    ] : []),
    '',
  ].join('\n'));
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        app.log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      app.log.info({ signal, grace_ms: config.shutdownGraceMs }, 'shutting down: no new runs; running runs get the grace period');
      Promise.all([app.close(), watcher?.close()]).then(() => resolve(0), (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        resolve(1);
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** `--actors DIR`: registers the folder's *.actor.* scripts, reloads them on change, reports broken ones (file:line). */
async function watchScripts(dir: string, registry: ComponentRegistry): Promise<ActorWatcher> {
  const say = (line: string) => process.stderr.write(`actorflow: ${line}\n`);
  const { watchActors } = await import('@actorflow/script');
  const watcher = await watchActors(dir, registry, {
    onProblem: (problem) => say(`actor script problem: ${problem.message}`),
    onChange: (event) => {
      if (event.type !== 'problem') say(`actor ${event.name} ${event.type} (${event.file})`);
    },
  });
  say(`actors from ${dir}: ${watcher.initial.actors.map((a) => a.name).join(', ') || 'none'}${watcher.initial.problems.length ? ` (${watcher.initial.problems.length} with problems, see above)` : ''}; watching for changes`);
  return watcher;
}
