// `actorflow validate <graph>`: every problem with its path; exit 1 when the graph has errors.
import { defaultConfig } from '../config.ts';
import { inspectGraph } from '../engine/graph-intake.ts';
import { createRegistry } from '../registry.ts';
import { formatProblems, readGraphFile } from './output.ts';

export async function validateCommand(positionals: string[], json: boolean): Promise<number> {
  const [file] = positionals;
  const source = readGraphFile(file);
  const { maxNodes, maxEdges, maxIipBytes } = defaultConfig();
  const { valid, graph, problems } = inspectGraph(source, await createRegistry(), { maxNodes, maxEdges, maxIipBytes });
  if (json) process.stdout.write(`${JSON.stringify({ valid, problems }, null, 2)}\n`);
  else if (valid) {
    process.stdout.write(`${file}: valid (${graph?.nodes.size ?? 0} nodes, ${graph?.edges.length ?? 0} connections)${problems.length ? `, ${problems.length} warning(s):\n${formatProblems(problems)}` : ''}\n`);
  } else {
    const errors = problems.filter((p) => p.severity === 'error').length;
    process.stdout.write(`${file}: ${errors} error(s)\n${formatProblems(problems)}\n`);
  }
  return valid ? 0 : 1;
}
