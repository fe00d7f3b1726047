// Port types: the names an actor's ports declare, and Reflow's structured PortType form.
import { isFlow } from './messages/flow.ts';

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

/** Human-readable form of a port type: `integer`, `array<string>`, `option<any>`, `object<User>`. */
export function formatPortType(type: PortType): string {
  if (type.type === 'array' || type.type === 'option') return type.value ? `${type.type}<${formatPortType(type.value)}>` : type.type;
  if (type.type === 'object') return type.value ? `object<${type.value}>` : 'object';
  return type.type;
}

const ANY: PortType = { type: 'any' };

/** Byte-carrying types: a stream's chunks, raw binary and encoded payloads interconvert. */
const BYTES = new Set<string>(['binary', 'stream', 'encoded']);
/** Numeric widenings allowed from a sender's type to a receiver's type. */
const NUMERIC: Record<string, readonly string[]> = { integer: ['float', 'number'], float: ['number'], number: ['float'] };

/**
 * Whether values of type `from` (an outport, or an IIP's inferred type) may flow into a port of
 * type `to`. Reflow's rules (§1.5): `any` on either side; equal types; arrays element-wise and
 * `option<a>` against `b` recursively; integer widens to float/number. Beyond Reflow:
 * `float` ↔ `number` (both are JS numbers); the byte types (`binary`, `stream`, `encoded`)
 * interconvert (Reflow lets `stream` match anything, which hides real mistakes); a `flow`
 * port is a trigger and accepts any packet; named object types must agree when both are named.
 */
export function isCompatible(from: PortType, to: PortType): boolean {
  if (from.type === 'any' || to.type === 'any' || to.type === 'flow') return true;
  if (from.type === 'option') return isCompatible(from.value ?? ANY, to); // (a spec may leave the value out)
  if (to.type === 'option') return isCompatible(from, to.value ?? ANY);
  if (from.type === 'array' && to.type === 'array') return !from.value || !to.value || isCompatible(from.value, to.value);
  if (from.type === 'object' && to.type === 'object') return !from.value || !to.value || from.value === to.value;
  if (from.type === to.type) return true;
  if (BYTES.has(from.type) && BYTES.has(to.type)) return true;
  return Object.hasOwn(NUMERIC, from.type) && NUMERIC[from.type].includes(to.type);
}

/**
 * The port type of a value, as used to check an IIP against its target port: booleans, integers
 * vs floats, strings, bigints, dates, errors, bytes, the Flow signal, arrays (typed by their first
 * element), objects; `null`/`undefined` → `option<any>`.
 */
export function inferType(value: unknown): PortType {
  if (value === null || value === undefined) return { type: 'option', value: { type: 'any' } };
  switch (typeof value) {
    case 'boolean': return { type: 'boolean' };
    case 'number': return { type: Number.isInteger(value) ? 'integer' : 'float' };
    case 'bigint': return { type: 'bigint' };
    case 'string': return { type: 'string' };
    case 'object': break;
    default: return { type: 'any' };
  }
  if (isFlow(value)) return { type: 'flow' };
  if (Array.isArray(value)) return { type: 'array', value: value.length > 0 ? inferType(value[0]) : { type: 'any' } };
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return { type: 'binary' };
  if (value instanceof Date) return { type: 'date' };
  if (value instanceof Error) return { type: 'error' };
  return { type: 'object' };
}

const TYPE_NAMES = new Set<string>([
  'any', 'flow', 'event', 'boolean', 'integer', 'float', 'number', 'string', 'object', 'array', 'binary', 'stream', 'encoded', 'date', 'bigint', 'error', 'option',
]);

/** Whether `value` is a well-formed PortType (`{type}` with a known name; `value` as its kind requires). */
export function isPortType(value: unknown): value is PortType {
  if (typeof value !== 'object' || value === null) return false;
  const { type, value: inner } = value as { type?: unknown; value?: unknown };
  if (typeof type !== 'string' || !TYPE_NAMES.has(type)) return false;
  if (type === 'option') return isPortType(inner);
  if (type === 'array') return inner === undefined || isPortType(inner);
  if (type === 'object') return inner === undefined || typeof inner === 'string';
  return true;
}
