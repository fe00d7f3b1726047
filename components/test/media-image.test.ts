import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { Network } from '@actorflow/network';
import { assertProblem, loadProblems, nodeFailure, registryWith, run, runNode } from './helpers.ts';
import { startHttpServer, type TestHttpServer } from './support/http-server.ts';
import { assertCompleteMetadata } from './support/metadata.ts';
import { animatedGif, png, rotatedJpeg, wav } from './support/media-fixtures.ts';

const registry = await registryWith('media');
const dir = mkdtempSync(join(tmpdir(), 'actorflow-media-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const emitted = async (component: string, config: Record<string, unknown>, message: unknown) => (await runNode(registry, component, config, message)).out[0] as Record<string, any>;
const failure = (component: string, config: Record<string, unknown>, message: unknown) => nodeFailure(registry, component, config, message);

describe('media/ImageInput', () => {
  let server: TestHttpServer;
  let image: Uint8Array;
  before(async () => {
    image = await png(40, 30);
    writeFileSync(join(dir, 'red.png'), image);
    server = await startHttpServer();
    server.route('/red.png', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(image);
    });
  });
  after(() => server.close());

  it('reads bytes: the type from the content, the dimensions and the format details', async () => {
    const out = await emitted('media/ImageInput', {}, image);
    assert.equal(out.mime, 'image/png');
    assert.equal(out.ext, 'png');
    assert.equal(out.size, image.byteLength);
    assert.deepEqual(out.source, { kind: 'bytes' });
    assert.ok(out.bytes instanceof Uint8Array);
    assert.deepEqual([...out.bytes], [...image]);
    assert.deepEqual(out.metadata, { format: 'png', width: 40, height: 30, channels: 4, space: 'srgb', hasAlpha: true });
  });

  it('reads a file path, and leaves the bytes out with includeBytes false', async () => {
    const out = await emitted('media/ImageInput', { includeBytes: false }, join(dir, 'red.png'));
    assert.equal(out.bytes, undefined);
    assert.deepEqual(out.source, { kind: 'file', path: join(dir, 'red.png') });
    assert.equal(out.metadata.width, 40);
  });

  it('downloads a URL (the type comes from the content, not the Content-Type)', async () => {
    const out = await emitted('media/ImageInput', { allowAddresses: ['127.0.0.1'] }, { url: `${server.origin}/red.png` });
    assert.equal(out.mime, 'image/png');
    assert.deepEqual(out.source, { kind: 'url', url: `${server.origin}/red.png` });
  });

  it('refuses private addresses for URLs unless allowed', async () => {
    const error = await failure('media/ImageInput', {}, `${server.origin}/red.png`);
    assert.equal(error.code, 'HTTP_BLOCKED_ADDRESS');
  });

  it('gives the dimensions as displayed for an EXIF-rotated JPEG, with its orientation', async () => {
    const out = await emitted('media/ImageInput', {}, await rotatedJpeg(8, 6));
    assert.equal(out.mime, 'image/jpeg');
    assert.deepEqual([out.metadata.width, out.metadata.height, out.metadata.orientation], [6, 8, 6]);
  });

  it('reports frames of an animated GIF', async () => {
    const out = await emitted('media/ImageInput', {}, await animatedGif(8, 6, 3));
    assert.equal(out.mime, 'image/gif');
    assert.equal(out.metadata.pages, 3);
    assert.equal(out.metadata.animated, true);
  });

  describe('file paths under rootDir', () => {
    before(() => {
      mkdirSync(join(dir, 'root', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'root', 'sub', 'in.png'), image);
      writeFileSync(join(dir, 'secret.png'), image);
      symlinkSync(join(dir, 'secret.png'), join(dir, 'root', 'link.png'));
    });

    it('resolves relative paths against rootDir', async () => {
      const out = await emitted('media/ImageInput', { rootDir: join(dir, 'root') }, { path: 'sub/in.png' });
      assert.deepEqual(out.source, { kind: 'file', path: join(dir, 'root', 'sub', 'in.png') });
    });

    it('refuses paths that lead outside rootDir, through .. or a symlink', async () => {
      for (const path of ['../secret.png', 'link.png', join(dir, 'secret.png')]) {
        const error = await failure('media/ImageInput', { rootDir: join(dir, 'root') }, path);
        assert.equal(error.code, 'MEDIA_SOURCE');
        assert.match(error.message, /leads outside rootDir/);
      }
    });
  });

  describe('bad input', () => {
    it('refuses content that is not an image, showing its first bytes', async () => {
      const error = await failure('media/ImageInput', {}, new TextEncoder().encode('hello, not an image'));
      assert.equal(error.code, 'MEDIA_UNSUPPORTED');
      assert.match(error.message, /the input is not a format this node recognises \(it starts with 68 65 6c 6c 6f 2c 20 6e\), not an image/);
    });

    it('refuses audio, pointing at the audio component', async () => {
      const error = await failure('media/ImageInput', {}, wav({ sampleRate: 8000, channels: 1, seconds: 0.1 }));
      assert.match(error.message, /the input is audio\/wav \(\.wav\), not an image \(send an image, or use media\/AudioInput\)/);
    });

    it('reports a truncated image as MEDIA_CORRUPT', async () => {
      const jpeg = new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } }).jpeg().toBuffer());
      const error = await failure('media/ImageInput', {}, jpeg.subarray(0, 40));
      assert.equal(error.code, 'MEDIA_CORRUPT');
      assert.match(error.message, /the image\/jpeg image cannot be read/);
    });

    it('reports a missing file, and says where relative paths resolve', async () => {
      const error = await failure('media/ImageInput', {}, 'no/such/file.png');
      assert.equal(error.code, 'MEDIA_SOURCE');
      assert.match(error.message, /cannot read "no\/such\/file\.png": no such file/);
      assert.match(error.message, /relative paths resolve against the server's working folder/);
    });

    it('refuses input larger than maxBytes', async () => {
      const error = await failure('media/ImageInput', { maxBytes: 100 }, join(dir, 'red.png'));
      assert.equal(error.code, 'MEDIA_TOO_LARGE');
      assert.match(error.message, /is \d+ bytes, more than maxBytes \(100\)/);
    });

    it('refuses messages that point at nothing', async () => {
      for (const [message, pattern] of [[42, /expected media, got the number 42/], ['ftp://host/x.png', /only http\(s\) and file URLs are supported/], [{ url: 'x.png' }, /url "x\.png" is not an http\(s\) URL/]] as const) {
        const error = await failure('media/ImageInput', {}, message);
        assert.match(error.message, pattern);
      }
    });
  });
});

describe('media/ImageTransform', () => {
  it('resizes within a box keeping the aspect ratio, and converts to WebP', async () => {
    const out = await emitted('media/ImageTransform', { width: 20, height: 20, format: 'webp' }, await png(40, 30));
    assert.equal(out.mime, 'image/webp');
    assert.deepEqual(out.metadata, { format: 'webp', width: 20, height: 15 });
    const check = await sharp(out.bytes).metadata();
    assert.deepEqual([check.format, check.width, check.height], ['webp', 20, 15]);
  });

  it('covers a box exactly with fit "cover", and never enlarges unless asked', async () => {
    assert.deepEqual((await emitted('media/ImageTransform', { width: 10, height: 10, fit: 'cover' }, await png(40, 30))).metadata, { format: 'png', width: 10, height: 10 });
    assert.deepEqual((await emitted('media/ImageTransform', { width: 80 }, await png(40, 30))).metadata, { format: 'png', width: 40, height: 30 });
    assert.deepEqual((await emitted('media/ImageTransform', { width: 80, withoutEnlargement: false }, await png(40, 30))).metadata, { format: 'png', width: 80, height: 60 });
  });

  it('applies the EXIF orientation and takes the output of media/ImageInput', async () => {
    const result = await run(registry, {
      nodes: { read: 'media/ImageInput', resize: ['media/ImageTransform', { format: 'jpeg', quality: 50 }] },
      edges: ['read.out -> resize.in'], inports: { in: 'read.in' }, outports: { out: 'resize.out' },
    }, { in: await rotatedJpeg(8, 6) });
    const [out] = result.results.out as Record<string, any>[];
    assert.deepEqual(out.metadata, { format: 'jpeg', width: 6, height: 8 });
    assert.equal((await sharp(out.bytes).metadata()).orientation, undefined, 'the orientation tag is gone: the pixels are rotated');
  });

  it('keeps animation when converting a GIF to WebP', async () => {
    const out = await emitted('media/ImageTransform', { format: 'webp', width: 4 }, await animatedGif(8, 6, 3));
    const check = await sharp(out.bytes).metadata();
    assert.equal(check.pages, 3);
    assert.deepEqual(out.metadata, { format: 'webp', width: 4, height: 3 });
  });

  it('refuses input that is not an image', async () => {
    const error = await failure('media/ImageTransform', { width: 10 }, wav({ sampleRate: 8000, channels: 1, seconds: 0.1 }));
    assert.equal(error.code, 'MEDIA_UNSUPPORTED');
  });

  it('rejects bad config when the graph is loaded', async () => {
    const problems = await loadProblems(registry, {
      nodes: {
        t: ['media/ImageTransform', { width: 0, format: 'bmp', fit: 'stretch', background: 'red', quality: 101 }],
        i: ['media/ImageInput', { maxBytes: 0, allowAddresses: ['localhost'] }],
      },
    });
    assertProblem(problems, '$.processes.t.metadata.width', /config field 'width' must be >= 1, got a number \(0\)/);
    assertProblem(problems, '$.processes.t.metadata.format', /got a string \("bmp"\)/, /"same", "jpeg", "png", "webp", "avif", "tiff", "gif"/);
    assertProblem(problems, '$.processes.t.metadata.fit', /got a string \("stretch"\)/, /"cover", "contain", "fill", "inside", "outside"/);
    assertProblem(problems, '$.processes.t.metadata.background', /field 'background' must match pattern/, /hex, e\.g\. #ffffff/);
    assertProblem(problems, '$.processes.t.metadata.quality', /must be <= 100, got a number \(101\)/);
    assertProblem(problems, '$.processes.i.metadata.maxBytes', /must be >= 1, got a number \(0\)/);
    assertProblem(problems, '$.processes.i.metadata.allowAddresses[0]', /got a string \("localhost"\)/, /an IPv4 address or network/);
  });
});

describe('media components', () => {
  it('declare complete metadata: descriptions, icons, described ports and config', () => assertCompleteMetadata(registry, 'media'));
});

describe('examples/components-media.json (thumbnails)', () => {
  const example = JSON.parse(readFileSync(new URL('../../examples/components-media.json', import.meta.url), 'utf8')) as unknown;

  it('reports the image and makes a WebP thumbnail that fits 128x128', async () => {
    const result = await (await Network.create(example, { registry })).run({ input: { image: await png(512, 256) }, timeoutMs: 10_000 });
    assert.equal(result.status, 'completed');
    const [info] = result.results.info as Record<string, any>[];
    assert.deepEqual([info.mime, info.metadata.width, info.metadata.height], ['image/png', 512, 256]);
    const [thumbnail] = result.results.thumbnail as Record<string, any>[];
    assert.equal(thumbnail.mime, 'image/webp');
    assert.deepEqual(thumbnail.metadata, { format: 'webp', width: 128, height: 64 });
  });
});
