// Cross-thread connections. A connection between nodes in different threads is a MessagePort
// pair: the sending end (Egress) drains a local channel into msgpack batches — as many messages as
// are ready, up to `batch`, so batches grow with load — within a credit window; the receiving end
// (Ingress) decodes them into a local channel and returns credit as it delivers. Backpressure is
// end to end: no credit → the local channel fills → the producer blocks.
import type { MessagePort } from 'node:worker_threads';
import { decodeMessages, encodeMessage, encodeMessages } from '../messages/codec.ts';
import { ActorflowError } from '../errors.ts';
import type { Channel, ChannelConsumer, ChannelProducer } from '../runtime/channel.ts';
import { Ring } from '../runtime/ring.ts';
import type { Runnable, Scheduler } from '../runtime/scheduler.ts';
import type { CreditMessage } from './protocol.ts';

/**
 * Encodes a batch for another thread. A value msgpack cannot carry (a Map, a class instance, …)
 * must not sink the whole batch: it is left out and handed to `reject` with the reason.
 */
export function encodeBatch(values: unknown[], reject: (value: unknown, error: unknown) => void): Uint8Array {
  try {
    return encodeMessages(values);
  } catch {
    const kept: unknown[] = [];
    for (const value of values) {
      try {
        encodeMessage(value);
        kept.push(value);
      } catch (err) {
        reject(value, err);
      }
    }
    return encodeMessages(kept);
  }
}

/** The error for a message that could not cross threads. */
export function unsendable(channel: Channel, error: unknown): ActorflowError {
  return new ActorflowError('UNSENDABLE_MESSAGE', `a message on ${channel.label} cannot cross threads and was dropped: ${(error as Error).message}`,
    'emit plain data (JSON values, Uint8Array, Date, bigint, Error) on connections between threads');
}

/** Posts bytes, transferring their buffer when the view owns all of it. */
function postBytes(port: MessagePort, bytes: Uint8Array): void {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    port.postMessage(bytes, [bytes.buffer]);
  } else {
    const copy = bytes.slice();
    port.postMessage(copy, [copy.buffer]);
  }
}

/** The sending end of a cross-thread connection: the consumer of a local channel. */
export class Egress implements ChannelConsumer, Runnable {
  queued = false;
  /** Messages posted so far (for distributed idle detection). */
  sent = 0;
  channel: Channel | null = null;
  #credit: number;
  #closed = false;
  readonly #port: MessagePort;
  readonly #scheduler: Scheduler;
  readonly #batch: number;
  readonly #onCredit: () => void;
  readonly #onReject: (channel: Channel, error: unknown) => void;

  /** `onReject`: a message that cannot cross threads was dropped (the producing actor should fail). */
  constructor(port: MessagePort, scheduler: Scheduler, batch: number, window: number, onCredit: () => void, onReject: (channel: Channel, error: unknown) => void) {
    this.#port = port;
    this.#scheduler = scheduler;
    this.#batch = batch;
    this.#credit = window;
    this.#onCredit = onCredit;
    this.#onReject = onReject;
    port.on('message', (m: CreditMessage) => {
      this.#credit += m.credit;
      if (this.channel && this.channel.size > 0) this.#scheduler.enqueue(this);
      this.#onCredit();
    });
  }

  /**
   * Adaptive batching: a full batch goes at once; a partial one waits until the sending thread has
   * nothing else to run (then it goes, however small), so batches grow with load.
   */
  onDeliver(channel: Channel): void {
    if (this.#closed) channel.take(); // the receiving thread is gone: discard, never block the sender
    else if (channel.size >= this.#batch) {
      if (!this.queued && this.#credit > 0) this.#scheduler.enqueue(this);
    } else if (channel.size === 1) this.#scheduler.whenQuiet(this);
  }

  onDrop(channel: Channel): void {
    channel.skip = 0;
  }

  drain(): void {
    const channel = this.channel;
    if (!channel || this.#closed) return;
    const n = Math.min(channel.size, this.#batch, this.#credit);
    if (n <= 0) return;
    const batch = new Array<unknown>(n);
    for (let i = 0; i < n; i++) batch[i] = channel.take();
    let rejected = 0;
    const bytes = encodeBatch(batch, (_value, error) => {
      rejected++;
      channel.dropped++;
      this.#onReject(channel, error);
    });
    this.#credit -= n - rejected;
    this.sent += n - rejected;
    if (rejected < n) postBytes(this.#port, bytes);
    if (channel.size > 0 && this.#credit > 0) this.#scheduler.enqueue(this);
  }

  /** Whether messages wait here for credit (not idle). */
  get waiting(): boolean {
    return (this.channel?.size ?? 0) > 0;
  }

  close(): void {
    this.#closed = true;
    this.#port.close();
    const channel = this.channel;
    if (channel) while (channel.size > 0) channel.take();
  }
}

/** The receiving end of a cross-thread connection: the producer of a local channel. */
export class Ingress implements ChannelProducer {
  /** Messages received so far (for distributed idle detection). */
  received = 0;
  channel: Channel | null = null;
  readonly #pending = new Ring<unknown>(256);
  #unacked = 0;
  readonly #ackEvery: number;
  readonly #port: MessagePort;

  constructor(port: MessagePort, window: number) {
    this.#port = port;
    this.#ackEvery = Math.max(1, window >> 2);
    port.on('message', (bytes: Uint8Array) => {
      const values = decodeMessages(bytes);
      this.received += values.length;
      for (let i = 0; i < values.length; i++) this.#pending.push(values[i]);
      this.#pump();
    });
  }

  /** Whether decoded messages still wait for room in the local channel. */
  get waiting(): boolean {
    return this.#pending.size > 0;
  }

  onChannelFull(): void {}

  onChannelDrained(): void {
    this.#pump();
  }

  #pump(): void {
    const channel = this.channel;
    if (!channel) return;
    const pending = this.#pending;
    while (pending.size > 0 && !channel.full) {
      channel.push(pending.shift());
      if (++this.#unacked >= this.#ackEvery) this.#ack();
    }
    if (pending.size === 0 && this.#unacked > 0) this.#ack();
  }

  #ack(): void {
    this.#port.postMessage({ credit: this.#unacked } satisfies CreditMessage);
    this.#unacked = 0;
  }

  close(): void {
    this.#port.close();
  }
}
