// Flowtrace recording for the trace subprotocol: a bounded buffer of a graph's network events (the
// same frames network:* clients see, before sampling), dumped as a Flowtrace document
// (https://github.com/flowbased/flowtrace) that `flowtrace-show` and `flowtrace-replay` read.
import { toGraphJson, type Graph } from '@actorflow/network';

/** Events kept when trace:start gives no buffersize (NoFlo's default). */
export const DEFAULT_TRACE_EVENTS = 400;
/** Largest buffer a client may ask for, in events. */
export const MAX_TRACE_EVENTS = 100_000;

export interface TraceEvent {
  protocol: 'network';
  command: string;
  payload: Record<string, unknown>;
  graph: string;
  time: string;
}

export interface FlowtraceDocument {
  header: { metadata: Record<string, unknown>; graphs: Record<string, unknown>; main: string };
  events: TraceEvent[];
}

export class TraceRecorder {
  /** Events kept (the oldest are dropped beyond it). `buffersize` of trace:start, counted in events as NoFlo does. */
  readonly capacity: number;
  /** True between trace:start and trace:stop. */
  recording = true;
  readonly #start = new Date();
  #events: TraceEvent[] = [];
  #head = 0;

  constructor(capacity = DEFAULT_TRACE_EVENTS) {
    this.capacity = Math.min(Math.max(1, capacity), MAX_TRACE_EVENTS);
  }

  /** Records one network frame (its payload is copied as JSON, so later changes don't leak in). */
  record(command: string, payload: Record<string, unknown>, graph: string): void {
    if (!this.recording) return;
    const event: TraceEvent = { protocol: 'network', command, payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown>, graph, time: new Date().toISOString() };
    if (this.#events.length < this.capacity) {
      this.#events.push(event);
    } else {
      this.#events[this.#head] = event;
      this.#head = (this.#head + 1) % this.capacity;
    }
  }

  clear(): void {
    this.#events = [];
    this.#head = 0;
  }

  /** Recorded events, oldest first. */
  events(): TraceEvent[] {
    return [...this.#events.slice(this.#head), ...this.#events.slice(0, this.#head)];
  }

  /** The Flowtrace document of the recording: runtime metadata, the graph, the events. */
  dump(id: string, graph: Graph, metadata: Record<string, unknown>): FlowtraceDocument {
    return {
      header: {
        metadata: { ...metadata, start: this.#start.toISOString(), end: new Date().toISOString() },
        graphs: { [id]: toGraphJson(graph, { form: 'fbp' }) },
        main: id,
      },
      events: this.events(),
    };
  }
}
