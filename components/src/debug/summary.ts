// What a packet is, in a few words: type, size and a short preview. Used by debug/Log and
// debug/Inspect so logs stay small whatever flows through.
import { isFlow, messageSize } from '@actorflow/network';

export interface PacketSummary {
  /** `string`, `number`, `object`, `array`, `bytes`, `date`, `flow`, `error`, `null`, … */
  type: string;
  /** Estimated encoded size in bytes. */
  size: number;
  /** Elements (arrays), keys (objects), characters (text), bytes. */
  length?: number;
  /** First keys of an object. */
  keys?: string[];
  /** The value itself when small, otherwise a truncated JSON preview. */
  preview: unknown;
}

/** The type name of a packet. */
export function packetType(value: unknown): string {
  if (value === null) return 'null';
  if (isFlow(value)) return 'flow';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Date) return 'date';
  if (value instanceof Error) return 'error';
  return typeof value;
}

/** Summarizes a packet; `maxPreview` bounds the preview text. */
export function summarize(value: unknown, maxPreview = 200): PacketSummary {
  const type = packetType(value);
  const out: PacketSummary = { type, size: messageSize(value), preview: undefined };
  if (type === 'array') out.length = (value as unknown[]).length;
  else if (type === 'string') out.length = (value as string).length;
  else if (type === 'bytes') out.length = (value as Uint8Array).byteLength;
  else if (type === 'object') {
    const keys = Object.keys(value as object);
    out.length = keys.length;
    out.keys = keys.slice(0, 20);
  }
  out.preview = preview(value, type, maxPreview);
  return out;
}

function preview(value: unknown, type: string, max: number): unknown {
  switch (type) {
    case 'flow': return 'flow';
    case 'bytes': return `<${(value as Uint8Array).byteLength} bytes>`;
    case 'date': return (value as Date).toISOString();
    case 'error': return `${(value as Error).name}: ${(value as Error).message}`;
    case 'bigint': return `${String(value)}n`;
    case 'string': return (value as string).length > max ? `${(value as string).slice(0, max)}…` : value;
    case 'object': case 'array': {
      let text: string;
      try {
        text = JSON.stringify(value) ?? '';
      } catch {
        return `<${type} that cannot be written as JSON>`;
      }
      return text.length > max ? `${text.slice(0, max)}…` : value;
    }
    default: return value;
  }
}
