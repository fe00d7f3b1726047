// Building Problem reports: one constructor and a short description of an offending value.
import type { Problem } from '../errors.ts';

/** A Problem (severity 'error' unless told). */
export function problem(code: string, path: string, message: string, hint: string, severity: Problem['severity'] = 'error'): Problem {
  return { code, path, message, hint, severity };
}

/** What a value is, for messages: `a string ("abc")`, `an array`, `null`, `a number (3.5)`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': return `a string (${preview(value)})`;
    case 'number': case 'boolean': case 'bigint': return `a ${typeof value} (${String(value)})`;
    case 'object': return 'an object';
    default: return `a ${typeof value}`;
  }
}

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/** A short text form of any value for messages (JSON when possible, never throws). */
export function previewValue(value: unknown, max = 40): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value === 'bigint' ? `${value}n` : Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** True for a plain JSON-style object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
