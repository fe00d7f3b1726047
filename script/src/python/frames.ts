// The wire format between the Python engine and script/python/actor_host.py: frames of a 4-byte
// big-endian length followed by that many bytes of UTF-8 JSON (one object per frame).
// Values JSON cannot carry travel tagged: Uint8Array as {"$bytes": base64}, bigint as {"$int": digits};
// a frame holding tags says so with "b": 1, so untagged frames (the usual case) are never walked.
// Other message values take the network's plain JSON form: Date -> ISO string, FLOW -> "flow"
// (their toJSON), Error -> {message, name, code?}, NaN / ±Infinity -> null.

/** A frame from the host: `t` says which (ready, emit, log, result, error). */
export interface HostFrame {
  t: string;
  b?: 1;
  [key: string]: unknown;
}

/** Encodes one frame; `tagged` is set when a value needed the $bytes / $int form. */
export function encodeFrame(frame: Record<string, unknown>): Buffer {
  let tagged = false;
  const body = JSON.stringify(frame, function (this: unknown, _key, value: unknown) {
    if (typeof value === 'bigint') {
      tagged = true;
      return { $int: value.toString() };
    }
    if (value instanceof Uint8Array) {
      tagged = true;
      return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
    }
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return code === undefined ? { message: value.message, name: value.name } : { message: value.message, name: value.name, code };
    }
    return value;
  });
  const text = tagged ? `${body.slice(0, -1)},"b":1}` : body;
  const length = Buffer.byteLength(text);
  const buffer = Buffer.allocUnsafe(4 + length);
  buffer.writeUInt32BE(length, 0);
  buffer.write(text, 4);
  return buffer;
}

/** Decodes tagged values ({"$bytes"} -> Uint8Array, {"$int"} -> bigint) inside a frame marked "b". */
export function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    if (keys[0] === '$bytes' && typeof record.$bytes === 'string') return new Uint8Array(Buffer.from(record.$bytes, 'base64'));
    if (keys[0] === '$int' && typeof record.$int === 'string') return BigInt(record.$int);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = untag(record[key]);
  return out;
}

/** A frame's declared length was over the limit (a runaway or tampered host). */
export class FrameTooLargeError extends Error {
  readonly length: number;
  constructor(length: number, limit: number) {
    super(`the Python host sent a ${length}-byte frame (limit ${limit})`);
    this.length = length;
  }
}

/** Splits a byte stream into frames; tolerates frames split across chunks and many frames per chunk. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly maxFrameBytes: number;

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Feeds bytes; returns the complete frames (parsed) and their sizes. Throws FrameTooLargeError or SyntaxError. */
  push(chunk: Buffer): { frame: HostFrame; bytes: number }[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: { frame: HostFrame; bytes: number }[] = [];
    while (this.buffered >= 4) {
      const head = this.chunks[0].length >= 4 ? this.chunks[0] : this.flatten();
      const length = head.readUInt32BE(0);
      if (length > this.maxFrameBytes) throw new FrameTooLargeError(length, this.maxFrameBytes);
      if (this.buffered < 4 + length) break;
      const buffer = this.chunks[0].length >= 4 + length ? this.chunks[0] : this.flatten();
      const frame = JSON.parse(buffer.toString('utf8', 4, 4 + length)) as HostFrame;
      this.consume(4 + length);
      frames.push({ frame: frame.b ? (untag(frame) as HostFrame) : frame, bytes: length });
    }
    return frames;
  }

  private flatten(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  private consume(bytes: number): void {
    const first = this.chunks[0];
    this.buffered -= bytes;
    if (first.length === bytes) this.chunks.shift();
    else this.chunks[0] = first.subarray(bytes);
  }
}
