// The actor API: what a user writes to define a component, and what the runtime hands it.
import type { Flow } from '../messages/flow.ts';
import type { PortTypeName, PortTypeSpec } from '../port-types.ts';

/** A JSON Schema document (draft 2020-12 / draft-07 keywords, validated with Ajv). */
export type JsonSchema = Record<string, unknown> | boolean;

/** An input port. */
export interface InPortSpec {
  /** Message type: a name (`'number'`, `'object'`, …) or Reflow's `{type, value}` form. Default `'any'`. */
  type?: PortTypeSpec;
  /** JSON Schema for messages on this port (documentation and graph-time type checks). */
  schema?: JsonSchema;
  description?: string;
  /** The graph is invalid unless this port is connected or has an IIP. */
  required?: boolean;
  /** Value used when the port has nothing to offer (await-all firing, sticky ports). */
  default?: unknown;
  /** An array port: connections address slots with `index` (`IN[0]`, `IN[1]`). */
  addressable?: boolean;
  /**
   * Keep the last value received and offer it to every firing (a "control" port: a setting that
   * arrives once, e.g. by IIP, and applies to every message on the other ports).
   */
  sticky?: boolean;
  /** Inbox capacity for connections into this port (the connection's `capacity` overrides it). */
  capacity?: number;
}

/** An output port. */
export interface OutPortSpec {
  type?: PortTypeSpec;
  schema?: JsonSchema;
  description?: string;
  addressable?: boolean;
}

export type InPorts = Record<string, InPortSpec>;
export type OutPorts = Record<string, OutPortSpec>;

type ValueOfTypeName<T> =
  T extends 'boolean' ? boolean
  : T extends 'integer' | 'float' | 'number' ? number
  : T extends 'string' ? string
  : T extends 'binary' | 'stream' | 'encoded' ? Uint8Array
  : T extends 'flow' ? Flow
  : T extends 'date' ? Date
  : T extends 'bigint' ? bigint
  : T extends 'error' ? Error
  : T extends 'array' ? unknown[]
  : T extends 'object' ? Record<string, any>
  : any;

/** The TypeScript type of the values a port carries, from its declared type. */
export type PortValue<P> = P extends { type: infer T extends PortTypeName } ? ValueOfTypeName<T>
  : P extends { type: { type: infer T extends PortTypeName } } ? ValueOfTypeName<T>
  : any;

/** Outport names usable in `emit`: the declared ones, or any name for actors with only dynamic ports. */
export type OutPortName<O extends OutPorts> = [keyof O] extends [never] ? string : keyof O & string;

/** The value type accepted on outport `K`. */
export type OutValue<O extends OutPorts, K extends string> = K extends keyof O ? PortValue<O[K]> : any;

/** What `process` receives: the packets taken for this firing, by port name. */
export type Inputs<I extends InPorts> = { [K in keyof I]?: PortValue<I[K]> };

/**
 * When an actor fires:
 * - `'each'` (default): once per packet, on whichever port it arrives (`ctx.port` says which);
 * - `'all'`: once every connected inport has a packet (sticky ports and defaults count), taking one from each;
 * - a function: custom readiness. It gets the number of queued packets per port and returns
 *   `false` (not yet) or the ports to take one packet from each.
 */
export type FireMode = 'each' | 'all' | ((queued: Readonly<Record<string, number>>) => false | readonly string[]);

/** Severity of an actor's log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logging from inside an actor; lines become `ActorLog` network events. */
export interface ActorLogger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** Writes a byte stream to a port: each chunk is a message; open/close/error are network events. */
export interface StreamWriter {
  readonly streamId: string;
  /** Like emit: false when downstream is full (await ctx.drained()). */
  write(chunk: Uint8Array): boolean;
  end(): void;
  fail(error: unknown): void;
}

/**
 * Everything the runtime gives an actor. One context per node, for the node's lifetime;
 * `port`/`index` describe the current firing.
 */
export interface ActorContext<O extends OutPorts = OutPorts, S = any, C = Record<string, any>> {
  readonly nodeId: string;
  readonly component: string;
  /** The node's configuration (graph metadata, config-schema defaults applied, env vars merged). */
  readonly config: C;
  /** Environment variables the node declared in `env_vars`, resolved at start. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Per-node state, kept across messages for the node's lifetime. */
  state: S;
  /** Aborted when the network stops (or this firing times out). */
  readonly signal: AbortSignal;
  /** The inport this firing was triggered by (`'each'` mode). */
  readonly port: string | undefined;
  /** The slot of an addressable inport this firing came from. */
  readonly index: number | undefined;
  /**
   * Sends a value out of a port, to every connection (fan-out), or only to the connection on
   * slot `index` of an addressable port. Always accepted. Returns false when a downstream inbox is
   * now full: a firing may finish anyway (the node fires again only once there is room), but a
   * loop that keeps emitting — a long-running source, a big split — should `await ctx.drained()`.
   */
  emit<K extends OutPortName<O>>(port: K, value: OutValue<O, K>, index?: number): boolean;
  /** Resolves when every downstream inbox of this node has room again (at once if it has). */
  drained(): Promise<void>;
  /**
   * Keeps the network from going idle until `work` settles — for timers and callbacks an actor
   * starts outside a firing (a debounce timer, a window's flush). Returns `work`.
   */
  keepAlive<T>(work: Promise<T>): Promise<T>;
  /** Packets waiting for this node: on one inport, or on all of them. */
  queued(port?: string): number;
  /** Whether anything is connected to an outport (lets an actor skip work nobody reads). */
  isConnected(port: OutPortName<O>): boolean;
  /** Opens a byte stream on a port (see StreamWriter). */
  stream(port: OutPortName<O>, info?: { contentType?: string; name?: string }): StreamWriter;
  readonly log: ActorLogger;
}

/** The definition a user writes. `defineActor` checks it and returns an ActorDefinition. */
export interface ActorSpec<I extends InPorts = InPorts, O extends OutPorts = OutPorts, S = any, C = Record<string, any>> {
  /** Registry name, conventionally `library/Name` (e.g. `core/Repeat`). */
  name: string;
  description?: string;
  /** Palette category (e.g. `flow`, `transform`, `integration`). */
  category?: string;
  /** Icon name (Font Awesome / Lucide style) for IDE palettes. */
  icon?: string;
  version?: string;
  tags?: string[];
  inports?: I;
  outports?: O;
  /** JSON Schema of the node configuration; defaults are applied and violations reject the graph at load. */
  config?: JsonSchema;
  /**
   * Checks a node's config beyond its JSON Schema (an expression that must parse, a cron pattern…),
   * when the graph is loaded. Return (or throw) what is wrong: a message, or issues naming the field.
   */
  validate?(config: C): void | string | ConfigIssue | ConfigIssue[];
  /**
   * Ports that depend on the node's configuration (script actors, templates): called once per node
   * with its resolved config; the result is merged over the static `inports`/`outports`.
   */
  ports?(config: C): { inports?: InPorts; outports?: OutPorts };
  fire?: FireMode;
  /** Initial per-node state. */
  state?: () => S;
  /** Runs once when the network starts, before any message. */
  setup?(ctx: ActorContext<O, S, C>): void | Promise<void>;
  /** Handles one firing. Throwing (or rejecting) fails the firing: ActorFailed, retries, `error` port. */
  process?(input: Inputs<I>, ctx: ActorContext<O, S, C>): void | boolean | Promise<void>;
  /**
   * A long-running source: started after setup, it keeps the network alive until it settles
   * or the network stops (watch `ctx.signal`).
   */
  run?(ctx: ActorContext<O, S, C>): Promise<void>;
  /** Runs once when the network stops. */
  teardown?(ctx: ActorContext<O, S, C>): void | Promise<void>;
}

/** A problem `validate(config)` found. */
export interface ConfigIssue {
  /** The config field concerned (a JSON-path suffix such as `pattern` or `rules[0].value`). */
  field?: string;
  message: string;
  hint?: string;
}

/** A checked, registrable actor component. */
export interface ActorDefinition<I extends InPorts = InPorts, O extends OutPorts = OutPorts, S = any, C = Record<string, any>>
  extends ActorSpec<I, O, S, C> {
  readonly kind: 'actor';
  readonly inports: I;
  readonly outports: O;
}
