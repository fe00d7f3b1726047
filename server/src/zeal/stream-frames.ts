// Zeal's binary stream frame (§1.3): byte 0 the frame type, bytes 1–8 the stream id (u64 LE),
// then the payload. Shared by Zeal's server, its SDK and Reflow. (Zeal's parser is reproduced
// in the test stand-in, which checks what these writers produce.)

export const FRAME_BEGIN = 0x01;
export const FRAME_DATA = 0x02;
export const FRAME_END = 0x03;
export const FRAME_ERROR = 0x04;
export const FRAME_HEADER_BYTES = 9;

/**
 * Largest payload one data frame carries. Engine.IO closes the connection on a message over
 * 1,000,000 bytes; binary attachments travel as their own message, so this leaves ample room.
 */
export const MAX_FRAME_PAYLOAD = 512 * 1024;


function frame(type: number, streamId: number, payload?: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + (payload?.byteLength ?? 0));
  out[0] = type;
  out.writeBigUInt64LE(BigInt(streamId), 1);
  if (payload) out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** The begin frame, carrying Reflow's metadata shape `{content_type, size_hint, metadata}`. */
export function beginFrame(streamId: number, info: { contentType?: string; sizeHint?: number; metadata?: Record<string, unknown> }): Buffer {
  const meta = { content_type: info.contentType ?? 'application/octet-stream', size_hint: info.sizeHint ?? null, metadata: info.metadata ?? {} };
  return frame(FRAME_BEGIN, streamId, Buffer.from(JSON.stringify(meta)));
}

/** Data frames for one chunk, split so that no frame exceeds MAX_FRAME_PAYLOAD. */
export function dataFrames(streamId: number, chunk: Uint8Array): Buffer[] {
  if (chunk.byteLength <= MAX_FRAME_PAYLOAD) return [frame(FRAME_DATA, streamId, chunk)];
  const frames: Buffer[] = [];
  for (let at = 0; at < chunk.byteLength; at += MAX_FRAME_PAYLOAD) {
    frames.push(frame(FRAME_DATA, streamId, chunk.subarray(at, at + MAX_FRAME_PAYLOAD)));
  }
  return frames;
}

export function endFrame(streamId: number): Buffer {
  return frame(FRAME_END, streamId);
}

export function errorFrame(streamId: number, message: string): Buffer {
  return frame(FRAME_ERROR, streamId, Buffer.from(message.slice(0, 4096)));
}
