// media/AudioInput: audio (WAV, MP3, FLAC, Ogg/Opus/Vorbis, AAC/M4A, AIFF, …) read with
// music-metadata — duration, codec, container, sample rate, channels, bit depth, bitrate and tags.
import type { IAudioMetadata } from 'music-metadata';
import { defineMediaInput, defined, notOfKind, type MediaInputConfig, type MediaType } from './media-input.ts';
import { mediaError } from './source.ts';

/** Parses audio (or a media container) with music-metadata; MEDIA_CORRUPT when it cannot. */
export async function parseMedia(bytes: Uint8Array, type: MediaType | undefined): Promise<IAudioMetadata> {
  try {
    const { parseBuffer } = await import('music-metadata'); // loaded on first use
    return await parseBuffer(bytes, type ? { mimeType: type.mime, size: bytes.byteLength } : { size: bytes.byteLength }, { duration: true, skipCovers: true });
  } catch (err) {
    throw mediaError('MEDIA_CORRUPT', `the ${type?.mime ?? 'input'} cannot be read: ${(err as Error).message}`, 'the file is damaged, truncated or not a supported format');
  }
}

async function readAudio(bytes: Uint8Array, type: MediaType | undefined): Promise<{ type: MediaType; metadata: Record<string, unknown> }> {
  const container = type?.mime.startsWith('video/') ?? false; // an audio-only MP4/WebM/Matroska is audio too
  if (!type || !(type.mime.startsWith('audio/') || container)) {
    throw notOfKind('audio', type, bytes, type?.mime.startsWith('image/') ? 'send audio, or use media/ImageInput' : undefined);
  }
  const { format, common } = await parseMedia(bytes, type);
  const tags = defined({ title: common.title, artist: common.artist, album: common.album, year: common.year, genre: common.genre, track: common.track.no ?? undefined });
  if (container && format.hasVideo) throw notOfKind('audio', type, bytes, 'this file has video: use media/VideoInput');
  if (format.hasAudio === false) throw mediaError('MEDIA_UNSUPPORTED', `the ${type.mime} input has no audio track`, 'send audio');
  if (format.sampleRate === undefined && format.duration === undefined) {
    throw mediaError('MEDIA_CORRUPT', `the ${type.mime} cannot be read: it has no readable audio format (no sample rate, no duration)`, 'the file is damaged or truncated; send complete audio');
  }
  return {
    type: container ? { mime: type.mime.replace(/^video\//, 'audio/'), ext: type.ext === 'mp4' ? 'm4a' : type.ext } : type,
    metadata: defined({
      duration: format.duration,
      container: format.container,
      codec: format.codec,
      sampleRate: format.sampleRate,
      channels: format.numberOfChannels,
      bitsPerSample: format.bitsPerSample,
      bitrate: format.bitrate === undefined ? undefined : Math.round(format.bitrate),
      lossless: format.lossless,
      tags: Object.keys(tags).length > 0 ? tags : undefined,
    }),
  };
}

export const AudioInput = defineMediaInput<MediaInputConfig>({
  name: 'media/AudioInput',
  description: 'Reads audio from bytes, a file path or an http(s) URL, detects its type from its content and emits its bytes, type and metadata '
    + '(duration in seconds, container, codec, sample rate, channels, bit depth, bitrate, lossless, tags). Anything that is not audio is refused.',
  icon: 'music',
  kind: 'audio',
  metadataDescription: '{duration, container, codec, sampleRate, channels, bitsPerSample?, bitrate?, lossless?, tags?: {title, artist, album, year, genre, track}}',
  reader: { read: (media, type) => readAudio(media.bytes, type) },
});
