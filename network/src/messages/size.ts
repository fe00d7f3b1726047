// How big a message is: a fast estimate of its encoded size in bytes, for the events that report
// sizes (MessageSent.size, NetworkOutput.size, ActorCompleted.outputSize). The runtime calls it only
// when someone listens, but then on every message, so it must stay cheap whatever the message is.
//
// The estimate follows the msgpack encoding of ./codec.ts (the bytes a message costs to cross a
// thread), which for JSON-like data is a little smaller than its JSON text:
// - null, undefined, booleans: 1; numbers: 1-9 by magnitude; strings: a header plus their UTF-8 length
//   (counted exactly up to 64 characters, beyond that sampled at the start, middle and end and
//   extrapolated); Uint8Array and other binary: a header plus byteLength; Date 10; bigint 10 when it
//   fits in 64 bits, more when larger; FLOW 3; an Error: its name, message, code, stack and cause.
// - Arrays and objects: a header plus their items. At most SAMPLE items per container are measured
//   (evenly spread over it) and the total is extrapolated by item count; one call visits at most
//   BUDGET values and descends at most MAX_DEPTH levels, and whatever lies beyond counts UNSEEN bytes
//   per item. A 100 MB array of objects therefore costs about as much to measure as a small one.
//   An object's keys are listed (Object.keys), which is linear in its key count, but the values
//   of keys beyond the sample are never read.
// - A container met again below itself (a cycle) counts 1 byte: safe, never a loop.

import { FLOW } from './flow.ts';

/** Items measured per array or object before extrapolating. */
const SAMPLE = 32;
/** Values visited by one `messageSize` call at most. */
const BUDGET = 1024;
/** Containers nested deeper than this are not entered. */
const MAX_DEPTH = 16;
/** Bytes assumed for an item that is not visited (beyond the budget or the depth cap). */
const UNSEEN = 8;
/** Strings up to this length are counted exactly; longer ones are sampled. */
const EXACT_STRING = 64;
/** Characters counted in each of the three windows of a sampled string. */
const STRING_WINDOW = 32;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The state of one measurement: how many visits are left, and the containers being measured. */
interface Walk {
  budget: number;
  readonly ancestors: object[];
}

/**
 * A fast estimate of `value`'s encoded size in bytes (see the module comment for how it is
 * counted and capped). Never throws, never walks a huge message completely, safe with cycles.
 */
export function messageSize(value: unknown): number {
  return Math.round(sizeOf(value, { budget: BUDGET, ancestors: [] }));
}

function sizeOf(value: unknown, walk: Walk): number {
  walk.budget--;
  switch (typeof value) {
    case 'string': return stringSize(value);
    case 'number': return numberSize(value);
    case 'boolean': case 'undefined': return 1;
    case 'bigint': return value >= INT64_MIN && value <= INT64_MAX ? 10 : 3 + Math.ceil(value.toString(16).length / 2);
    case 'object': return value === null ? 1 : objectSize(value, walk);
    default: return 1; // functions and symbols are not message values; the codec refuses them
  }
}

function objectSize(value: object, walk: Walk): number {
  if (Array.isArray(value)) return containerSize(value, null, value.length, walk);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return binaryHeader(value.byteLength) + value.byteLength;
  if (value === FLOW) return 3;
  if (value instanceof Date) return 10;
  if (value instanceof Error) return errorSize(value, walk);
  const keys = Object.keys(value);
  return containerSize(value, keys, keys.length, walk);
}

/**
 * An array (`keys` null) or object of `count` items: its header plus its items, measuring at most
 * SAMPLE of them (evenly spread) within the walk's budget and extrapolating to `count`.
 */
function containerSize(container: object, keys: string[] | null, count: number, walk: Walk): number {
  const header = count < 16 ? 1 : count < 0x10000 ? 3 : 5;
  if (count === 0) return header;
  if (walk.ancestors.includes(container)) return 1;
  if (walk.ancestors.length >= MAX_DEPTH || walk.budget <= 0) return header + count * UNSEEN;
  walk.ancestors.push(container);
  const sampled = Math.min(count, SAMPLE);
  let measured = 0;
  let sum = 0;
  while (measured < sampled && walk.budget > 0) {
    const i = sampled === count ? measured : Math.floor((measured * count) / sampled);
    sum += keys === null
      ? sizeOf((container as unknown[])[i], walk)
      : stringSize(keys[i]) + sizeOf((container as Record<string, unknown>)[keys[i]], walk);
    measured++;
  }
  walk.ancestors.pop();
  return header + (sum * count) / measured;
}

function errorSize(error: Error, walk: Walk): number {
  const code = (error as { code?: unknown }).code;
  let size = 16 + stringSize(String(error.name)) + stringSize(String(error.message));
  if (typeof error.stack === 'string') size += stringSize(error.stack);
  if (code !== undefined) size += sizeOf(code, walk);
  if (error.cause !== undefined && !walk.ancestors.includes(error)) {
    walk.ancestors.push(error);
    size += sizeOf(error.cause, walk);
    walk.ancestors.pop();
  }
  return size;
}

function numberSize(n: number): number {
  if (!Number.isInteger(n)) return 9;
  if (n >= -32 && n < 128) return 1;
  if (n >= -128 && n < 256) return 2;
  if (n >= -32768 && n < 65536) return 3;
  if (n >= -2147483648 && n < 4294967296) return 5;
  return 9;
}

function stringSize(s: string): number {
  const bytes = s.length <= EXACT_STRING ? utf8Length(s, 0, s.length) : sampledUtf8Length(s);
  return (bytes < 32 ? 1 : bytes < 256 ? 2 : bytes < 65536 ? 3 : 5) + bytes;
}

/** UTF-8 bytes of a long string, from three windows (start, middle, end) scaled to its length. */
function sampledUtf8Length(s: string): number {
  const middle = (s.length - STRING_WINDOW) >> 1;
  const end = s.length - STRING_WINDOW;
  const sampled = utf8Length(s, 0, STRING_WINDOW) + utf8Length(s, middle, middle + STRING_WINDOW) + utf8Length(s, end, s.length);
  return Math.round((sampled * s.length) / (3 * STRING_WINDOW));
}

/** Exact UTF-8 byte count of `s[from..to)` (a surrogate half counts 2: a pair makes 4). */
function utf8Length(s: string, from: number, to: number): number {
  let bytes = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}

function binaryHeader(byteLength: number): number {
  return byteLength < 256 ? 2 : byteLength < 65536 ? 3 : 5;
}
