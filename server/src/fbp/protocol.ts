// The FBP Network Protocol's vocabulary as Actorflow speaks it: message envelopes, capabilities,
// the error every failed command answers with, NoFlo's edge ids and FBP port definitions.
// Spec: https://flowbased.github.io/fbp-protocol/ (0.7/0.8; the schemas of fbp-protocol 0.9.8).
import { formatPortType, type ComponentInfo, type PortInfo, type PortRef, type PortType } from '@actorflow/network';

/** Protocol version reported by runtime:runtime. */
export const PROTOCOL_VERSION = '0.8';

/** Runtime type reported by runtime:runtime. */
export const RUNTIME_TYPE = 'actorflow';

export type Subprotocol = 'runtime' | 'graph' | 'component' | 'network' | 'trace';

export const SUBPROTOCOLS: readonly Subprotocol[] = ['runtime', 'graph', 'component', 'network', 'trace'];

/** A frame a client sent, once its envelope is valid. */
export interface FbpRequest {
  protocol: Subprotocol;
  command: string;
  payload: Record<string, unknown>;
  /** Secret sent at the top level (protocol 0.8) or in the payload (older clients). */
  secret: string | undefined;
  requestId: string | undefined;
}

/** A frame the runtime sends. `payload` is an object except for component:componentsready (a count). */
export interface FbpFrame {
  protocol: string;
  command: string;
  payload: unknown;
  responseTo?: string;
}

export type Capability =
  | 'protocol:runtime' | 'protocol:graph' | 'protocol:component' | 'protocol:network' | 'protocol:trace'
  | 'graph:readonly' | 'network:control' | 'network:status' | 'network:data' | 'component:getsource' | 'component:setsource';

/**
 * The capabilities this runtime has. `component:setsource` is added only when configuration lets
 * clients create components from source; `network:persist` is never claimed (graphs live in memory).
 */
export function runtimeCapabilities(setSource: boolean): Capability[] {
  return [
    'protocol:runtime', 'protocol:graph', 'protocol:component', 'protocol:network', 'protocol:trace',
    'graph:readonly', 'network:control', 'network:status', 'network:data', 'component:getsource',
    ...(setSource ? ['component:setsource' as const] : []),
  ];
}

/** The capability a client needs to send `protocol:command` (spec: shared.yml `capabilities`). */
export function requiredCapability(protocol: Subprotocol, command: string): Capability | null {
  switch (protocol) {
    case 'runtime':
      return command === 'getruntime' ? null : 'protocol:runtime';
    case 'graph':
      return 'protocol:graph';
    case 'trace':
      return 'protocol:trace';
    case 'component':
      return command === 'getsource' ? 'component:getsource' : command === 'source' ? 'component:setsource' : 'protocol:component';
    case 'network':
      return command === 'getstatus' ? 'network:status' : command === 'edges' ? 'network:data' : 'network:control';
  }
}

/**
 * A command that cannot be carried out. It is answered with `<protocol>:error {message}`, where the
 * message says what went wrong and how to fix it.
 */
export class FbpError extends Error {
  override name = 'FbpError';
  /** Where the error is reported (default: the protocol of the request). */
  readonly protocol: Subprotocol | undefined;
  /** Extra payload keys of the error frame (e.g. `graph` on network:error). */
  readonly extra: Record<string, unknown>;
  constructor(message: string, options: { protocol?: Subprotocol; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.protocol = options.protocol;
    this.extra = options.extra ?? {};
  }
}

/** `Node() PORT` or `Node() PORT[2]`, one end of a NoFlo edge id. */
function endpoint(ref: PortRef, side: 'src' | 'tgt'): string {
  const port = ref.index === undefined ? ref.port.toUpperCase() : `${ref.port.toUpperCase()}[${ref.index}]`;
  return side === 'src' ? `${ref.node}() ${port}` : `${port} ${ref.node}()`;
}

/**
 * NoFlo's textual edge id, which FBP IDEs match edges on: `"A() OUT -> IN B()"`, and for an
 * initial packet (no source) `"DATA -> IN B()"`.
 */
export function edgeId(src: PortRef | null, tgt: PortRef): string {
  return `${src ? endpoint(src, 'src') : 'DATA'} -> ${endpoint(tgt, 'tgt')}`;
}

/** A port as FBP clients describe it (`shared/port_definition`). */
export interface PortDefinition {
  id: string;
  type: string;
  description?: string;
  required?: boolean;
  addressable?: boolean;
  schema?: string;
  values?: unknown[];
  default?: unknown;
}

/** FBP's datatype names for Actorflow's port types (`all` is FBP's `any`). */
const FBP_TYPES: Partial<Record<PortType['type'], string>> = {
  any: 'all', flow: 'bang', event: 'bang', integer: 'int', float: 'number', binary: 'buffer', encoded: 'buffer', error: 'object',
};

export function fbpPortType(type: PortType): string {
  if (type.type === 'option') return fbpPortType(type.value);
  return FBP_TYPES[type.type] ?? formatPortType(type);
}

/** One port of the registry's palette info as an FBP port definition. */
export function portDefinition(port: PortInfo): PortDefinition {
  const def: PortDefinition = { id: port.name, type: fbpPortType(port.type), required: port.required === true, addressable: port.addressable === true };
  if (port.description !== undefined) def.description = port.description;
  if (port.default !== undefined) def.default = port.default;
  const schema = port.schema as { $id?: unknown; enum?: unknown } | undefined;
  // FBP carries a schema as a URI; an inline JSON Schema is only referenced when it names itself.
  if (typeof schema?.$id === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(schema.$id)) def.schema = schema.$id;
  if (Array.isArray(schema?.enum)) def.values = schema.enum;
  return def;
}

/** The component:component payload of a registry entry. */
export function componentPayload(info: ComponentInfo): Record<string, unknown> {
  return {
    name: info.name,
    description: info.description,
    icon: info.icon,
    subgraph: info.kind === 'subgraph',
    inPorts: info.inports.map(portDefinition),
    outPorts: info.outports.map(portDefinition),
  };
}

/** `library/Name` → `{library, name}` (component:source names carry no library prefix). */
export function splitComponentName(full: string): { library: string; name: string } {
  const slash = full.lastIndexOf('/');
  return slash < 0 ? { library: '', name: full } : { library: full.slice(0, slash), name: full.slice(slash + 1) };
}
