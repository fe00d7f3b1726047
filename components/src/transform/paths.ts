// Field paths into messages: `user.name`, `items[0].price`, `a.b[2][1]`. One grammar for every
// component that reads or writes a field (branch rules, switch, transformer, operations, join).
import { ActorflowError } from '@actorflow/network';

/** A parsed path: object keys and array indexes. */
export type Path = readonly (string | number)[];

/** JSON Schema of a path in component configs (checked when the graph is loaded). */
export const PATH_SCHEMA = {
  type: 'string',
  pattern: '^[^.\\[\\]]+(\\[\\d+\\])*(\\.[^.\\[\\]]+(\\[\\d+\\])*)*$',
  description: 'Field path: keys separated by dots, array indexes in brackets (e.g. `user.name`, `items[0].price`)',
} as const;

const SEGMENT = /^([^.[\]]+)((?:\[\d+\])*)$/;
const cache = new Map<string, Path>();

/** Parses a path; throws INVALID_PATH (what is wrong and where) for a malformed one. */
export function parsePath(text: string): Path {
  const cached = cache.get(text);
  if (cached) return cached;
  const path: (string | number)[] = [];
  for (const part of text.split('.')) {
    const m = SEGMENT.exec(part);
    if (!m) {
      throw new ActorflowError('INVALID_PATH', `field path '${text}' is malformed at '${part}'`, 'write keys separated by dots and array indexes in brackets, e.g. items[0].price');
    }
    path.push(m[1]);
    for (const index of m[2].matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]));
  }
  if (cache.size > 1000) cache.clear();
  cache.set(text, path);
  return path;
}

function isContainer(value: unknown): value is Record<string | number, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The value at `path`, or undefined when any step is missing. */
export function getPath(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (!isContainer(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** True when every step of `path` exists. */
export function hasPath(value: unknown, path: Path): boolean {
  let current = value;
  for (const key of path) {
    if (!isContainer(current) || !Object.hasOwn(current, key)) return false;
    current = current[key];
  }
  return true;
}

function copyOf(value: unknown, nextKey: string | number): Record<string | number, unknown> {
  if (Array.isArray(value)) return [...value] as unknown as Record<number, unknown>;
  if (isContainer(value)) return { ...value };
  return typeof nextKey === 'number' ? ([] as unknown as Record<number, unknown>) : {};
}

/**
 * A copy of `value` with `path` set to `next` (the input is never changed): missing objects and
 * arrays on the way are created, shared branches off the path are kept.
 */
export function setPath(value: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const [key, ...rest] = path;
  const copy = copyOf(value, key);
  copy[key] = setPath(isContainer(value) ? value[key] : undefined, rest, next);
  return copy;
}

/** A copy of `value` without the field at `path` (unchanged when it is not there). */
export function deletePath(value: unknown, path: Path): unknown {
  if (path.length === 0 || !hasPath(value, path)) return value;
  const [key, ...rest] = path;
  const copy = copyOf(value, key);
  if (rest.length === 0) {
    if (Array.isArray(copy)) copy.splice(key as number, 1);
    else delete copy[key];
  } else copy[key] = deletePath((value as Record<string | number, unknown>)[key], rest);
  return copy;
}
