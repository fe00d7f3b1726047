// Request and reply bodies: a message value encoded as JSON, text, bytes or a URL-encoded form,
// with the matching Content-Type (unless one is set already).
import { checkInput, describe, invalidInput } from './checks.ts';

/** How a body is encoded: 'auto' sends bytes as is, strings as text and anything else as JSON. */
export type BodyType = 'auto' | 'json' | 'text' | 'binary' | 'form';

/** A query parameter or form field value: an array repeats the name, null leaves it out. */
export type QueryValue = string | number | boolean | null | (string | number | boolean)[];

/** JSON Schema of a flat object of query parameters (or form fields). */
export const querySchema = {
  type: 'object',
  additionalProperties: {
    anyOf: [
      { type: ['string', 'number', 'boolean', 'null'] },
      { type: 'array', items: { type: ['string', 'number', 'boolean'] } },
    ],
  },
  description: 'Query parameter -> value (an array repeats the parameter; null leaves it out)',
};

/** Appends every parameter of `params` to `target` (URLSearchParams of a URL or a form). */
export function appendParams(target: URLSearchParams, params: Record<string, QueryValue>): void {
  for (const [name, value] of Object.entries(params)) {
    if (value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) target.append(name, String(v));
  }
}

/** Encodes a body as `bodyType` says, and sets Content-Type unless the headers already do. */
export function encodeBody(body: unknown, bodyType: BodyType, headers: Headers): string | Uint8Array {
  const kind = bodyType !== 'auto' ? bodyType : body instanceof Uint8Array ? 'binary' : typeof body === 'string' ? 'text' : 'json';
  const contentType = (type: string) => {
    if (!headers.has('content-type')) headers.set('content-type', type);
  };
  switch (kind) {
    case 'binary':
      if (!(body instanceof Uint8Array) && typeof body !== 'string') {
        throw invalidInput(`bodyType 'binary' sends bytes or a string, but the body is ${describe(body)}`, "send a Uint8Array, or use bodyType 'json'");
      }
      contentType('application/octet-stream');
      return typeof body === 'string' ? new TextEncoder().encode(body) : body;
    case 'text':
      if (typeof body === 'object' && body !== null) {
        throw invalidInput(`bodyType 'text' sends a string, but the body is ${describe(body)}`, "send a string, or use bodyType 'json'");
      }
      contentType('text/plain; charset=utf-8');
      return String(body);
    case 'form': {
      checkInput(querySchema, body, "the form body (bodyType 'form')");
      const form = new URLSearchParams();
      appendParams(form, body as Record<string, QueryValue>);
      contentType('application/x-www-form-urlencoded');
      return form.toString();
    }
    default: {
      if (body instanceof Uint8Array) {
        throw invalidInput(`bodyType 'json' cannot send bytes (${body.byteLength})`, "use bodyType 'binary' (or 'auto') for bytes");
      }
      let text: string | undefined;
      try {
        text = JSON.stringify(body);
      } catch (err) {
        throw invalidInput(`the body cannot be sent as JSON: ${(err as Error).message}`, 'send plain data (objects, arrays, strings, numbers, booleans, null)');
      }
      if (text === undefined) throw invalidInput(`the body cannot be sent as JSON: it is ${describe(body)}`, 'send plain data');
      contentType('application/json');
      return text;
    }
  }
}
