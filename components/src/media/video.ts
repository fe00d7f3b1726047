// media/VideoInput: video (MP4, WebM, Matroska, QuickTime, AVI, …) — dimensions, duration, frame
// rate and codecs from ffprobe where it is installed (Debian's ffmpeg), otherwise from the
// container's own headers (music-metadata); the output says which one read it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseMedia } from './audio.ts';
import { defineMediaInput, defined, notOfKind, type MediaInputConfig, type MediaType } from './media-input.ts';
import { mediaError, type LoadedMedia } from './source.ts';

const run = promisify(execFile);
const PROBE_TIMEOUT_MS = 30_000;

type Prober = 'auto' | 'ffprobe' | 'builtin';

interface VideoInputConfig extends MediaInputConfig {
  prober: Prober;
}

let ffprobeInstalled: Promise<boolean> | undefined;

/** Whether `ffprobe` runs here (checked once per process). */
export function hasFfprobe(): Promise<boolean> {
  ffprobeInstalled ??= run('ffprobe', ['-version'], { timeout: 10_000 }).then(() => true, () => false);
  return ffprobeInstalled;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  pix_fmt?: string;
  sample_rate?: string;
  channels?: number;
}

interface FfprobeReport {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string };
}

/** `"30000/1001"` → 29.97. */
function rate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [n, d] = text.split('/').map(Number);
  const value = d ? n / d : n;
  return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) / 1000 : undefined;
}

function number(text: string | undefined): number | undefined {
  const value = text === undefined ? NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Runs ffprobe on the media (a file as is; bytes through a temporary file, removed after). */
async function ffprobe(media: LoadedMedia, signal: AbortSignal): Promise<FfprobeReport> {
  let dir: string | undefined;
  let path: string;
  if (media.origin.kind === 'file') path = media.origin.path;
  else {
    dir = await mkdtemp(join(tmpdir(), 'actorflow-video-'));
    path = join(dir, 'input');
    await writeFile(path, media.bytes);
  }
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', path],
      { signal, timeout: PROBE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as FfprobeReport;
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim().split('\n').at(-1) || (err as Error).message;
    throw mediaError('MEDIA_CORRUPT', `ffprobe cannot read the video: ${stderr.replace(path, '<input>')}`, 'the file is damaged, truncated or not a video');
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

function fromFfprobe(report: FfprobeReport): Record<string, unknown> {
  const video = report.streams?.find((s) => s.codec_type === 'video');
  const audio = report.streams?.find((s) => s.codec_type === 'audio');
  return defined({
    duration: number(report.format?.duration),
    width: video?.width,
    height: video?.height,
    frameRate: rate(video?.avg_frame_rate) ?? rate(video?.r_frame_rate),
    codecs: defined({ video: video?.codec_name, audio: audio?.codec_name }),
    pixelFormat: video?.pix_fmt,
    audio: audio ? defined({ sampleRate: number(audio.sample_rate), channels: audio.channels }) : undefined,
    container: report.format?.format_name,
    bitRate: number(report.format?.bit_rate),
    streams: report.streams?.length,
    prober: 'ffprobe',
  });
}

async function fromContainer(media: LoadedMedia, type: MediaType): Promise<Record<string, unknown>> {
  const { format } = await parseMedia(media.bytes, type);
  const tracks = format.trackInfo ?? [];
  const video = tracks.find((t) => t.video);
  const audio = tracks.find((t) => t.audio);
  return defined({
    duration: format.duration,
    width: video?.video?.pixelWidth,
    height: video?.video?.pixelHeight,
    frameRate: (video?.video as { frameRate?: number } | undefined)?.frameRate,
    codecs: defined({ video: video?.codecName, audio: audio?.codecName }),
    audio: audio?.audio ? defined({ sampleRate: audio.audio.samplingFrequency, channels: audio.audio.channels }) : undefined,
    container: format.container,
    bitRate: format.bitrate === undefined ? undefined : Math.round(format.bitrate),
    streams: tracks.length,
    prober: 'builtin',
  });
}

async function readVideo(media: LoadedMedia, type: MediaType | undefined, config: VideoInputConfig, signal: AbortSignal): Promise<{ type: MediaType; metadata: Record<string, unknown> }> {
  if (!type || !type.mime.startsWith('video/')) {
    const suggestion = type?.mime.startsWith('image/') ? 'send video, or use media/ImageInput' : type?.mime.startsWith('audio/') ? 'send video, or use media/AudioInput' : undefined;
    throw notOfKind('video', type, media.bytes, suggestion);
  }
  const useFfprobe = config.prober !== 'builtin' && await hasFfprobe();
  if (config.prober === 'ffprobe' && !useFfprobe) {
    throw mediaError('MEDIA_TOOL', 'prober is "ffprobe", but ffprobe is not installed on this server', "install Debian's ffmpeg (scripts/services.d/media.sh), or set prober to 'auto' or 'builtin'");
  }
  const metadata = useFfprobe ? fromFfprobe(await ffprobe(media, signal)) : await fromContainer(media, type);
  if (metadata.width === undefined) throw mediaError('MEDIA_UNSUPPORTED', `the ${type.mime} input has no video track`, 'send video, or use media/AudioInput for audio-only files');
  return { type, metadata };
}

export const VideoInput = defineMediaInput<VideoInputConfig>({
  name: 'media/VideoInput',
  description: 'Reads a video from bytes, a file path or an http(s) URL, detects its type from its content and emits its bytes, type and metadata '
    + '(duration in seconds, width, height, frame rate, video and audio codecs, container, bit rate). Metadata comes from ffprobe where it is installed, '
    + 'otherwise from the container headers (metadata.prober says which; codec names follow the prober). Anything that is not video is refused.',
  icon: 'film',
  kind: 'video',
  properties: {
    prober: { enum: ['auto', 'ffprobe', 'builtin'], default: 'auto', description: "Metadata reader: 'auto' (ffprobe if installed, else built-in), 'ffprobe' (fail if missing) or 'builtin' (container headers)" },
  },
  metadataDescription: '{duration, width, height, frameRate?, codecs: {video, audio?}, pixelFormat?, audio?: {sampleRate, channels}, container, bitRate?, streams, prober}',
  reader: { read: readVideo },
});
