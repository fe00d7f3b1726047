// A `ws` client that records every frame and can wait for one matching a predicate.
import WebSocket from 'ws';

export type Frame = Record<string, any> & { type: string };

export class WsClient {
  readonly socket: WebSocket;
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  closeReason = '';
  /** Frames before this index answer earlier requests: `next` does not look at them. */
  #from = 0;
  #waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  #closed: Promise<void>;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.#closed = new Promise((resolve) => socket.once('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      resolve();
    }));
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const socket = new WebSocket(url, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (req, res) => {
        req.destroy();
        reject(new Error(`unexpected response ${res.statusCode}`));
      });
    });
    return new WsClient(socket);
  }

  /** Sends a frame; later waits only look at frames received from now on. */
  send(message: unknown): void {
    this.#from = this.frames.length;
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first frame received since the last `send` (or still to come) matching `match`. */
  next(match: (f: Frame) => boolean, what = 'a frame', timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.slice(this.#from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${this.frames.map((f) => f.type).join(', ')}`)), timeoutMs);
      this.#waiters.push({ match, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  type(type: string, executionId?: string): Promise<Frame> {
    return this.next((f) => f.type === type && (executionId === undefined || f.execution_id === executionId), type);
  }

  closed(): Promise<void> {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.#closed;
  }
}
