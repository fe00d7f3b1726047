// What JSON.parse hides: a key written twice in one object silently keeps only its last value
// (two processes with the same id, for instance). This scan finds every repeated key of a text
// that JSON.parse accepted, with its JSON path.
import { pathIndex, pathKey } from './json-path.ts';

type Frame =
  | { kind: 'object'; path: string; keys: Set<string>; key: string | undefined; expectKey: boolean }
  | { kind: 'array'; path: string; index: number };

const QUOTE = 34;
const BACKSLASH = 92;

/** A key written again in the same object: `parent` is the object's path, `path` the key's. */
export interface DuplicateKey {
  parent: string;
  key: string;
  path: string;
}

/** The keys repeated within one object (each later occurrence), in text order. Assumes valid JSON. */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: Frame[] = [];
  const valuePath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '$';
    return top.kind === 'array' ? pathIndex(top.path, top.index) : pathKey(top.path, top.key ?? '');
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) found.push({ parent: top.path, key, path: pathKey(top.path, key) });
        else top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === 123 /* { */) {
      stack.push({ kind: 'object', path: valuePath(), keys: new Set(), key: undefined, expectKey: true });
    } else if (c === 91 /* [ */) {
      stack.push({ kind: 'array', path: valuePath(), index: 0 });
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
      else if (top) top.expectKey = true;
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
