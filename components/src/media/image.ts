// media/ImageInput: images (JPEG, PNG, WebP, GIF, AVIF, HEIF, TIFF, SVG) read with sharp —
// format, dimensions as displayed (EXIF orientation applied), channels, alpha, density, frames.
import { createRequire } from 'node:module';
import type { default as Sharp, Metadata } from 'sharp';

/** sharp (libvips), loaded on first use: registering the component library stays fast. */
export const loadSharp = (): typeof Sharp => createRequire(import.meta.url)('sharp') as typeof Sharp;
import { defineMediaInput, defined, notOfKind, type MediaInputConfig, type MediaType } from './media-input.ts';
import { mediaError } from './source.ts';

/** sharp's format names → MIME types and extensions. */
const FORMATS: Record<string, MediaType> = {
  jpeg: { mime: 'image/jpeg', ext: 'jpg' }, png: { mime: 'image/png', ext: 'png' }, webp: { mime: 'image/webp', ext: 'webp' },
  gif: { mime: 'image/gif', ext: 'gif' }, avif: { mime: 'image/avif', ext: 'avif' }, heif: { mime: 'image/heif', ext: 'heic' },
  tiff: { mime: 'image/tiff', ext: 'tif' }, svg: { mime: 'image/svg+xml', ext: 'svg' },
};

/** The type of a sharp format name. */
export function imageType(format: string): MediaType {
  return FORMATS[format] ?? { mime: `image/${format}`, ext: format };
}

/** Metadata of an image, or MEDIA_UNSUPPORTED / MEDIA_CORRUPT. `type` is what its signature says (if anything). */
export async function readImage(bytes: Uint8Array, type: MediaType | undefined): Promise<{ type: MediaType; metadata: Record<string, unknown> }> {
  if (type && !type.mime.startsWith('image/')) {
    throw notOfKind('image', type, bytes, type.mime.startsWith('video/') ? 'send an image, or use media/VideoInput' : type.mime.startsWith('audio/') ? 'send an image, or use media/AudioInput' : undefined);
  }
  let m: Metadata;
  try {
    m = await loadSharp()(bytes).metadata();
  } catch (err) {
    if (!type) throw notOfKind('image', undefined, bytes);
    throw mediaError('MEDIA_CORRUPT', `the ${type.mime} image cannot be read: ${(err as Error).message}`, 'the file is damaged or truncated; send a complete image');
  }
  const displayed = m.autoOrient ?? { width: m.width, height: m.height };
  return {
    type: m.format ? imageType(m.format) : type!,
    metadata: defined({
      format: m.format,
      width: displayed.width,
      height: displayed.height,
      orientation: m.orientation,
      channels: m.channels,
      space: m.space,
      hasAlpha: m.hasAlpha,
      density: m.density,
      pages: m.pages,
      animated: m.pages !== undefined && m.pages > 1 ? true : undefined,
    }),
  };
}

export const ImageInput = defineMediaInput<MediaInputConfig>({
  name: 'media/ImageInput',
  description: 'Reads an image from bytes, a file path or an http(s) URL, detects its type from its content and emits its bytes, type and metadata '
    + '(format, width and height as displayed, orientation, channels, colour space, alpha, density, frames). Anything that is not an image is refused.',
  icon: 'image',
  kind: 'image',
  metadataDescription: '{format, width, height, orientation?, channels, space, hasAlpha, density?, pages?, animated?}',
  reader: { read: (media, type) => readImage(media.bytes, type) },
});
