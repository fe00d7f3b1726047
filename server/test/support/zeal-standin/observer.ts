// An observer in a workflow room, standing in for the Zeal editor: it authenticates like any
// ZIP client and records everything the room receives, so tests can assert what Zeal broadcast.
import { io, type Socket } from 'socket.io-client';

export interface Observed {
  event: string;
  payload: any;
}

export class ZealObserver {
  readonly received: Observed[] = [];
  readonly #socket: Socket;
  #listeners = new Set<() => void>();

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, payload });
      for (const l of [...this.#listeners]) l();
    });
  }

  /** Connects to the stand-in's ZIP socket and joins the workflow's room. */
  static async join(zipUrl: string, workflowId: string): Promise<ZealObserver> {
    const socket = io(zipUrl, { path: '/zip/events', transports: ['websocket'], forceNew: true, reconnection: false });
    const observer = new ZealObserver(socket);
    socket.emit('auth', { type: 'auth', workflowId, metadata: { role: 'editor' } });
    await observer.waitFor('auth.success', (o) => o.event === 'auth.success');
    observer.received.length = 0;
    return observer;
  }

  /** Typed events of one type broadcast as `zip.event`. */
  zipEvents(type?: string): any[] {
    return this.received.filter((o) => o.event === 'zip.event' && (type === undefined || o.payload?.type === type)).map((o) => o.payload);
  }

  /** Resolves with the first received message matching, now or later. */
  waitFor(what: string, match: (o: Observed) => boolean, timeoutMs = 5000): Promise<Observed> {
    const hit = this.received.find(match);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.find(match);
        if (!found) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`observer: timed out after ${timeoutMs} ms waiting for ${what}; received ${this.received.map((o) => o.payload?.type ?? o.event).join(', ') || 'nothing'}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
    });
  }

  close(): void {
    this.#socket.disconnect();
  }
}
