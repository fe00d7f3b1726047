// The ports each node of a graph really has: its component's static ports merged with the
// dynamic ones `ports(config)` adds for the node's resolved config; for a subgraph, the ports it
// exports (typed by the inner ports they expose). Shared by validation and analysis.
import { resolveNodeConfig, type Env, type NodeConfig } from '../actor/config.ts';
import { resolvePorts } from '../actor/define.ts';
import type { ComponentRegistry, ComponentDefinition, SubgraphDefinition } from '../actor/registry.ts';
import type { ActorDefinition, InPortSpec, InPorts, OutPortSpec, OutPorts } from '../actor/types.ts';
import type { Problem } from '../errors.ts';
import { formatPortType, isCompatible, toPortType, type PortType } from '../port-types.ts';
import { didYouMean } from '../suggest.ts';
import type { Graph } from './graph.ts';
import { pathKey } from './json-path.ts';
import { problem } from './problems.ts';
import { nodeSourcePath } from './source-map.ts';
import type { GraphNode } from './types.ts';

/** One port of a node, as validation needs it. */
export interface ResolvedPort {
  /** The name the component declares (graph port names may be lower-cased). */
  name: string;
  type: PortType;
  addressable: boolean;
  required: boolean;
}

export type PortDirection = 'inports' | 'outports';

export interface NodePorts {
  /** Keyed by the graph's spelling of the port name (lower case unless the graph is case sensitive). */
  inports: Map<string, ResolvedPort>;
  outports: Map<string, ResolvedPort>;
}

export interface NodeResolution {
  node: GraphNode;
  /** Undefined when the component is not registered. */
  def?: ComponentDefinition;
  /** The resolved config (actors only). */
  config?: NodeConfig;
  /** Undefined when the ports cannot be known (unknown component, failing `ports(config)`, recursive subgraph). */
  ports?: NodePorts;
  /** Unknown component, config and env problems, failing dynamic ports. */
  problems: Problem[];
}

/** Static ports by definition and case sensitivity: most nodes share their component's ports. */
const staticPorts = new WeakMap<ActorDefinition, Partial<Record<'exact' | 'lower', NodePorts>>>();

function actorPorts(def: ActorDefinition, specs: { inports: InPorts; outports: OutPorts }, caseSensitive: boolean): NodePorts {
  const build = () => ({ inports: portMap(specs.inports, caseSensitive), outports: portMap(specs.outports, caseSensitive) });
  if (def.ports) return build(); // dynamic: depends on the node's config
  const key = caseSensitive ? 'exact' : 'lower';
  let cached = staticPorts.get(def);
  if (!cached) staticPorts.set(def, (cached = {}));
  return (cached[key] ??= build());
}

function portMap(specs: Record<string, InPortSpec | OutPortSpec>, caseSensitive: boolean): Map<string, ResolvedPort> {
  const out = new Map<string, ResolvedPort>();
  for (const [name, spec] of Object.entries(specs)) {
    out.set(caseSensitive ? name : name.toLowerCase(), {
      name, type: toPortType(spec.type), addressable: spec.addressable === true, required: 'required' in spec && spec.required === true,
    });
  }
  return out;
}

/** Resolves the nodes of graphs against a registry; subgraph boundaries are computed once per definition. */
export class PortResolver {
  readonly #registry: ComponentRegistry;
  readonly #env: Env | undefined;
  readonly #subgraphs = new Map<SubgraphDefinition, NodePorts | 'pending' | undefined>();

  constructor(registry: ComponentRegistry, env?: Env) {
    this.#registry = registry;
    this.#env = env;
  }

  /** The component, config and ports of one node of `graph`. */
  node(graph: Graph, node: GraphNode): NodeResolution {
    const path = nodeSourcePath(node);
    const def = this.#registry.get(node.component);
    if (!def) {
      const hint = didYouMean(node.component, this.#registry.names()) || `register it first (${this.#registry.names().length} components registered)`;
      return { node, problems: [problem('UNKNOWN_COMPONENT', `${path}.component`, `node '${node.id}' uses unknown component '${node.component}'`, hint)] };
    }
    if (def.kind === 'subgraph') {
      const ports = this.#subgraphPorts(def, graph.caseSensitive);
      if (ports) return { node, def, ports, problems: [] };
      return {
        node, def,
        problems: [problem('RECURSIVE_SUBGRAPH', `${path}.component`, `node '${node.id}': subgraph '${def.name}' contains itself, directly or through other subgraphs`, 'a subgraph cannot include itself')],
      };
    }
    const config = resolveNodeConfig(def, node.metadata, this.#env, node.id, pathKey(path, 'metadata'));
    try {
      const specs = resolvePorts(def, config.config);
      return { node, def, config, problems: config.problems, ports: actorPorts(def, specs, graph.caseSensitive) };
    } catch (error) {
      const failed = problem('INVALID_PORTS', pathKey(path, 'metadata'), `node '${node.id}' (${def.name}): its ports could not be determined from its config: ${(error as Error).message}`,
        "fix the node's config; the component derives its ports from it");
      return { node, def, config, problems: [...config.problems, failed] };
    }
  }

  /** The exported ports of a subgraph, typed by the inner ports; undefined while resolving itself (recursion). */
  #subgraphPorts(def: SubgraphDefinition, caseSensitive: boolean): NodePorts | undefined {
    const known = this.#subgraphs.get(def);
    if (known === 'pending') return undefined;
    if (known !== undefined || this.#subgraphs.has(def)) return known && this.#rekey(known, caseSensitive);
    this.#subgraphs.set(def, 'pending');
    const inner = def.graph;
    for (const n of inner.nodes.values()) {
      const nested = this.#registry.get(n.component);
      if (nested?.kind === 'subgraph' && !this.#subgraphPorts(nested, inner.caseSensitive)) {
        this.#subgraphs.set(def, undefined);
        return undefined;
      }
    }
    const boundary = (dir: PortDirection): Map<string, ResolvedPort> => {
      const out = new Map<string, ResolvedPort>();
      for (const exported of inner[dir].values()) {
        const node = inner.nodes.get(exported.node);
        const resolution = node ? this.node(inner, node) : undefined;
        const port = resolution?.ports?.[dir].get(exported.port);
        out.set(exported.name, {
          name: exported.name, type: port?.type ?? { type: 'any' }, addressable: exported.index === undefined && (port?.addressable ?? false), required: port?.required ?? false,
        });
      }
      return out;
    };
    const ports = { inports: boundary('inports'), outports: boundary('outports') };
    this.#subgraphs.set(def, ports);
    return this.#rekey(ports, caseSensitive);
  }

  /** Exported names are stored in the subgraph's spelling; the using graph may lower-case. */
  #rekey(ports: NodePorts, caseSensitive: boolean): NodePorts {
    if (caseSensitive) return ports;
    const lower = (m: Map<string, ResolvedPort>) => new Map([...m].map(([k, v]) => [k.toLowerCase(), v]));
    return { inports: lower(ports.inports), outports: lower(ports.outports) };
  }
}

/** Why `from` cannot flow into `to`, or undefined when it can (untyped `any` ends always can). */
export function typeMismatch(from: PortType, to: PortType, what: string): string | undefined {
  if (isCompatible(from, to)) return undefined;
  return `${what}: ${formatPortType(from)} does not fit ${formatPortType(to)}`;
}
