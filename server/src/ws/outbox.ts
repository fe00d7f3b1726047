// The bounded send queue of one WebSocket client. A client that reads slowly never slows a run
// or the server: once `queueLimit` frames are waiting to be written to its socket, further event
// frames are dropped and counted; after `dropLimit` drops the client is disconnected with close
// code 4008 and a reason saying why. Control frames (acks, errors, terminal workflow events) are
// never dropped: there are few of them and a client needs them to know where it stands.
import type { WebSocket } from 'ws';

/** Close code sent to a client that fell too far behind (application range 4000–4999). */
export const SLOW_CONSUMER_CLOSE = 4008;

/** Bytes buffered in the socket beyond which event frames are dropped even under `queueLimit`. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface OutboxOptions {
  queueLimit: number;
  dropLimit: number;
  onDrop?: () => void;
  onSlowClose?: (dropped: number) => void;
}

export class Outbox {
  readonly #socket: WebSocket;
  readonly #o: OutboxOptions;
  #pending = 0;
  #dropped = 0;
  #closed = false;
  readonly #written = (err?: Error) => {
    this.#pending--;
    if (err) this.#closed = true;
  };

  constructor(socket: WebSocket, options: OutboxOptions) {
    this.#socket = socket;
    this.#o = options;
    socket.once('close', () => (this.#closed = true));
  }

  /** Frames handed to the socket and not yet written. */
  get pending(): number {
    return this.#pending;
  }

  /** Event frames dropped so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Sends a control frame (never dropped). */
  control(frame: string): void {
    if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) return;
    this.#pending++;
    this.#socket.send(frame, this.#written);
  }

  /** Sends an event frame, or drops it when the client is behind. Returns whether it was queued. */
  event(frame: string): boolean {
    if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) return false;
    if (this.#pending >= this.#o.queueLimit || this.#socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#dropped++;
      this.#o.onDrop?.();
      if (this.#dropped >= this.#o.dropLimit) {
        this.#closed = true;
        this.#o.onSlowClose?.(this.#dropped);
        this.#socket.close(SLOW_CONSUMER_CLOSE, `slow consumer: ${this.#dropped} messages dropped`);
        // A client that does not even read the close frame is cut off.
        setTimeout(() => this.#socket.terminate(), 2000).unref();
      }
      return false;
    }
    this.#pending++;
    this.#socket.send(frame, this.#written);
    return true;
  }
}
