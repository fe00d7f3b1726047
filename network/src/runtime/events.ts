// Network events: Reflow's names, tagged with `_type`, camelCase fields, epoch-ms timestamps.
// Per-firing and per-message events cost nothing unless someone subscribed to their type.
import type { LogLevel } from '../actor/types.ts';

/** An error as carried in events and results (plain data, safe to serialise). */
export interface ErrorInfo {
  message: string;
  name: string;
  code?: string;
  stack?: string;
}

export type NetworkShutdownReason = 'completed' | 'stopped' | 'failed' | 'timeout';

export type NetworkEvent =
  | { _type: 'NetworkStarted'; timestamp: number }
  /** Every actor is idle and nothing is in flight. */
  | { _type: 'NetworkIdle'; timestamp: number }
  /** Something became active again after NetworkIdle (an external send, a timer, a live edit). */
  | { _type: 'NetworkActive'; timestamp: number }
  | { _type: 'NetworkShutdown'; timestamp: number; reason: NetworkShutdownReason; error?: ErrorInfo }
  /** A firing began. */
  | { _type: 'ActorStarted'; actorId: string; component: string; timestamp: number; port?: string }
  /** A firing finished: how long it took, how many messages and bytes it emitted. */
  | { _type: 'ActorCompleted'; actorId: string; component: string; timestamp: number; durationMs: number; outputCount: number; outputSize: number }
  /** A firing (or setup/run/teardown) failed. `handled`: routed to a connected `error` port. */
  | { _type: 'ActorFailed'; actorId: string; component: string; timestamp: number; error: ErrorInfo; attempt: number; willRetry: boolean; handled: boolean; phase: 'setup' | 'process' | 'run' | 'teardown' | 'thread' }
  | { _type: 'MessageSent'; fromActor: string; fromPort: string; toActor: string; toPort: string; toIndex?: number; size: number; message: unknown; timestamp: number }
  | { _type: 'MessageDropped'; fromActor: string; fromPort: string; toActor: string; toPort: string; reason: 'overflow' | 'removed'; count: number; timestamp: number }
  /** A value reached an exported outport. */
  | { _type: 'NetworkOutput'; port: string; message: unknown; size: number; timestamp: number }
  | { _type: 'ActorLog'; actorId: string; component: string; level: LogLevel; message: string; data?: unknown; timestamp: number }
  | { _type: 'StreamOpened'; actorId: string; port: string; streamId: string; contentType?: string; name?: string; timestamp: number }
  | { _type: 'StreamClosed'; actorId: string; port: string; streamId: string; frames: number; bytes: number; timestamp: number }
  | { _type: 'StreamError'; actorId: string; port: string; streamId: string; error: ErrorInfo; timestamp: number }
  /** An edit of the graph could not be applied to the running network (the graph has it; the network does not). */
  | { _type: 'LiveEditFailed'; change: string; error: ErrorInfo; timestamp: number };

export type NetworkEventType = NetworkEvent['_type'];

/** The event of one type. */
export type EventOf<T extends NetworkEventType> = Extract<NetworkEvent, { _type: T }>;

export const NETWORK_EVENT_TYPES: readonly NetworkEventType[] = [
  'NetworkStarted', 'NetworkIdle', 'NetworkActive', 'NetworkShutdown', 'ActorStarted', 'ActorCompleted', 'ActorFailed',
  'MessageSent', 'MessageDropped', 'NetworkOutput', 'ActorLog', 'StreamOpened', 'StreamClosed', 'StreamError', 'LiveEditFailed',
];

/** Converts any thrown value to ErrorInfo. */
export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof Error) {
    const info: ErrorInfo = { message: err.message, name: err.name };
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') info.code = code;
    if (err.stack) info.stack = err.stack;
    return info;
  }
  return { message: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err), name: 'Error' };
}
