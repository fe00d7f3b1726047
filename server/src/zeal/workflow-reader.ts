// Reads Zeal's workflow JSON (§5) leniently: every shape Zeal hands out (a workflow, the
// `{success, data}` envelope of GET /api/workflows/{id}, `workflow.state` and `workflow.published`
// messages) becomes one ZealWorkflow, and every problem is collected with its JSON path.
import type { Problem } from '@actorflow/network';
import type { ZealConnection, ZealGraph, ZealNode, ZealWorkflow } from './wire.ts';

export interface ReadWorkflow {
  workflow: ZealWorkflow;
  problems: Problem[];
  /** JSON path of every graph, node and connection object in the input document. */
  paths: WeakMap<object, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v !== '';

function problem(code: string, path: string, message: string, hint: string, severity: Problem['severity'] = 'error'): Problem {
  return { code, path, message, hint, severity };
}

/** Finds the workflow inside whatever Zeal sent, and the JSON path it sits at. */
function locate(doc: Record<string, unknown>): { body: Record<string, unknown>; path: string; id?: unknown; name?: unknown; version?: unknown } {
  if (doc.type === 'workflow.updated' && isObject(doc.data)) {
    return { body: doc.data, path: '$.data', id: doc.workflowId, name: doc.data.name ?? doc.workflowName, version: doc.data.version };
  }
  if (!('graphs' in doc) && isObject(doc.data) && 'graphs' in doc.data) {
    return { body: doc.data, path: '$.data', id: doc.data.id, name: doc.data.name, version: doc.data.version };
  }
  // A broadcast event (workflow.published) has its own `id`; the workflow's is `workflowId`.
  const isEvent = typeof doc.type === 'string' && typeof doc.workflowId === 'string';
  return { body: doc, path: '$', id: isEvent ? doc.workflowId : doc.id ?? doc.workflowId, name: doc.name ?? doc.workflowName, version: doc.version };
}

function readConnection(raw: unknown, path: string, problems: Problem[], paths: WeakMap<object, string>): ZealConnection | undefined {
  if (!isObject(raw)) {
    problems.push(problem('ZEAL_INVALID_CONNECTION', path, 'a connection must be an object', 'give {id, source:{nodeId, portId}, target:{nodeId, portId}}'));
    return undefined;
  }
  let ok = true;
  if (!isId(raw.id)) {
    problems.push(problem('ZEAL_INVALID_CONNECTION', `${path}.id`, 'the connection has no id', 'every Zeal connection has a string id (live events name connections by it)'));
    ok = false;
  }
  const end = (key: 'source' | 'target') => {
    const e = raw[key];
    if (!isObject(e) || !isId(e.nodeId) || !isId(e.portId)) {
      const hint = 'Zeal connections use {nodeId, portId} ends (not Reflow\'s from/to)';
      problems.push(problem('ZEAL_INVALID_CONNECTION', `${path}.${key}`, `the connection's ${key} must be {nodeId, portId} with non-empty strings`, hint));
      ok = false;
      return undefined;
    }
    return { nodeId: e.nodeId, portId: e.portId };
  };
  const source = end('source');
  const target = end('target');
  if (!ok || !source || !target) return undefined;
  const conn: ZealConnection = { id: raw.id as string, source, target };
  paths.set(conn, path);
  return conn;
}

function readNode(raw: unknown, path: string, problems: Problem[], paths: WeakMap<object, string>): ZealNode | undefined {
  if (!isObject(raw) || !isId(raw.id)) {
    problems.push(problem('ZEAL_INVALID_NODE', isObject(raw) ? `${path}.id` : path, 'a node must be an object with a non-empty string id', 'Zeal nodes are {id, type, position, metadata}'));
    return undefined;
  }
  const metadata = raw.metadata;
  if (metadata !== undefined && !isObject(metadata)) {
    problems.push(problem('ZEAL_INVALID_NODE', `${path}.metadata`, `node '${raw.id}': metadata must be an object`, 'metadata holds templateId, propertyValues, ports, …'));
    return undefined;
  }
  const node: ZealNode = { id: raw.id, metadata: { ...(metadata ?? {}) } };
  paths.set(node, path);
  if (typeof raw.type === 'string') node.type = raw.type;
  const pv = node.metadata.propertyValues;
  if (pv !== undefined && !isObject(pv)) {
    problems.push(problem('ZEAL_INVALID_NODE', `${path}.metadata.propertyValues`, `node '${raw.id}': propertyValues must be an object keyed by property id`, 'remove it or give an object'));
    delete node.metadata.propertyValues;
  }
  const ports = node.metadata.ports;
  if (ports !== undefined && !Array.isArray(ports)) {
    problems.push(problem('ZEAL_INVALID_NODE', `${path}.metadata.ports`, `node '${raw.id}': ports must be an array`, 'each port is {id, label, type, position}', 'warning'));
    delete node.metadata.ports;
  }
  return node;
}

function readGraph(raw: unknown, path: string, problems: Problem[], paths: WeakMap<object, string>): ZealGraph | undefined {
  if (!isObject(raw)) {
    problems.push(problem('ZEAL_INVALID_GRAPH', path, 'a graph must be an object', 'give {id, name, isMain, nodes, connections}'));
    return undefined;
  }
  if (!isId(raw.id)) {
    problems.push(problem('ZEAL_INVALID_GRAPH', `${path}.id`, 'the graph has no id', "the main graph's id is 'main'; subgraph nodes name other graphs by id"));
    return undefined;
  }
  const graph: ZealGraph = { id: raw.id, nodes: [], connections: [] };
  paths.set(graph, path);
  if (typeof raw.name === 'string') graph.name = raw.name;
  if (typeof raw.namespace === 'string') graph.namespace = raw.namespace;
  if (typeof raw.isMain === 'boolean') graph.isMain = raw.isMain;
  for (const key of ['nodes', 'connections'] as const) {
    if (raw[key] !== undefined && !Array.isArray(raw[key])) {
      problems.push(problem('ZEAL_INVALID_GRAPH', `${path}.${key}`, `graph '${raw.id}': ${key} must be an array`, `give ${key}: []`));
    }
  }
  const ids = new Set<string>();
  (Array.isArray(raw.nodes) ? raw.nodes : []).forEach((n, i) => {
    const node = readNode(n, `${path}.nodes[${i}]`, problems, paths);
    if (!node) return;
    if (ids.has(node.id)) {
      problems.push(problem('ZEAL_DUPLICATE_NODE', `${path}.nodes[${i}].id`, `graph '${raw.id}' has two nodes with id '${node.id}'`, 'node ids must be unique within a graph'));
      return;
    }
    ids.add(node.id);
    graph.nodes.push(node);
  });
  (Array.isArray(raw.connections) ? raw.connections : []).forEach((c, i) => {
    const cpath = `${path}.connections[${i}]`;
    const conn = readConnection(c, cpath, problems, paths);
    if (!conn) return;
    for (const key of ['source', 'target'] as const) {
      if (!ids.has(conn[key].nodeId)) {
        problems.push(problem('ZEAL_DANGLING_CONNECTION', `${cpath}.${key}.nodeId`, `connection '${conn.id}' in graph '${raw.id}' names unknown node '${conn[key].nodeId}'`, `nodes of this graph: ${[...ids].slice(0, 10).join(', ') || '(none)'}`));
        return;
      }
    }
    graph.connections.push(conn);
  });
  return graph;
}

/** Reads a Zeal workflow document; never throws. Problems carry JSON paths into `doc`. */
export function readZealWorkflow(doc: unknown): ReadWorkflow {
  const problems: Problem[] = [];
  const paths = new WeakMap<object, string>();
  const workflow: ZealWorkflow = { graphs: [] };
  if (!isObject(doc)) {
    problems.push(problem('ZEAL_INVALID_WORKFLOW', '$', 'a Zeal workflow must be a JSON object', 'send the workflow as Zeal exports it: {id, name, graphs:[…]}'));
    return { workflow, problems, paths };
  }
  const at = locate(doc);
  if (typeof at.id === 'string') workflow.id = at.id;
  if (typeof at.name === 'string') workflow.name = at.name;
  if (typeof at.version === 'number') workflow.version = at.version;
  if (typeof at.body.description === 'string') workflow.description = at.body.description;
  if (typeof at.body.activeGraphId === 'string') workflow.activeGraphId = at.body.activeGraphId;
  const graphs = at.body.graphs;
  if (!Array.isArray(graphs) || graphs.length === 0) {
    problems.push(problem('ZEAL_INVALID_WORKFLOW', `${at.path}.graphs`, Array.isArray(graphs) ? 'the workflow has no graphs' : 'the workflow has no graphs array',
      "Zeal workflows carry graphs: [{id:'main', isMain:true, nodes, connections}, …] (Reflow's snake_case form is not Zeal's)"));
    return { workflow, problems, paths };
  }
  const seen = new Set<string>();
  graphs.forEach((g, i) => {
    const graph = readGraph(g, `${at.path}.graphs[${i}]`, problems, paths);
    if (!graph) return;
    if (seen.has(graph.id)) {
      problems.push(problem('ZEAL_DUPLICATE_GRAPH', `${at.path}.graphs[${i}].id`, `two graphs have id '${graph.id}'`, 'graph ids must be unique within a workflow'));
      return;
    }
    seen.add(graph.id);
    workflow.graphs.push(graph);
  });
  return { workflow, problems, paths };
}
