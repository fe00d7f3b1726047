import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertProblem, loadProblems, nodeFailure, registryWith, runNode } from './helpers.ts';
import { hasFfmpeg, png, video, wav } from './support/media-fixtures.ts';

const registry = await registryWith('media');
const dir = mkdtempSync(join(tmpdir(), 'actorflow-av-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const emitted = async (component: string, config: Record<string, unknown>, message: unknown) => (await runNode(registry, component, config, message)).out[0] as Record<string, any>;
const failure = (component: string, config: Record<string, unknown>, message: unknown) => nodeFailure(registry, component, config, message);

/** Why the video tests cannot run here (ffmpeg makes their fixtures); under CI they must run. */
async function noFfmpeg(): Promise<string | undefined> {
  if (await hasFfmpeg()) return undefined;
  const reason = 'ffmpeg is not installed; run scripts/services.d/media.sh';
  if (process.env.CI) throw new Error(reason);
  return reason;
}

describe('media/AudioInput', () => {
  it('reads a PCM WAV: duration, sample rate, channels, bit depth, codec', async () => {
    const audio = wav({ sampleRate: 8000, channels: 2, seconds: 0.5 });
    const out = await emitted('media/AudioInput', {}, audio);
    assert.equal(out.mime, 'audio/wav');
    assert.equal(out.ext, 'wav');
    assert.equal(out.size, audio.byteLength);
    assert.ok(out.bytes instanceof Uint8Array);
    assert.deepEqual(out.metadata, { duration: 0.5, container: 'WAVE', codec: 'PCM', sampleRate: 8000, channels: 2, bitsPerSample: 16, bitrate: 256_000, lossless: true });
  });

  it('refuses an image, pointing at the image component', async () => {
    const error = await failure('media/AudioInput', {}, await png(4, 4));
    assert.equal(error.code, 'MEDIA_UNSUPPORTED');
    assert.match(error.message, /the input is image\/png \(\.png\), not audio \(send audio, or use media\/ImageInput\)/);
  });

  it('reports a WAV whose header is cut off as MEDIA_CORRUPT', async () => {
    const error = await failure('media/AudioInput', {}, wav({ sampleRate: 8000, channels: 1, seconds: 0.1 }).subarray(0, 20));
    assert.equal(error.code, 'MEDIA_CORRUPT');
    assert.match(error.message, /the audio\/wav cannot be read/);
  });

  it('rejects bad config when the graph is loaded', async () => {
    const problems = await loadProblems(registry, { nodes: { a: ['media/AudioInput', { includeBytes: 'no', requestTimeoutMs: 0 }] } });
    assertProblem(problems, '$.processes.a.metadata.includeBytes', /must be boolean, got a string \("no"\)/);
    assertProblem(problems, '$.processes.a.metadata.requestTimeoutMs', /must be >= 1, got a number \(0\)/);
  });
});

describe('media/VideoInput', async () => {
  const skip = await noFfmpeg();
  let mp4 = '';
  let webm = '';
  before(async () => {
    if (skip) return;
    [mp4, webm] = await Promise.all([video(dir, 'mp4'), video(dir, 'webm')]);
  });

  it('reads dimensions, duration, frame rate and codecs with ffprobe', { skip }, async () => {
    const out = await emitted('media/VideoInput', { includeBytes: false }, mp4);
    assert.equal(out.mime, 'video/mp4');
    assert.deepEqual(out.source, { kind: 'file', path: mp4 });
    const m = out.metadata;
    assert.equal(m.prober, 'ffprobe');
    assert.deepEqual([m.width, m.height, m.frameRate], [64, 48, 10]);
    assert.deepEqual(m.codecs, { video: 'mpeg4', audio: 'aac' });
    assert.deepEqual(m.audio, { sampleRate: 8000, channels: 1 });
    assert.ok(m.duration > 0.9 && m.duration < 1.2, `duration ${m.duration}`);
    assert.equal(m.streams, 2);
  });

  it('probes bytes too (through a temporary file)', { skip }, async () => {
    const out = await emitted('media/VideoInput', {}, readFileSync(webm));
    assert.equal(out.mime, 'video/webm');
    assert.deepEqual([out.metadata.width, out.metadata.height, out.metadata.codecs.video], [64, 48, 'vp8']);
    assert.ok(out.bytes instanceof Uint8Array);
  });

  it('reads the container headers with prober "builtin"', { skip }, async () => {
    const m = (await emitted('media/VideoInput', { prober: 'builtin' }, readFileSync(mp4))).metadata;
    assert.equal(m.prober, 'builtin');
    assert.deepEqual([m.width, m.height], [64, 48]);
    assert.deepEqual(m.codecs, { video: '<mp4v>', audio: 'MPEG-4/AAC' });
    assert.ok(m.duration > 0.9 && m.duration < 1.2);
    const w = (await emitted('media/VideoInput', { prober: 'builtin' }, webm)).metadata;
    assert.deepEqual([w.width, w.height, w.frameRate, w.codecs.video], [64, 48, 10, 'VP8']);
  });

  it('refuses audio, pointing at the audio component', async () => {
    const error = await failure('media/VideoInput', {}, wav({ sampleRate: 8000, channels: 1, seconds: 0.1 }));
    assert.equal(error.code, 'MEDIA_UNSUPPORTED');
    assert.match(error.message, /the input is audio\/wav \(\.wav\), not video \(send video, or use media\/AudioInput\)/);
  });

  it('reports a cut-off video as MEDIA_CORRUPT', { skip }, async () => {
    const error = await failure('media/VideoInput', {}, readFileSync(mp4).subarray(0, 200));
    assert.equal(error.code, 'MEDIA_CORRUPT');
    assert.match(error.message, /ffprobe cannot read the video/);
  });

  it('rejects an unknown prober when the graph is loaded', async () => {
    const problems = await loadProblems(registry, { nodes: { v: ['media/VideoInput', { prober: 'magic' }] } });
    assertProblem(problems, '$.processes.v.metadata.prober', /got a string \("magic"\)/, /"auto", "ffprobe", "builtin"/);
  });
});
