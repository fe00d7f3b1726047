// Shared helpers for the component tests: a registry with the core components and the given
// component categories, a terse graph builder ("a.out -> b.in", IIPs, exported ports), and a run
// that returns the values reaching exported outports.
import assert from 'node:assert/strict';
import { ComponentRegistry, Graph, Network, registerCoreComponents, ValidationError, type Metadata, type PortRef, type Problem, type RunResult } from '@actorflow/network';

const CATEGORY = (name: string) => new URL(`../src/${name}/index.ts`, import.meta.url);

/** A registry with the core components and the component categories named (e.g. 'flow', 'time'). */
export async function registryWith(...categories: string[]): Promise<ComponentRegistry> {
  const registry = new ComponentRegistry();
  await registerCoreComponents(registry);
  for (const category of categories) await registry.registerModule(CATEGORY(category));
  return registry;
}

/** `node.port` or `node.port[3]`. */
export function ref(text: string): PortRef {
  const m = text.trim().match(/^([^.\s]+)\.([A-Za-z_][\w-]*)(?:\[(\d+)\])?$/);
  if (!m) throw new Error(`bad port reference '${text}'`);
  return m[3] === undefined ? { node: m[1], port: m[2] } : { node: m[1], port: m[2], index: Number(m[3]) };
}

export interface GraphSpec {
  nodes: Record<string, string | [component: string, metadata: Metadata]>;
  /** 'a.out -> b.in' */
  edges?: string[];
  /** [value, 'b.in'] */
  iips?: [unknown, string][];
  inports?: Record<string, string | undefined>;
  outports?: Record<string, string | undefined>;
}

export function graph(spec: GraphSpec): Graph {
  const g = new Graph({ name: 'test' });
  for (const [id, c] of Object.entries(spec.nodes)) {
    if (typeof c === 'string') g.addNode(id, c);
    else g.addNode(id, c[0], c[1]);
  }
  for (const e of spec.edges ?? []) {
    const [from, to] = e.split('->');
    g.addEdge(ref(from), ref(to));
  }
  for (const [value, to] of spec.iips ?? []) g.addInitial(value, ref(to));
  for (const [name, to] of Object.entries(spec.inports ?? {})) {
    if (to === undefined) continue;
    const r = ref(to);
    g.addInport(name, r.node, r.port);
  }
  for (const [name, from] of Object.entries(spec.outports ?? {})) {
    if (from === undefined) continue;
    const r = ref(from);
    g.addOutport(name, r.node, r.port, {}, r.index);
  }
  return g;
}

/** Runs a graph to completion and returns the result (fails the test on a run that did not complete unless `expect` says so). */
export async function run(registry: ComponentRegistry, spec: GraphSpec, input: Record<string, unknown> = {}, expect: RunResult['status'] = 'completed'): Promise<RunResult> {
  const net = await Network.create(graph(spec), { registry });
  const result = await net.run({ input, timeoutMs: 10_000 });
  assert.equal(result.status, expect, `run ${result.status}: ${JSON.stringify(result.errors.map((e) => e.error.message))}`);
  return result;
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
