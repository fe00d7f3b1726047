// The media input components share one shape (media/ImageInput, media/AudioInput,
// media/VideoInput): media from bytes, a path or a URL; its type detected from its content (not
// its name); media of another kind refused; and out come the bytes, the type and the metadata
// the kind's reader finds (dimensions, duration, codecs…).
import { defineActor, type ActorDefinition } from '@actorflow/network';

import { ENV_VAR_KEYS } from '../integration/checks.ts';
import { MEDIA_SOURCE_PROPERTIES, MediaLoader, mediaError, type LoadedMedia, type MediaOrigin, type MediaSourceConfig } from './source.ts';

export type MediaKind = 'image' | 'audio' | 'video';

/** A type detected from content. */
export interface MediaType {
  mime: string;
  ext: string;
}

/** What an input component emits. */
export interface MediaMessage {
  /** The media itself (unless includeBytes is false). */
  bytes?: Uint8Array;
  mime: string;
  ext: string;
  size: number;
  source: MediaOrigin;
  metadata: Record<string, unknown>;
}

/** Config of every media input component. */
export interface MediaInputConfig extends MediaSourceConfig {
  includeBytes: boolean;
}

/** How one kind of media is read. */
export interface MediaReader<C extends MediaInputConfig> {
  /**
   * Reads the metadata of media whose detected type is `type` (undefined: not recognised by its
   * signature). Throws MEDIA_UNSUPPORTED for media of another kind, MEDIA_CORRUPT for unreadable media.
   */
  read(media: LoadedMedia, type: MediaType | undefined, config: C, signal: AbortSignal): Promise<{ type: MediaType; metadata: Record<string, unknown> }>;
}

/** Leaves out undefined fields (metadata objects list only what the media has). */
export function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The type of some bytes from their signature, or undefined. */
export async function detectType(bytes: Uint8Array): Promise<MediaType | undefined> {
  const { fileTypeFromBuffer } = await import('file-type'); // loaded on first use
  const found = await fileTypeFromBuffer(bytes);
  return found && { mime: found.mime, ext: found.ext };
}

/** MEDIA_UNSUPPORTED for media that is not of `kind`. */
export function notOfKind(kind: MediaKind, type: MediaType | undefined, bytes: Uint8Array, suggestion?: string): Error {
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const what = type ? `${type.mime} (.${type.ext})` : `not a format this node recognises (it starts with ${head || 'nothing'})`;
  return mediaError('MEDIA_UNSUPPORTED', `the input is ${what}, not ${kind === 'image' ? 'an image' : kind}`, suggestion ?? `send ${kind}`);
}

/** Defines a media input component from its reader. */
export function defineMediaInput<C extends MediaInputConfig>(spec: {
  name: string;
  description: string;
  icon: string;
  kind: MediaKind;
  /** Extra config properties of this kind. */
  properties?: Record<string, unknown>;
  reader: MediaReader<C>;
  /** Description of the metadata on `out`. */
  metadataDescription: string;
}): ActorDefinition {
  return defineActor({
    name: spec.name,
    description: spec.description,
    category: 'media',
    icon: spec.icon,
    inports: {
      in: { description: `The ${spec.kind}: bytes (Uint8Array), a file path, an http(s) URL, or {bytes} / {path} / {url}` },
    },
    outports: {
      out: { type: 'object', description: `{bytes?, mime, ext, size, source, metadata}; metadata: ${spec.metadataDescription}` },
      error: { type: 'object', description: 'Failures (codes MEDIA_SOURCE, MEDIA_TOO_LARGE, MEDIA_UNSUPPORTED, MEDIA_CORRUPT, MEDIA_TOOL, HTTP_*, INVALID_INPUT)' },
    },
    config: {
      type: 'object',
      properties: {
        ...MEDIA_SOURCE_PROPERTIES,
        includeBytes: { type: 'boolean', default: true, description: 'Include the media bytes in the output (false: type and metadata only)' },
        ...spec.properties,
      },
      patternProperties: ENV_VAR_KEYS,
      additionalProperties: false,
    },
    state: (): { loader?: MediaLoader } => ({}),
    setup(ctx) {
      ctx.state.loader = new MediaLoader(ctx.config as C);
    },
    async process(input, ctx) {
      const config = ctx.config as C;
      const media = await ctx.state.loader!.load(input.in, ctx.signal);
      const { type, metadata } = await spec.reader.read(media, await detectType(media.bytes), config, ctx.signal);
      const message: MediaMessage = {
        ...(config.includeBytes ? { bytes: media.bytes } : {}),
        mime: type.mime, ext: type.ext, size: media.bytes.byteLength, source: media.origin, metadata,
      };
      ctx.emit('out', message as unknown as Record<string, any>);
    },
    async teardown(ctx) {
      await ctx.state.loader?.close();
    },
  });
}
