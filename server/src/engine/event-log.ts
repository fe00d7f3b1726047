// The bounded event log of one run: keeps the first half and the last half of the run's events
// (how it began and how it ended) and counts what fell in between. Large message payloads are
// replaced by their size so one chatty run cannot bloat the history.
import type { NetworkEvent } from '@actorflow/network';
import type { StoredEvent } from '../run-record.ts';

/** Payloads (MessageSent/NetworkOutput `message`) larger than this many bytes are not stored. */
export const MAX_STORED_MESSAGE_BYTES = 4096;

export class EventLog {
  readonly #headLimit: number;
  readonly #tailLimit: number;
  readonly #head: StoredEvent[] = [];
  readonly #tail: StoredEvent[] = [];
  #tailStart = 0;
  #seq = 0;

  /** Keeps at most `limit` events (0 = none). */
  constructor(limit: number) {
    this.#headLimit = Math.ceil(limit / 2);
    this.#tailLimit = limit - this.#headLimit;
  }

  push(event: NetworkEvent): void {
    const stored: StoredEvent = { seq: this.#seq++, event: event as StoredEvent['event'] };
    if (this.#head.length < this.#headLimit) {
      this.#head.push(stored);
    } else if (this.#tailLimit > 0) {
      if (this.#tail.length < this.#tailLimit) this.#tail.push(stored);
      else {
        this.#tail[this.#tailStart] = stored;
        this.#tailStart = (this.#tailStart + 1) % this.#tailLimit;
      }
    }
  }

  /** Events seen so far. */
  get total(): number {
    return this.#seq;
  }

  /** Events seen but not kept. */
  get dropped(): number {
    return this.#seq - this.#head.length - this.#tail.length;
  }

  /** The kept events in order, large payloads replaced by `{ omitted: true, size }`. */
  entries(): StoredEvent[] {
    const tail = [...this.#tail.slice(this.#tailStart), ...this.#tail.slice(0, this.#tailStart)];
    return [...this.#head, ...tail].map(slim);
  }
}

function slim(stored: StoredEvent): StoredEvent {
  const e = stored.event as Record<string, unknown>;
  if ('message' in e && typeof e.size === 'number' && e.size > MAX_STORED_MESSAGE_BYTES) {
    return { seq: stored.seq, event: { ...(e as StoredEvent['event']), message: { omitted: true, size: e.size } } };
  }
  return stored;
}
