// A Zeal template as a component: wraps one of our components under the template's port ids and
// property values, so a workflow built in Zeal from Reflow's templates (`tpl_if_branch`, …) runs
// as it is. The wrapper renames ports both ways, turns the template's property values into the
// component's config (its schema defaults applied), and delegates every hook to the component.
import {
  ActorflowError, defineActor, resolveNodeConfig,
  type ActorContext, type ActorDefinition, type FireMode, type InPorts, type JsonSchema, type OutPorts,
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
}

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
}

function innerContext(outer: ActorContext, spec: TemplateSpec, config: Record<string, unknown>): ActorContext {
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
    get port() { return outer.port === undefined ? undefined : toTarget[outer.port] ?? outer.port; },
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

/** The firing rule of the wrapper: the component's, in template port names. */
function wrapFire(spec: TemplateSpec): FireMode {
  const fire = spec.target.fire ?? 'each';
  if (typeof fire !== 'function') return fire;
  return (queued) => {
    const counts: Record<string, number> = {};
    for (const [zeal, port] of Object.entries(spec.inports)) counts[port] = (counts[port] ?? 0) + (queued[zeal] ?? 0);
    const chosen = fire(counts);
    if (!chosen) return false;
    return chosen.map((port) => Object.keys(spec.inports).find((zeal) => spec.inports[zeal] === port && (queued[zeal] ?? 0) > 0)!);
  };
}

/** Turns a template spec into a component (and its run-time description). */
export function zealTemplate(spec: TemplateSpec): ActorDefinition {
  const target = spec.target;
  const inports: InPorts = {};
  for (const [zeal, port] of Object.entries(spec.inports)) {
    const { required: _required, ...rest } = target.inports[port] ?? {};
    inports[zeal] = { ...rest, description: `${rest.description ?? ''} (${target.name} \`${port}\`)`.trim() };
  }
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

  return defineActor({
    name: spec.name,
    description: `${spec.description} Zeal/Reflow template \`${spec.id}\`, run by ${target.name}.`,
    category: 'zeal',
    icon: spec.icon,
    tags: ['zeal', spec.id],
    inports,
    outports,
    config: spec.properties,
    fire: wrapFire(spec),
    ...(target.ports ? { ports: (values: Record<string, unknown>) => renamePorts(spec, target.ports!(spec.config(values))) } : {}),
    state: (): WrapperState => ({}),
    async setup(ctx) {
      const resolved = resolveNodeConfig(target, spec.config(ctx.config) as never, undefined, ctx.nodeId);
      const problems = resolved.problems.filter((p) => p.severity === 'error');
      if (problems.length > 0) {
        throw new ActorflowError('INVALID_CONFIG', `node '${ctx.nodeId}' (${spec.name}): its property values do not make a valid ${target.name} config: ${problems.map((p) => p.message).join('; ')}`, problems[0].hint);
      }
      ctx.state.inner = innerContext(ctx, spec, resolved.config);
      await target.setup?.(ctx.state.inner);
    },
    ...(target.process ? {
      process(input: Record<string, unknown>, ctx: ActorContext<any, WrapperState>) {
        const renamed: Record<string, unknown> = {};
        for (const [zeal, value] of Object.entries(input)) renamed[spec.inports[zeal] ?? zeal] = value;
        return guard(ctx, input, () => target.process!(renamed, inner(ctx)));
      },
    } : {}),
    ...(target.run ? { run: (ctx: ActorContext<any, WrapperState>) => target.run!(inner(ctx)) } : {}),
    async teardown(ctx) {
      if (ctx.state.inner) await target.teardown?.(ctx.state.inner);
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
