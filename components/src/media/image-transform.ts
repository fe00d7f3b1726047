// media/ImageTransform: resizes and converts images with sharp (libvips) — width/height with a
// fit mode, EXIF orientation applied, output as JPEG, PNG, WebP, AVIF, TIFF or GIF (animation
// kept for GIF/WebP), metadata stripped.
import { defineActor } from '@actorflow/network';
import type { OutputInfo } from 'sharp';
import { ENV_VAR_KEYS } from '../integration/checks.ts';
import { imageType, loadSharp, readImage } from './image.ts';
import { detectType } from './media-input.ts';
import { MEDIA_SOURCE_PROPERTIES, MediaLoader, mediaError, type MediaSourceConfig } from './source.ts';

const OUTPUT_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif'] as const;
type OutputFormat = typeof OUTPUT_FORMATS[number];
/** Formats whose encoders take a quality (PNG's `quality` would switch it to a palette). */
const LOSSY = new Set<OutputFormat>(['jpeg', 'webp', 'avif', 'tiff']);
const ANIMATED = new Set<OutputFormat>(['gif', 'webp']);

interface ImageTransformConfig extends MediaSourceConfig {
  width?: number;
  height?: number;
  fit: 'cover' | 'contain' | 'fill' | 'inside' | 'outside';
  withoutEnlargement: boolean;
  background: string;
  format: 'same' | OutputFormat;
  quality: number;
  autoOrient: boolean;
}

const dimension = (which: string) => ({ type: 'integer', minimum: 1, maximum: 16_384, description: `Target ${which} in pixels (omit to follow the aspect ratio)` });

export const ImageTransform = defineActor({
  name: 'media/ImageTransform',
  description: 'Resizes and/or converts an image (sharp): width and height with a fit mode, EXIF orientation applied, output as JPEG, PNG, WebP, AVIF, '
    + 'TIFF or GIF (animations kept for GIF and WebP), metadata stripped. The image comes as bytes, a path, a URL, or the output of media/ImageInput.',
  category: 'media',
  icon: 'crop',
  inports: {
    in: { description: 'The image: bytes (Uint8Array), a file path, an http(s) URL, or {bytes} / {path} / {url}' },
  },
  outports: {
    out: { type: 'object', description: '{bytes, mime, ext, size, metadata: {format, width, height}}' },
    error: { type: 'object', description: 'Failures (codes MEDIA_SOURCE, MEDIA_TOO_LARGE, MEDIA_UNSUPPORTED, MEDIA_CORRUPT, HTTP_*, INVALID_INPUT)' },
  },
  config: {
    type: 'object',
    properties: {
      ...MEDIA_SOURCE_PROPERTIES,
      width: dimension('width'),
      height: dimension('height'),
      fit: { enum: ['cover', 'contain', 'fill', 'inside', 'outside'], default: 'inside', description: "How the image fits width x height: 'inside' (whole image, within the box), 'cover' (fill the box, crop), 'contain' (whole image, padded with background), 'fill' (stretch), 'outside' (cover the box, no crop)" },
      withoutEnlargement: { type: 'boolean', default: true, description: 'Never make an image larger than it is' },
      background: { type: 'string', pattern: '^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$', default: '#00000000', description: "Padding colour for fit 'contain' (hex, e.g. #ffffff; #00000000 is transparent)" },
      format: { enum: ['same', ...OUTPUT_FORMATS], default: 'same', description: "Output format; 'same' keeps the input's (PNG for formats sharp cannot write, such as SVG)" },
      quality: { type: 'integer', minimum: 1, maximum: 100, default: 80, description: 'Quality of JPEG, WebP, AVIF and TIFF output' },
      autoOrient: { type: 'boolean', default: true, description: 'Rotate/flip by the EXIF orientation, so the output looks as the input is displayed' },
    },
    patternProperties: ENV_VAR_KEYS,
    additionalProperties: false,
  },
  state: (): { loader?: MediaLoader } => ({}),
  setup(ctx) {
    ctx.state.loader = new MediaLoader(ctx.config as ImageTransformConfig);
  },
  async process(input, ctx) {
    const c = ctx.config as ImageTransformConfig;
    const media = await ctx.state.loader!.load(input.in, ctx.signal);
    const { metadata } = await readImage(media.bytes, await detectType(media.bytes));
    const inputFormat = metadata.format as string;
    const format: OutputFormat = c.format !== 'same' ? c.format : (OUTPUT_FORMATS as readonly string[]).includes(inputFormat) ? inputFormat as OutputFormat : 'png';
    const animated = ANIMATED.has(format) && ((metadata.pages as number | undefined) ?? 1) > 1;
    let image = loadSharp()(media.bytes, { animated });
    if (c.autoOrient) image = image.autoOrient();
    if (c.width !== undefined || c.height !== undefined) {
      image = image.resize({ width: c.width, height: c.height, fit: c.fit, withoutEnlargement: c.withoutEnlargement, background: c.background });
    }
    let output: { data: Buffer; info: OutputInfo };
    try {
      output = await image.toFormat(format, LOSSY.has(format) ? { quality: c.quality } : {}).toBuffer({ resolveWithObject: true });
    } catch (err) {
      throw mediaError('MEDIA_CORRUPT', `the ${inputFormat} image cannot be converted to ${format}: ${(err as Error).message}`, 'the image is damaged, or too large for this format');
    }
    const { data, info } = output;
    const type = imageType(info.format);
    ctx.emit('out', {
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      mime: type.mime, ext: type.ext, size: data.byteLength,
      metadata: { format: info.format, width: info.width, height: animated ? info.pageHeight ?? info.height : info.height },
    });
  },
  async teardown(ctx) {
    await ctx.state.loader?.close();
  },
});
