// What JSON.parse hides: a key written twice in one object silently keeps only its last value
// (two processes with the same id, for instance). This scan finds the repeated keys of a text
// that JSON.parse accepted, in the document's top two levels: the top-level fields and the keys
// of each section (processes, inports, outports, properties). Deeper levels (metadata) are not
// checked: reading their keys costs as much as JSON.parse itself.
import { pathKey } from './json-path.ts';

/** A key written again in the same object: `parent` is the object's path, `path` the key's. */
export interface DuplicateKey {
  parent: string;
  key: string;
  path: string;
}

/** An object or array being scanned. Keys are collected only in checked objects. */
interface Frame {
  parent: Frame | undefined;
  /** The JSON path of a checked object. */
  path: string | undefined;
  /** Keys seen so far in a checked object (a list while small, a set once large). */
  keys: string[] | Set<string> | undefined;
  isObject: boolean;
  /** The next string is a key (objects) and the current key (checked objects). */
  expectKey: boolean;
  key: string | undefined;
}

const QUOTE = 34;
const BACKSLASH = 92;
const SMALL = 16;
/** Checked depth: the top-level object (1) and the objects directly in it (2). */
const CHECKED_DEPTH = 2;

/** Records `key` in a checked object; true when it was already there. */
function seen(frame: Frame, key: string): boolean {
  const keys = frame.keys!;
  if (keys instanceof Set) {
    if (keys.has(key)) return true;
    keys.add(key);
    return false;
  }
  if (keys.includes(key)) return true;
  keys.push(key);
  if (keys.length > SMALL) frame.keys = new Set(keys);
  return false;
}

/** The repeated keys (each later occurrence) of the top two levels, in text order. Assumes valid JSON. */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  let top: Frame | undefined;
  let depth = 0;
  const open = (isObject: boolean) => {
    depth++;
    const checked = isObject && depth <= CHECKED_DEPTH && (depth === 1 || top?.key !== undefined);
    const path = !checked ? undefined : depth === 1 ? '$' : pathKey(top!.path!, top!.key!);
    top = { parent: top, path, keys: checked ? [] : undefined, isObject, expectKey: isObject, key: undefined };
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.expectKey) {
        top.expectKey = false;
        if (top.keys) {
          const raw = text.slice(i + 1, end);
          const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
          if (seen(top, key)) found.push({ parent: top.path!, key, path: pathKey(top.path!, key) });
          top.key = key;
        }
      }
      i = end;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      open(c === 123);
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      top = top?.parent;
      depth--;
    } else if (c === 44 /* , */ && top?.isObject) {
      top.expectKey = true;
    }
  }
  return found;
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    if (end === -1) return text.length; // unterminated: only in invalid JSON
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}
