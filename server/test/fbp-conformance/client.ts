// A scripted FBP protocol client for the tests: connects with the `noflo` subprotocol, sends
// commands, and checks EVERY frame it receives against the protocol's JSON schema
// (`require('fbp-protocol')`, the tv4 validator with every schema registered) — a frame whose
// schema is missing or that does not validate is recorded in `invalid`.
import { createRequire } from 'node:module';
import WebSocket from 'ws';

interface Tv4 {
  validateMultiple(data: unknown, schema: string): { valid: boolean; missing: string[]; errors: { message: string; dataPath: string }[] };
}

const tv4 = createRequire(import.meta.url)('fbp-protocol') as Tv4;

export interface Frame {
  protocol: string;
  command: string;
  payload: any;
  responseTo?: string;
}

/** Problems of one frame against its schema `/<protocol>/output/<command>` (empty when valid). */
export function schemaProblems(frame: Frame): string[] {
  const schema = `/${frame.protocol}/output/${frame.command}`;
  const result = tv4.validateMultiple(frame, schema);
  if (result.missing.length > 0) return [`no schema ${schema}`];
  return result.errors.map((e) => `${schema}: ${e.dataPath || '/'} ${e.message}`);
}

export class FbpClient {
  readonly socket: WebSocket;
  /** Every frame received, in order. */
  readonly frames: Frame[] = [];
  /** Frames that failed schema validation, with the reasons. */
  readonly invalid: { frame: Frame; problems: string[] }[] = [];
  secret: string | undefined;
  #waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }[] = [];
  /** How long `next` waits before failing (a silent runtime fails the test instead of hanging it). */
  timeoutMs = 15_000;
  #requests = 0;

  private constructor(socket: WebSocket, secret: string | undefined) {
    this.socket = socket;
    this.secret = secret;
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      const problems = schemaProblems(frame);
      if (problems.length) this.invalid.push({ frame, problems });
      this.frames.push(frame);
      const index = this.frames.length - 1;
      this.#waiters = this.#waiters.filter((w) => {
        if (index < w.from || !w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static connect(url: string, options: { secret?: string; headers?: Record<string, string> } = {}): Promise<FbpClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, 'noflo', options.headers ? { headers: options.headers } : {});
      socket.once('open', () => resolve(new FbpClient(socket, options.secret)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Sends a command (secret at the top level unless told otherwise); returns its requestId. */
  send(protocol: string, command: string, payload: Record<string, unknown> = {}, options: { secretIn?: 'top' | 'payload' | 'none'; requestId?: string } = {}): string {
    const requestId = options.requestId ?? `r${++this.#requests}`;
    const where = options.secretIn ?? 'top';
    const frame: Record<string, unknown> = { protocol, command, payload: where === 'payload' && this.secret ? { ...payload, secret: this.secret } : payload, requestId };
    if (where === 'top' && this.secret) frame.secret = this.secret;
    this.socket.send(JSON.stringify(frame));
    return requestId;
  }

  /** The first frame from now on (or from frame index `from`) matching `match`. */
  next(match: (f: Frame) => boolean, from = this.frames.length): Promise<Frame> {
    const seen = this.frames.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match, from,
        resolve: (frame: Frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        const last = this.frames.slice(from).slice(-5).map((f) => `${f.protocol}:${f.command}`).join(', ');
        reject(new Error(`no matching frame within ${this.timeoutMs} ms (last frames: ${last || 'none'})`));
      }, this.timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Sends a command and resolves with the reply carrying its requestId. */
  async request(protocol: string, command: string, payload: Record<string, unknown> = {}, options: { secretIn?: 'top' | 'payload' | 'none' } = {}): Promise<Frame> {
    const from = this.frames.length;
    const id = this.send(protocol, command, payload, options);
    return this.next((f) => f.responseTo === id, from);
  }

  /** Every frame replying to `requestId` received so far. */
  replies(requestId: string): Frame[] {
    return this.frames.filter((f) => f.responseTo === requestId);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** `{protocol, command}` matcher. */
export const is = (protocol: string, command: string, where: (payload: any) => boolean = () => true) =>
  (f: Frame) => f.protocol === protocol && f.command === command && where(f.payload);
