// Channel: one connection's bounded FIFO between a producer (an actor's outport, an exported
// inport, a cross-thread link) and a consumer (an actor's inport, a cross-thread link).
//
// Backpressure is soft-bounded: a message is always accepted (a firing always completes), but a
// channel at capacity marks itself full and tells its producer, which starts no new firing until
// the consumer has drained it to half capacity; async producers await `drained()`. Memory is thus
// bounded by capacity plus what one firing emits.
import { ChannelFullError } from '../errors.ts';
import { formatRef } from '../graph/graph.ts';
import type { PortRef } from '../graph/types.ts';
import { Ring } from './ring.ts';
import type { ConnectionStats, OverflowPolicy } from './types.ts';

/** The sending side of channels. */
export interface ChannelProducer {
  /** The channel reached capacity (policy 'block'). */
  onChannelFull(channel: Channel): void;
  /** The channel drained to half capacity again (or was force-released). */
  onChannelDrained(channel: Channel): void;
}

/** The receiving side of channels. */
export interface ChannelConsumer {
  /** A message was queued on `channel`. */
  onDeliver(channel: Channel): void;
  /** The oldest queued message of `channel` was dropped (policy 'drop-oldest'). */
  onDrop(channel: Channel): void;
}

/** A channel is a ring queue (inherited, so one object per connection) plus flow control. */
export class Channel extends Ring<unknown> {
  /** Where the messages come from (for events and errors); node '' is the graph boundary. */
  readonly from: PortRef;
  readonly to: PortRef;
  readonly capacity: number;
  readonly policy: OverflowPolicy;
  producer: ChannelProducer | null;
  consumer: ChannelConsumer;
  /** At capacity, producer told; cleared at half capacity. */
  full = false;
  /** Entries the consumer's arrival-order queue must skip (messages dropped while queued). */
  skip = 0;
  delivered = 0;
  dropped = 0;
  /** Removed from the network: pushes are discarded. */
  closed = false;
  /** The plain case (policy 'block', open): pushes need no overflow or closed check. */
  #plain: boolean;
  /** Whatever the consumer needs to find its side of the channel fast (an actor's inport). */
  slot: unknown = null;
  /** The promise handed to producers waiting for room, and how to settle it. */
  #waiting: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(from: PortRef, to: PortRef, consumer: ChannelConsumer, producer: ChannelProducer | null, capacity: number, policy: OverflowPolicy) {
    super(4);
    this.from = from;
    this.to = to;
    this.consumer = consumer;
    this.producer = producer;
    this.capacity = capacity;
    this.policy = policy;
    this.#plain = policy === 'block';
  }

  /** This connection's traffic, for stats. */
  traffic(): ConnectionStats {
    return { src: { ...this.from }, tgt: { ...this.to }, delivered: this.delivered, dropped: this.dropped, queued: this.size, capacity: this.capacity };
  }

  /** `from -> to`, for messages. */
  get label(): string {
    return `${this.from.node ? formatRef(this.from) : `graph.${this.from.port}`} -> ${formatRef(this.to)}`;
  }

  /** Queues a message. Throws ChannelFullError when full under policy 'error'. */
  override push(value: unknown): void {
    if (!this.#plain) {
      this.#pushOther(value);
      return;
    }
    super.push(value);
    this.delivered++;
    this.consumer.onDeliver(this);
    if (!this.full && this.size >= this.capacity) {
      this.full = true;
      this.producer?.onChannelFull(this);
    }
  }

  /** A push into a closed channel, or one with policy 'drop-oldest' or 'error'. */
  #pushOther(value: unknown): void {
    if (this.closed) return;
    if (this.size >= this.capacity) {
      if (this.policy === 'error') throw new ChannelFullError(this.label, this.capacity);
      super.shift();
      this.dropped++;
      this.skip++;
      this.consumer.onDrop(this);
    }
    super.push(value);
    this.delivered++;
    this.consumer.onDeliver(this);
  }

  /** Takes the oldest message (the consumer calls this). */
  take(): unknown {
    const v = super.shift();
    if (this.full && this.size <= this.capacity >> 1) this.#release();
    return v;
  }

  /** Resolves when the channel is no longer full (immediately if it isn't). */
  drained(): Promise<void> {
    if (!this.full) return Promise.resolve();
    if (!this.#waiting) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#waiting = { promise, resolve };
    }
    return this.#waiting.promise;
  }

  /**
   * Lets the producer go on although the channel is still full (breaks a feedback-loop deadlock:
   * the channel turns full again at the next push).
   */
  forceRelease(): void {
    if (this.full) this.#release();
  }

  /** Discards everything queued and stops accepting (the connection was removed). Returns how many were dropped. */
  close(): number {
    const n = this.size;
    this.closed = true;
    this.#plain = false;
    this.clear();
    this.dropped += n;
    if (this.full) this.#release();
    return n;
  }

  #release(): void {
    this.full = false;
    this.producer?.onChannelDrained(this);
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = null;
      waiting.resolve();
    }
  }
}
