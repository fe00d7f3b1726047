// Graph intake: what every submitted graph goes through before a run is accepted. Size limits
// first (nodes, connections, bytes per initial packet), then the graph reader, then validation
// against the registry; every problem is reported at once, with its path in the caller's request.
import { Graph, Network, ValidationError, loadGraph, parseFbp, readGraphJson, validateGraph, type ComponentRegistry, type NetworkOptions, type Problem } from '@actorflow/network';
import { ApiError, requestProblem } from '../errors.ts';
import { jsonByteLength } from '../json-values.ts';

export interface GraphLimits {
  maxNodes: number;
  maxEdges: number;
  /** Largest initial packet or input value, in bytes of JSON. */
  maxIipBytes: number;
}

/** Rewrites problem paths relative to the graph (`$.processes…`) to paths in the request (`$.graph_json.processes…`). */
export function rebase(problems: readonly Problem[], base: string): Problem[] {
  if (base === '$') return [...problems];
  return problems.map((p) => ({ ...p, path: p.path === '$' ? base : p.path.startsWith('$') ? base + p.path.slice(1) : `${base}.${p.path}` }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Size problems of a graph document, found before reading it (so a huge graph costs little). */
export function sizeProblems(doc: unknown, limits: GraphLimits): Problem[] {
  if (!isRecord(doc)) return [];
  const problems: Problem[] = [];
  const processes = doc.processes;
  const nodes = isRecord(processes) ? Object.keys(processes).length : Array.isArray(processes) ? processes.length : 0;
  if (nodes > limits.maxNodes) {
    problems.push(requestProblem('$.processes', `the graph has ${nodes} nodes, more than the limit of ${limits.maxNodes}`, 'split the graph, or raise ACTORFLOW_MAX_NODES on the server', 'GRAPH_TOO_LARGE'));
  }
  const connections = Array.isArray(doc.connections) ? doc.connections : [];
  if (connections.length > limits.maxEdges) {
    problems.push(requestProblem('$.connections', `the graph has ${connections.length} connections, more than the limit of ${limits.maxEdges}`, 'split the graph, or raise ACTORFLOW_MAX_EDGES on the server', 'GRAPH_TOO_LARGE'));
  } else {
    connections.forEach((c, i) => {
      if (isRecord(c) && c.data !== undefined && c.data !== null) {
        const bytes = jsonByteLength(c.data);
        if (bytes > limits.maxIipBytes) {
          problems.push(requestProblem(`$.connections[${i}].data`, `this initial packet is ${bytes} bytes, more than the limit of ${limits.maxIipBytes}`, 'send large data as run input or fetch it from inside the graph, or raise ACTORFLOW_MAX_IIP_BYTES', 'IIP_TOO_LARGE'));
        }
      }
    });
  }
  return problems;
}

/** Size problems of a graph already read (covers `.fbp` text and Graph objects). */
function graphSizeProblems(graph: Graph, limits: GraphLimits): Problem[] {
  const problems: Problem[] = [];
  if (graph.nodes.size > limits.maxNodes) {
    problems.push(requestProblem('$.processes', `the graph has ${graph.nodes.size} nodes, more than the limit of ${limits.maxNodes}`, 'split the graph, or raise ACTORFLOW_MAX_NODES on the server', 'GRAPH_TOO_LARGE'));
  }
  const edges = graph.edges.length + graph.initials.length;
  if (edges > limits.maxEdges) {
    problems.push(requestProblem('$.connections', `the graph has ${edges} connections, more than the limit of ${limits.maxEdges}`, 'split the graph, or raise ACTORFLOW_MAX_EDGES on the server', 'GRAPH_TOO_LARGE'));
  }
  return problems;
}

function invalidGraph(problems: Problem[], base: string): ApiError {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  const where = first ? `: ${base === '$' ? first.path : rebase([first], base)[0].path}: ${first.message}` : '';
  const message = errors.length === 1 ? `invalid graph${where}` : `invalid graph: ${errors.length} problems (see problems)`;
  return new ApiError('INVALID_GRAPH', message, first?.hint ?? 'fix the listed problems', { problems: rebase(problems, base) });
}

/**
 * Reads and validates a graph: a document (JSON object, JSON or `.fbp` text) or a Graph. Throws an
 * ApiError INVALID_GRAPH listing every problem, paths prefixed with `base` (where the graph sits in
 * the request). Warnings do not fail; they are returned.
 */
export function intakeGraph(source: unknown, registry: ComponentRegistry, limits: GraphLimits, base = '$', env?: Record<string, string | undefined>): { graph: Graph; warnings: Problem[] } {
  const early = sizeProblems(source, limits);
  if (early.length) throw invalidGraph(early, base);
  let graph: Graph;
  if (source instanceof Graph) graph = source;
  else {
    try {
      graph = loadGraph(source);
    } catch (err) {
      if (err instanceof ValidationError) throw invalidGraph(err.problems, base);
      throw err;
    }
  }
  const sized = graphSizeProblems(graph, limits);
  if (sized.length) throw invalidGraph(sized, base);
  const problems = validateGraph(graph, registry, env ? { env } : {});
  if (problems.some((p: Problem) => p.severity === 'error')) throw invalidGraph(problems, base);
  return { graph, warnings: rebase(problems, base) };
}

/**
 * Like intakeGraph, but builds the run's Network at once (for a run that starts right away):
 * Network.create validates the graph, so it is read and validated only once.
 */
export async function intakeNetwork(source: unknown, options: NetworkOptions, limits: GraphLimits, base = '$'): Promise<Network> {
  const early = sizeProblems(source, limits);
  if (early.length) throw invalidGraph(early, base);
  let network: Network;
  try {
    network = await Network.create(source, options);
  } catch (err) {
    if (err instanceof ValidationError) throw invalidGraph(err.problems, base);
    throw err;
  }
  const sized = graphSizeProblems(network.graph, limits);
  if (sized.length) throw invalidGraph(sized, base);
  return network;
}

/** Problems of a run's input: every key must be an exported inport, every value within the size limit. */
export function inputProblems(graph: Graph, input: Record<string, unknown>, limits: GraphLimits, base = '$.input'): Problem[] {
  const problems: Problem[] = [];
  const inports = [...graph.inports.keys()];
  for (const [port, value] of Object.entries(input)) {
    const path = /^[A-Za-z_$][\w$-]*$/.test(port) ? `${base}.${port}` : `${base}[${JSON.stringify(port)}]`;
    if (!graph.inports.has(graph.portName(port))) {
      problems.push(requestProblem(path, `the graph has no exported inport '${port}'`,
        inports.length ? `exported inports: ${inports.join(', ')}` : 'the graph exports no inports: add "inports" to the graph, or send no input', 'UNKNOWN_INPORT'));
      continue;
    }
    const bytes = jsonByteLength(value);
    if (bytes > limits.maxIipBytes) {
      problems.push(requestProblem(path, `this input value is ${bytes} bytes, more than the limit of ${limits.maxIipBytes}`, 'send less data, or raise ACTORFLOW_MAX_IIP_BYTES', 'INPUT_TOO_LARGE'));
    }
  }
  return problems;
}

/** A graph checked without running it: every problem (errors and warnings), and the graph if it could be read. */
export interface GraphInspection {
  valid: boolean;
  graph: Graph | undefined;
  problems: Problem[];
}

/**
 * Reads and validates a graph document (object, JSON text or `.fbp` text) leniently, collecting
 * every problem instead of stopping at the first (POST /graphs/validate, `actorflow validate`).
 */
export function inspectGraph(source: unknown, registry: ComponentRegistry, limits: GraphLimits): GraphInspection {
  const sized = sizeProblems(source, limits);
  if (sized.length) return { valid: false, graph: undefined, problems: sized };
  let read: { graph: Graph; problems: Problem[] };
  if (typeof source !== 'string') read = readGraphJson(source);
  else {
    let doc: unknown;
    try {
      doc = JSON.parse(source);
    } catch {
      doc = undefined;
    }
    read = doc === undefined ? parseFbp(source) : readGraphJson(doc);
  }
  const problems = [...read.problems];
  if (!problems.some((p) => p.severity === 'error')) problems.push(...graphSizeProblems(read.graph, limits), ...validateGraph(read.graph, registry));
  return { valid: !problems.some((p) => p.severity === 'error'), graph: read.graph, problems };
}
