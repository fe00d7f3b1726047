// Port types: the names an actor's ports declare, and Reflow's structured PortType form.

/** Scalar type names usable on a port. `any` accepts everything; `flow` is a bang (no data). */
export type PortTypeName =
  | 'any' | 'flow' | 'event' | 'boolean' | 'integer' | 'float' | 'number' | 'string'
  | 'object' | 'array' | 'binary' | 'stream' | 'encoded' | 'date' | 'bigint' | 'error';

/** Reflow's PortType: `{type}`, or a parameterised object/array/option type. */
export type PortType =
  | { type: Exclude<PortTypeName, 'object' | 'array'> }
  | { type: 'object'; value?: string }
  | { type: 'array'; value?: PortType }
  | { type: 'option'; value: PortType };

/** What a port spec may say about its type: a name or Reflow's structured form. */
export type PortTypeSpec = PortTypeName | PortType;

/** Normalises a port type spec to the structured form (`'any'` when absent). */
export function toPortType(spec: PortTypeSpec | undefined): PortType {
  if (spec === undefined) return { type: 'any' };
  return typeof spec === 'string' ? ({ type: spec } as PortType) : spec;
}
