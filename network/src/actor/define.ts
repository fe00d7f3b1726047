// defineActor: the one way to define an actor component. Checks the spec eagerly so mistakes
// surface where the actor is written, not when a graph first uses it.
import { ActorDefinitionError } from '../errors.ts';
import type { ActorDefinition, ActorSpec, InPortSpec, InPorts, OutPortSpec, OutPorts } from './types.ts';

const PORT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function checkPorts(name: string, kind: 'inports' | 'outports', ports: unknown): void {
  if (ports === undefined) return;
  if (typeof ports !== 'object' || ports === null || Array.isArray(ports)) {
    throw new ActorDefinitionError(`actor '${name}': ${kind} must be an object of port name -> spec`, `e.g. ${kind}: { in: { type: 'any' } }`);
  }
  for (const [port, spec] of Object.entries(ports)) {
    if (!PORT_NAME.test(port)) {
      throw new ActorDefinitionError(`actor '${name}': ${kind} name '${port}' is not a valid port name`, 'use letters, digits, _ and -, starting with a letter or _');
    }
    if (typeof spec !== 'object' || spec === null) {
      throw new ActorDefinitionError(`actor '${name}': ${kind}.${port} must be an object`, 'use {} for an untyped port');
    }
  }
}

/**
 * Defines an actor component. Port names and types are inferred, so `ctx.emit` and `input`
 * are typed by the ports declared:
 *
 *   export const Double = defineActor({
 *     name: 'math/Double',
 *     inports: { in: { type: 'number' } },
 *     outports: { out: { type: 'number' } },
 *     process(input, ctx) { ctx.emit('out', input.in! * 2); },
 *   });
 */
export function defineActor<const I extends InPorts = Record<never, InPortSpec>, const O extends OutPorts = Record<never, OutPortSpec>, S = any, C = Record<string, any>>(
  spec: ActorSpec<I, O, S, C>,
): ActorDefinition<I, O, S, C> {
  if (typeof spec !== 'object' || spec === null) throw new ActorDefinitionError('defineActor needs a spec object', 'pass { name, inports, outports, process }');
  const name = spec.name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ActorDefinitionError('defineActor: `name` must be a non-empty string', "name it like 'library/Name', e.g. 'math/Double'");
  }
  checkPorts(name, 'inports', spec.inports);
  checkPorts(name, 'outports', spec.outports);
  const fire = spec.fire ?? 'each';
  if (fire !== 'each' && fire !== 'all' && typeof fire !== 'function') {
    throw new ActorDefinitionError(`actor '${name}': fire must be 'each', 'all' or a readiness function`, "use 'each' (per packet) unless the actor needs one packet from every port");
  }
  for (const hook of ['setup', 'process', 'run', 'teardown', 'state', 'ports', 'validate'] as const) {
    if (spec[hook] !== undefined && typeof spec[hook] !== 'function') {
      throw new ActorDefinitionError(`actor '${name}': ${hook} must be a function`, `remove it or give a function`);
    }
  }
  const inports = (spec.inports ?? {}) as I;
  if (spec.process === undefined && spec.run === undefined && (Object.keys(inports).length > 0 || spec.ports)) {
    throw new ActorDefinitionError(`actor '${name}' has inports but no process()`, 'add process(input, ctx) to handle its messages');
  }
  return Object.freeze({ ...spec, kind: 'actor' as const, inports, outports: (spec.outports ?? {}) as O, fire });
}

/** True for values produced by defineActor. */
export function isActorDefinition(value: unknown): value is ActorDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'actor'
    && typeof (value as { name?: unknown }).name === 'string';
}

/** The ports of one node: the static ones, merged with what `ports(config)` adds for this config. */
const staticPorts = new WeakMap<ActorDefinition, { inports: InPorts; outports: OutPorts }>();

export function resolvePorts(def: ActorDefinition, config: Record<string, unknown>): { inports: InPorts; outports: OutPorts } {
  if (!def.ports) {
    let ports = staticPorts.get(def);
    if (!ports) staticPorts.set(def, (ports = Object.freeze({ inports: def.inports, outports: def.outports })));
    return ports;
  }
  const dynamic = def.ports(config);
  checkPorts(def.name, 'inports', dynamic.inports);
  checkPorts(def.name, 'outports', dynamic.outports);
  return { inports: { ...def.inports, ...dynamic.inports }, outports: { ...def.outports, ...dynamic.outports } };
}
