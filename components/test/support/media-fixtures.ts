// Media fixtures made by the tests themselves (nothing binary is checked in): images drawn with
// sharp, a PCM WAV file written byte by byte, and short videos encoded by ffmpeg where installed.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

/** A solid-colour PNG. */
export async function png(width: number, height: number, color = '#ff0000'): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 4, background: color } }).png().toBuffer());
}

/** A JPEG stored `width` x `height` whose EXIF orientation (6: rotate 90°) makes it display `height` x `width`. */
export async function rotatedJpeg(width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: '#00ff00' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer());
}

/** An animated GIF of `frames` frames. */
export async function animatedGif(width: number, height: number, frames: number): Promise<Uint8Array> {
  const images = await Promise.all(Array.from({ length: frames }, (_, i) => png(width, height, i % 2 ? '#0000ff' : '#ffff00')));
  return new Uint8Array(await sharp(images.map((b) => Buffer.from(b)), { join: { animated: true } }).gif().toBuffer());
}

/** A 16-bit PCM WAV file: a 440 Hz tone. */
export function wav(options: { sampleRate: number; channels: number; seconds: number }): Uint8Array {
  const { sampleRate, channels, seconds } = options;
  const frames = Math.round(sampleRate * seconds);
  const dataBytes = frames * channels * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * channels * 2, 28); // byte rate
  out.writeUInt16LE(channels * 2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < frames; i++) {
    const sample = Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 12_000);
    for (let c = 0; c < channels; c++) out.writeInt16LE(sample, 44 + (i * channels + c) * 2);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Whether ffmpeg is installed (scripts/services.d/media.sh installs it). */
export async function hasFfmpeg(): Promise<boolean> {
  return run('ffmpeg', ['-version']).then(() => true, () => false);
}

/**
 * Encodes a 1-second 64x48 test video at 10 fps into `dir`: MP4 (MPEG-4 video, AAC audio) or
 * WebM (VP8, no audio). Returns its path.
 */
export async function video(dir: string, kind: 'mp4' | 'webm'): Promise<string> {
  const path = join(dir, `clip.${kind}`);
  const inputs = ['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10'];
  const args = kind === 'mp4'
    ? [...inputs, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', '1', '-c:v', 'mpeg4', '-c:a', 'aac', '-shortest']
    : [...inputs, '-t', '1', '-c:v', 'libvpx'];
  await run('ffmpeg', ['-v', 'error', '-y', ...args, path]);
  return path;
}
