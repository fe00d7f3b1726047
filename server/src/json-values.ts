// Message values leave the server as plain JSON: results, events and history hold whatever actors
// emitted (JSON values, Uint8Array, bigint, Date, Error, the Flow signal), and those must neither
// crash JSON.stringify (bigint) nor turn into `{}` (Error) or `{"0":1,…}` (Uint8Array).
//
// The plain form: Uint8Array → base64 string, bigint → number when safe else decimal string,
// Date → ISO string, Error → {name, message, code?}, Flow → "flow", undefined → null in arrays.

function replacer(this: unknown, _key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
    case 'object':
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
      if (value instanceof Error) {
        const code = (value as { code?: unknown }).code;
        return typeof code === 'string' ? { name: value.name, message: value.message, code } : { name: value.name, message: value.message };
      }
      return value;
    default:
      return value;
  }
}

/** JSON text of any message value (see the module comment for the mapping). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, replacer) ?? 'null';
}

/** A plain-JSON copy of any message value. */
export function toPlainJson<T = unknown>(value: unknown): T {
  return JSON.parse(toJsonText(value)) as T;
}

/** Size in bytes of a value's JSON text (UTF-8). */
export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(toJsonText(value));
}
