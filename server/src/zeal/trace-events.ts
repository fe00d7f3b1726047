// Zeal trace rows (§3): epoch-ms timestamps, whole-millisecond durations, `data.size` and
// `data.type` on every row. Node activity arrives per window (from the network's statistics): a
// node gets an `input` row when it fired and an `output` row when it finished firings or sent
// messages, with the counts, the summed duration and where its messages went. Failures, logs,
// drops and streams are rows of their own. Values are previewed lazily (when the batch is sent)
// and only when small.
import type { NetworkEvent } from '@actorflow/network';
import type { NodeActivity } from './node-activity.ts';
import type { ZealMapping } from './mapping.ts';
import { clip } from './run.ts';
import type { TraceEvent } from './wire.ts';

const MAX_MESSAGE = 4096;
const MAX_STACK = 8192;

/** A row waiting to be sent; `value` becomes `data.preview.value` at send time. */
export interface PendingTraceRow {
  row: TraceEvent;
  value?: unknown;
  hasValue?: boolean;
}

/** JSON.stringify replacer for previews: binary as a byte count, bigint as a string, Map/Set as arrays. */
function previewReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return { binary: value.byteLength };
  if (value instanceof Map) return [...value.entries()];
  if (value instanceof Set) return [...value.values()];
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  return value;
}

/** A JSON-safe preview of `value`, at most `maxBytes` of JSON (else a truncated head). */
export function previewOf(value: unknown, maxBytes: number): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, previewReplacer);
  } catch (err) {
    return { unserializable: clip((err as Error).message, 200) };
  }
  if (text === undefined) return null;
  if (text.length <= maxBytes) return JSON.parse(text) as unknown;
  return { truncated: true, head: text.slice(0, maxBytes) };
}

/** Finishes a pending row for sending. */
export function materialize(pending: PendingTraceRow, previewBytes: number): TraceEvent {
  if (!pending.hasValue) return pending.row;
  const preview = { ...(pending.row.data.preview as Record<string, unknown>), value: previewOf(pending.value, previewBytes) };
  return { ...pending.row, data: { ...pending.row.data, preview } };
}

export function traceError(error: { message: string; code?: string; stack?: string }): NonNullable<TraceEvent['error']> {
  const out: NonNullable<TraceEvent['error']> = { message: clip(error.message || 'error', MAX_MESSAGE) };
  if (error.code) out.code = error.code;
  if (error.stack) out.stack = clip(error.stack, MAX_STACK);
  return out;
}

/** The rows of one node's activity during one window (ending at `at`), appended to `out`. */
export function activityRows(a: NodeActivity, mapping: ZealMapping, at: number, out: PendingTraceRow[]): void {
  const nodeId = mapping.node(a.actorId).nodeId;
  if (a.firings > 0) {
    const row: TraceEvent = { timestamp: at, nodeId, eventType: 'input', data: { size: 0, type: 'lifecycle', preview: { event: 'started', firings: a.firings, messagesIn: a.messagesIn } } };
    const ports = new Set(a.inputs.map((e) => e.tgt.port));
    if (ports.size === 1) row.portId = mapping.port(a.actorId, [...ports][0]);
    out.push({ row });
  }
  if (a.busyMs > 0 || a.messagesOut > 0) {
    const to = a.outputs.map((e) => ({ node: mapping.node(e.tgt.node).nodeId, port: mapping.port(e.tgt.node, e.tgt.port) }));
    const row: TraceEvent = {
      timestamp: at, nodeId, eventType: 'output', duration: Math.round(a.busyMs),
      data: { size: 0, type: 'lifecycle', preview: { event: 'completed', firings: a.firings, messagesOut: a.messagesOut, to } },
    };
    const ports = new Set(a.outputs.map((e) => e.src.port));
    if (ports.size === 1) row.portId = mapping.port(a.actorId, [...ports][0]);
    out.push({ row });
  }
}

/** The row of a low-volume event (failure, log, drop, stream), if it has one. */
export function eventRow(event: NetworkEvent, mapping: ZealMapping): PendingTraceRow | undefined {
  switch (event._type) {
    case 'ActorFailed':
      if (event.willRetry) return undefined;
      return {
        row: {
          timestamp: event.timestamp, nodeId: mapping.node(event.actorId).nodeId, eventType: 'error',
          data: { size: 0, type: 'error', preview: { phase: event.phase, attempt: event.attempt, handled: event.handled } },
          error: traceError(event.error),
        },
      };
    case 'MessageDropped':
      return {
        row: {
          timestamp: event.timestamp, nodeId: mapping.node(event.fromActor).nodeId, portId: mapping.port(event.fromActor, event.fromPort), eventType: 'log',
          data: { size: 0, type: 'message.dropped', preview: { to_node: mapping.node(event.toActor).nodeId, to_port: mapping.port(event.toActor, event.toPort), reason: event.reason, count: event.count } },
        },
      };
    case 'ActorLog': {
      const row: TraceEvent = {
        timestamp: event.timestamp, nodeId: mapping.node(event.actorId).nodeId, eventType: event.level === 'error' ? 'error' : 'log',
        data: { size: event.message.length, type: `log.${event.level}`, preview: { level: event.level, message: clip(event.message, MAX_MESSAGE) } },
      };
      if (event.level === 'error') row.error = { message: clip(event.message || 'error', MAX_MESSAGE) };
      return event.data === undefined ? { row } : { row, value: event.data, hasValue: true };
    }
    case 'StreamOpened':
    case 'StreamClosed':
    case 'StreamError': {
      const row: TraceEvent = {
        timestamp: event.timestamp, nodeId: mapping.node(event.actorId).nodeId, portId: mapping.port(event.actorId, event.port),
        eventType: event._type === 'StreamError' ? 'error' : 'log',
        data: { size: event._type === 'StreamClosed' ? event.bytes : 0, type: event._type === 'StreamOpened' ? 'stream.opened' : event._type === 'StreamClosed' ? 'stream.closed' : 'stream.error', preview: { streamId: event.streamId } },
      };
      if (event._type === 'StreamOpened' && event.contentType) (row.data.preview as Record<string, unknown>).contentType = event.contentType;
      if (event._type === 'StreamClosed') (row.data.preview as Record<string, unknown>).frames = event.frames;
      if (event._type === 'StreamError') row.error = traceError(event.error);
      return { row };
    }
    default:
      return undefined;
  }
}
