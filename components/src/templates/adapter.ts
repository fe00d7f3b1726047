// A Zeal template as a component: wraps one of our components under the template's port ids and
// property values, so a workflow built in Zeal from Reflow's templates (`tpl_if_branch`, …) runs
// as it is. The wrapper renames ports both ways, turns the template's property values into the
// component's config (its schema defaults applied), and delegates every hook to the component.
import {
  ActorflowError, defineActor, resolveNodeConfig,
  type ActorContext, type ActorDefinition, type InPorts, type JsonSchema, type OutPorts,
} from '@actorflow/network';

/** Where a template outport's packets come from: a port of the component (one slot of it, if given). */
export interface OutSource {
  port: string;
  index?: number;
}

export interface TemplateSpec {
  /** The template id (Reflow / Zeal), e.g. `tpl_if_branch`. */
  id: string;
  /** Our component name for it, e.g. `zeal/IfBranch`. */
  name: string;
  /** The component doing the work. */
  target: ActorDefinition;
  description: string;
  icon: string;
  /** Template inport id → component inport. */
  inports: Record<string, string>;
  /** Template outport id → component outport (slot). */
  outports: Record<string, OutSource>;
  /** Template outports that receive the errors of failed firings (when connected), as Reflow's templates do. */
  errorPorts?: string[];
  /** JSON Schema of the template's property values (checked when the graph is loaded). */
  properties: JsonSchema;
  /** The component's config for the given property values. */
  config(values: Record<string, any>): Record<string, unknown>;
  /**
   * Template inports whose packets change the property values (e.g. a connection pool id): the
   * component is set up again with the new values. Only for components that fire on each packet.
   */
  configPorts?: Record<string, { description: string; apply(values: Record<string, any>, packet: unknown): Record<string, any> }>;
  /** Whether the property values alone make a usable config; until they do, packets wait for a config port. */
  configured?(values: Record<string, any>): boolean;
}

/** Packets a template node keeps while it waits for its config port. */
const MAX_WAITING = 10_000;

/** What the wrapper knows about a template at run time. */
export interface ZealTemplate {
  id: string;
  component: string;
  target: string;
  ports: { inports: Record<string, string>; outports: Record<string, OutSource> };
  config(values: Record<string, any>): Record<string, unknown>;
}

interface WrapperState {
  inner?: ActorContext;
  /** The property values the component was set up with. */
  values?: Record<string, any>;
  /** Packets taken before a config port made the component usable, with their port. */
  waiting: { input: Record<string, unknown>; port: string | undefined }[];
  /** The template port of the packet being delivered (it may have waited: not the current firing's). */
  port?: string;
}

function innerContext(outer: ActorContext<any, WrapperState>, spec: TemplateSpec, config: Record<string, unknown>): ActorContext {
  const toTarget = spec.inports;
  const fromTarget = Object.entries(spec.outports);
  /** Template ports a component port feeds; a dynamic port (from `ports(config)`) keeps its name. */
  const targets = (port: string, index?: number) => {
    const mapped = fromTarget
      .filter(([, s]) => s.port === port && (s.index === undefined || index === undefined || s.index === index))
      .map(([zeal]) => zeal);
    return mapped.length > 0 || port in spec.target.outports ? mapped : [port];
  };
  return {
    get nodeId() { return outer.nodeId; },
    component: spec.target.name,
    config,
    get env() { return outer.env; },
    state: spec.target.state ? spec.target.state() : {},
    get signal() { return outer.signal; },
    get port() {
      const port = outer.state.port ?? outer.port;
      return port === undefined ? undefined : toTarget[port] ?? port;
    },
    get index() { return outer.index; },
    emit(port: string, value: unknown, index?: number) {
      let room = true;
      for (const zeal of targets(port, index)) room = outer.emit(zeal, value) && room;
      return room;
    },
    drained: () => outer.drained(),
    isConnected: (port: string) => targets(port).some((zeal) => outer.isConnected(zeal)),
    stream(port: string, info?: { contentType?: string; name?: string }) {
      const [zeal] = targets(port);
      if (zeal === undefined) throw new ActorflowError('UNKNOWN_PORT', `template ${spec.id} does not expose outport '${port}' of ${spec.target.name}`, 'connect one of the template ports');
      return outer.stream(zeal, info);
    },
    get log() { return outer.log; },
  } as ActorContext;
}

/** Turns a template spec into a component (and its run-time description). */
export function zealTemplate(spec: TemplateSpec): ActorDefinition {
  const target = spec.target;
  if (typeof target.fire === 'function') {
    throw new ActorflowError('INVALID_TEMPLATE', `template ${spec.id}: ${target.name} has a custom firing rule, which template ports cannot rename`, "wrap components that fire on 'each' packet or on 'all' ports");
  }
  const inports: InPorts = {};
  for (const [zeal, port] of Object.entries(spec.inports)) {
    const { required: _required, ...rest } = target.inports[port] ?? {};
    inports[zeal] = { ...rest, description: `${rest.description ?? ''} (${target.name} \`${port}\`)`.trim() };
  }
  for (const [zeal, port] of Object.entries(spec.configPorts ?? {})) inports[zeal] = { description: port.description };
  const outports: OutPorts = {};
  for (const [zeal, source] of Object.entries(spec.outports)) {
    const s = target.outports[source.port] ?? {};
    outports[zeal] = { ...(s.type ? { type: s.type } : {}), description: `${s.description ?? ''} (${target.name} \`${source.port}${source.index === undefined ? '' : `[${source.index}]`}\`)`.trim() };
  }
  for (const port of spec.errorPorts ?? []) outports[port] = { type: 'object', description: 'Errors of failed firings: { message, name, code, actorId, component, port, input }' };

  const inner = (ctx: ActorContext<any, WrapperState>): ActorContext => {
    if (!ctx.state.inner) throw new ActorflowError('NOT_STARTED', `node '${ctx.nodeId}' (${spec.name}) was used before its setup ran`, 'this is a bug in the template adapter');
    return ctx.state.inner;
  };
  const guard = async (ctx: ActorContext<any, WrapperState>, input: Record<string, unknown>, work: () => unknown): Promise<void> => {
    try {
      await work();
    } catch (error) {
      const ports = (spec.errorPorts ?? []).filter((p) => ctx.isConnected(p));
      if (ports.length === 0) throw error;
      const e = error instanceof Error ? error : new Error(String(error));
      const code = (e as { code?: unknown }).code;
      ctx.log.error(e.message, code === undefined ? undefined : { code });
      const info = { message: e.message, name: e.name, ...(code !== undefined ? { code } : {}), actorId: ctx.nodeId, component: spec.name, port: ctx.port, input };
      for (const port of ports) ctx.emit(port, info);
    }
  };

  /** Sets the component up for the given property values. */
  const start = async (ctx: ActorContext<any, WrapperState>, values: Record<string, any>): Promise<void> => {
    const resolved = resolveNodeConfig(target, spec.config(values) as never, undefined, ctx.nodeId);
    const problems = resolved.problems.filter((p) => p.severity === 'error');
    if (problems.length > 0) {
      throw new ActorflowError('INVALID_CONFIG', `node '${ctx.nodeId}' (${spec.name}): its property values do not make a valid ${target.name} config: ${problems.map((p) => p.message).join('; ')}`, problems[0].hint);
    }
    ctx.state.values = values;
    ctx.state.inner = innerContext(ctx, spec, resolved.config);
    await target.setup?.(ctx.state.inner);
  };
  const stop = async (ctx: ActorContext<any, WrapperState>): Promise<void> => {
    const current = ctx.state.inner;
    ctx.state.inner = undefined;
    if (current) await target.teardown?.(current);
  };
  /** Runs one firing of the component, under its own port names. */
  const deliver = async (ctx: ActorContext<any, WrapperState>, input: Record<string, unknown>, port: string | undefined): Promise<void> => {
    const renamed: Record<string, unknown> = {};
    for (const [zeal, value] of Object.entries(input)) renamed[spec.inports[zeal] ?? zeal] = value;
    ctx.state.port = port;
    try {
      await guard(ctx, input, () => target.process!(renamed, inner(ctx)));
    } finally {
      ctx.state.port = undefined;
    }
  };

  return defineActor({
    name: spec.name,
    description: `${spec.description} Zeal/Reflow template \`${spec.id}\`, run by ${target.name}.`,
    category: 'zeal',
    icon: spec.icon,
    tags: ['zeal', spec.id],
    inports,
    outports,
    config: spec.properties,
    fire: target.fire ?? 'each',
    ...(target.ports ? { ports: (values: Record<string, unknown>) => renamePorts(spec, target.ports!(spec.config(values))) } : {}),
    state: (): WrapperState => ({ waiting: [] }),
    async setup(ctx) {
      if (!spec.configured || spec.configured(ctx.config)) await start(ctx, ctx.config);
      else ctx.state.values = ctx.config;
    },
    ...(target.process ? {
      async process(input: Record<string, unknown>, ctx: ActorContext<any, WrapperState>) {
        const configPort = ctx.port !== undefined ? spec.configPorts?.[ctx.port] : undefined;
        if (configPort) {
          const values = configPort.apply(ctx.state.values ?? ctx.config, input[ctx.port!]);
          await stop(ctx);
          await start(ctx, values);
          for (const held of ctx.state.waiting.splice(0)) await deliver(ctx, held.input, held.port);
          return;
        }
        if (!ctx.state.inner) {
          if (ctx.state.waiting.length >= MAX_WAITING) {
            throw new ActorflowError('TEMPLATE_NOT_CONFIGURED', `node '${ctx.nodeId}' (${spec.name}) holds ${MAX_WAITING} packets and still has no ${Object.keys(spec.configPorts ?? {}).join(' / ')}`, 'connect the port and make sure a packet reaches it, or configure the node in its properties');
          }
          ctx.state.waiting.push({ input, port: ctx.port });
          return;
        }
        await deliver(ctx, input, ctx.port);
      },
    } : {}),
    ...(target.run ? { run: (ctx: ActorContext<any, WrapperState>) => target.run!(inner(ctx)) } : {}),
    async teardown(ctx) {
      await stop(ctx);
      if (ctx.state.waiting.length > 0) ctx.log.warn(`${ctx.state.waiting.length} packet(s) waited for ${Object.keys(spec.configPorts ?? {}).join(' / ')} and were never processed`);
    },
  });
}

/** Dynamic ports of the component, under the template's names (ports the template does not map keep their names). */
function renamePorts(spec: TemplateSpec, ports: { inports?: InPorts; outports?: OutPorts }): { inports: InPorts; outports: OutPorts } {
  const inports: InPorts = {};
  for (const [name, p] of Object.entries(ports.inports ?? {})) {
    const zeal = Object.keys(spec.inports).filter((z) => spec.inports[z] === name);
    for (const z of zeal.length ? zeal : [name]) inports[z] = p;
  }
  const outports: OutPorts = {};
  for (const [name, p] of Object.entries(ports.outports ?? {})) {
    const zeal = Object.keys(spec.outports).filter((z) => spec.outports[z].port === name);
    for (const z of zeal.length ? zeal : [name]) outports[z] = p;
  }
  return { inports, outports };
}

/** The run-time description of a template spec (for the alias table and the docs). */
export function describeTemplate(spec: TemplateSpec): ZealTemplate {
  return { id: spec.id, component: spec.name, target: spec.target.name, ports: { inports: spec.inports, outports: spec.outports }, config: spec.config };
}
