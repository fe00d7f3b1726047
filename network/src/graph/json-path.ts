// JSON paths for problem reports: `$.processes.dbl.component`, `$.connections[3].to.nodeId`,
// `$.processes["my node"].metadata`.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `base.key`, or `base["key"]` when the key is not a plain identifier. */
export function pathKey(base: string, key: string): string {
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** `base[index]`. */
export function pathIndex(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** Appends a JSON Pointer (`/a/0/b`, as Ajv reports instance locations) to a JSON path. */
export function pointerToPath(base: string, pointer: string): string {
  if (pointer === '') return base;
  let out = base;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = /^(0|[1-9][0-9]*)$/.test(segment) ? pathIndex(out, Number(segment)) : pathKey(out, segment);
  }
  return out;
}

/** The path of a node (`$.processes.<id>`) in the JSON form. */
export function nodePath(id: string): string {
  return pathKey('$.processes', id);
}
