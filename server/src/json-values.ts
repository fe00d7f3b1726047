// Message values leave the server as plain JSON: results, events and history hold whatever actors
// emitted (JSON values, Uint8Array, bigint, Date, Error, the Flow signal). The runtime's plain
// form (`toPlainJson` of @actorflow/network: base64 for bytes, ISO dates, bigint as number or
// decimal string, errors as {message, name, code}) is used everywhere; a value outside the
// message model becomes an UNSUPPORTED_MESSAGE marker instead of failing the whole response.
import { toPlainJson, type JsonValue } from '@actorflow/network';

/** The plain JSON form of any message value. */
export function toPlain<T extends JsonValue = JsonValue>(value: unknown): T {
  try {
    return toPlainJson(value) as T;
  } catch (err) {
    return { error: 'UNSUPPORTED_MESSAGE', message: (err as Error).message } as unknown as T;
  }
}

/** JSON text of any message value. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(toPlain(value));
}

/** Size in bytes of a value's JSON text (UTF-8). */
export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(toJsonText(value));
}
