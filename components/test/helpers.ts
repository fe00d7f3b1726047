// Shared helpers for the component tests: a registry with the core components and the given
// component categories, a terse graph builder ("a.out -> b.in", IIPs, exported ports), and a run
// that returns the values reaching exported outports.
import assert from 'node:assert/strict';
import { ComponentRegistry, Network, registerCoreComponents, ValidationError, type Problem, type RunResult } from '@actorflow/network';
import { graphOf as graph, type GraphSketch as GraphSpec } from '@actorflow/network/testing';

export { graph, type GraphSpec };

const CATEGORY = (name: string) => new URL(`../src/${name}/index.ts`, import.meta.url);

/** A registry with the core components and the component categories named (e.g. 'flow', 'time'). */
export async function registryWith(...categories: string[]): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  await registerCoreComponents(registry);
  for (const category of categories) await registry.registerModule(CATEGORY(category));
  return registry;
}

/** Runs a graph to completion and returns the result (fails the test on a run that did not complete unless `expect` says so). */
export async function run(registry: ComponentRegistry, spec: GraphSpec, input: Record<string, unknown> = {}, expect: RunResult['status'] = 'completed'): Promise<RunResult> {
  const net = await Network.create(graph(spec), { registry });
  const result = await net.run({ input, timeoutMs: 10_000 });
  assert.equal(result.status, expect, `run ${result.status}: ${JSON.stringify(result.errors.map((e) => e.error.message))}`);
  return result;
}

/** Runs one node (component + config) on one packet sent to its `in`; returns the values of the listed outports. */
export async function runNode(registry: ComponentRegistry, component: string, config: Record<string, unknown>, packet: unknown, outs = ['out']): Promise<Record<string, unknown[]>> {
  const outports = Object.fromEntries(outs.map((o) => [o, `n.${o}`]));
  return (await run(registry, { nodes: { n: [component, config] }, inports: { in: 'n.in' }, outports }, { in: packet })).results;
}

/** The error of one node (component + config) failing on one packet sent to its `in`. */
export async function nodeFailure(registry: ComponentRegistry, component: string, config: Record<string, unknown>, packet: unknown): Promise<{ message: string; code?: string }> {
  return runError(await run(registry, { nodes: { n: [component, config] }, inports: { in: 'n.in' } }, { in: packet }, 'failed'));
}

/** The problems Network.create reports for a graph (fails the test if it accepts the graph). */
export async function loadProblems(registry: ComponentRegistry, spec: GraphSpec): Promise<Problem[]> {
  try {
    await Network.create(graph(spec), { registry });
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    return error.problems.filter((p) => p.severity === 'error');
  }
  return assert.fail('Network.create accepted the graph');
}

/** Asserts one problem at `path` whose message matches `message` (and hint matches `hint`, if given). */
export function assertProblem(problems: Problem[], path: string, message: RegExp, hint?: RegExp): void {
  const hit = problems.find((p) => p.path === path && message.test(p.message) && (!hint || hint.test(p.hint)));
  assert.ok(hit, `no problem at ${path} matching ${message}${hint ? ` / ${hint}` : ''}; got:\n${problems.map((p) => `  ${p.path}: ${p.message} (${p.hint})`).join('\n')}`);
}

/** The single unhandled error of a failed run. */
export function runError(result: RunResult): { message: string; code?: string } {
  assert.equal(result.status, 'failed');
  const error = result.errors.find((e) => !e.handled) ?? result.errors[0];
  assert.ok(error, 'a failed run reports its error');
  return error.error;
}
