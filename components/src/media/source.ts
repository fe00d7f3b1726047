// Where media comes from: bytes in the message, a file path, or an http(s) URL. Files can be held
// inside a root folder (symlinks resolved), downloads go through the integration components'
// HTTP client (timeouts, retries, private-address guard), and both stop at a size limit.
import { realpath, open } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActorflowError, isFlow } from '@actorflow/network';
import { ADDRESS_OR_NETWORK, AddressGuard, parseAddressList } from '../integration/address-guard.ts';
import { describe } from '../integration/checks.ts';
import { HttpClient, statusError } from '../integration/http-client.ts';

/** Config of where media may be read from. */
export interface MediaSourceConfig {
  rootDir?: string;
  maxBytes: number;
  requestTimeoutMs: number;
  blockPrivateAddresses: boolean;
  allowAddresses: string[];
}

/** JSON Schema properties of MediaSourceConfig. */
export const MEDIA_SOURCE_PROPERTIES = {
  rootDir: { type: 'string', minLength: 1, description: 'Folder that file paths are resolved against and must stay inside (symlinks followed); unset: any path the server can read' },
  maxBytes: { type: 'integer', minimum: 1, default: 100 * 1024 * 1024, description: 'Largest input accepted (bytes), from a file, a URL or the message' },
  requestTimeoutMs: { type: 'integer', minimum: 1, maximum: 3_600_000, default: 30_000, description: 'Time limit of a download (per attempt; 2 retries on 429/5xx and network errors)' },
  blockPrivateAddresses: { type: 'boolean', default: true, description: 'Refuse URLs on loopback, private, link-local and other non-public addresses' },
  allowAddresses: { type: 'array', items: ADDRESS_OR_NETWORK, default: [], description: 'Addresses or CIDR networks downloads may reach anyway, e.g. ["127.0.0.1"]' },
};

/** Where the media came from, as the output reports it. */
export type MediaOrigin = { kind: 'bytes' } | { kind: 'file'; path: string } | { kind: 'url'; url: string };

/** Media loaded into memory. */
export interface LoadedMedia {
  bytes: Uint8Array;
  origin: MediaOrigin;
}

/** A media failure with its stable code (MEDIA_SOURCE, MEDIA_TOO_LARGE, MEDIA_UNSUPPORTED, MEDIA_CORRUPT, MEDIA_TOOL). */
export function mediaError(code: string, message: string, hint: string): ActorflowError {
  return new ActorflowError(code, message, hint);
}

const INPUT_HINT = 'send bytes (Uint8Array), a file path, an http(s) URL, or {bytes} / {path} / {url} (the output of another media node works too)';

/** Reads media for one node. Close it in teardown (it holds the download connection pool). */
export class MediaLoader {
  readonly #config: MediaSourceConfig;
  #client: HttpClient | undefined;

  constructor(config: MediaSourceConfig) {
    this.#config = config;
    if (config.blockPrivateAddresses) parseAddressList(config.allowAddresses, 'allowAddresses'); // bad entries fail setup
  }

  /** The media a message points at. */
  async load(message: unknown, signal: AbortSignal): Promise<LoadedMedia> {
    if (message instanceof Uint8Array) return { bytes: this.#checkSize(message, 'the message'), origin: { kind: 'bytes' } };
    if (typeof message === 'string') {
      const text = message.trim();
      if (/^https?:\/\//i.test(text)) return this.#download(text, signal);
      if (/^file:\/\//i.test(text)) return this.#read(fileURLToPath(text));
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
        throw mediaError('MEDIA_SOURCE', `cannot read ${JSON.stringify(text)}: only http(s) and file URLs are supported`, INPUT_HINT);
      }
      if (text === '') throw mediaError('MEDIA_SOURCE', 'the message is an empty string, not a path or URL', INPUT_HINT);
      return this.#read(text);
    }
    if (typeof message === 'object' && message !== null && !isFlow(message) && !Array.isArray(message)) {
      const m = message as { bytes?: unknown; path?: unknown; url?: unknown };
      if (m.bytes instanceof Uint8Array) return this.load(m.bytes, signal);
      if (typeof m.url === 'string') {
        if (!/^https?:\/\//i.test(m.url)) throw mediaError('MEDIA_SOURCE', `url ${JSON.stringify(m.url)} is not an http(s) URL`, INPUT_HINT);
        return this.#download(m.url, signal);
      }
      if (typeof m.path === 'string') return this.#read(m.path);
    }
    throw mediaError('INVALID_INPUT', `expected media, got ${describe(message)}`, INPUT_HINT);
  }

  async close(): Promise<void> {
    await this.#client?.close();
    this.#client = undefined;
  }

  #checkSize<T extends { byteLength: number }>(data: T, what: string): T {
    if (data.byteLength > this.#config.maxBytes) {
      throw mediaError('MEDIA_TOO_LARGE', `${what} is ${data.byteLength} bytes, more than maxBytes (${this.#config.maxBytes})`, 'raise maxBytes, or send smaller media');
    }
    return data;
  }

  /** Reads a file, inside rootDir when one is set. */
  async #read(path: string): Promise<LoadedMedia> {
    const { rootDir } = this.#config;
    let full = rootDir ? resolve(rootDir, path) : resolve(path);
    try {
      full = await realpath(full);
      if (rootDir) {
        const root = await realpath(rootDir);
        if (full !== root && !full.startsWith(root + sep)) {
          throw mediaError('MEDIA_SOURCE', `the path ${JSON.stringify(path)} leads outside rootDir (${rootDir})`, 'read files inside rootDir only');
        }
      }
      const file = await open(full, 'r');
      try {
        const info = await file.stat();
        if (!info.isFile()) throw mediaError('MEDIA_SOURCE', `${full} is not a file`, 'point at a file');
        this.#checkSize({ byteLength: info.size }, `the file ${full}`);
        return { bytes: new Uint8Array(await file.readFile()), origin: { kind: 'file', path: full } };
      } finally {
        await file.close();
      }
    } catch (err) {
      if (err instanceof ActorflowError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw mediaError('MEDIA_SOURCE', `cannot read ${JSON.stringify(path)}${rootDir ? ` in ${rootDir}` : ''}: ${reason}`,
        rootDir || isAbsolute(path) ? 'check the path' : `relative paths resolve against the server's working folder (${process.cwd()}); set rootDir or use an absolute path`);
    }
  }

  async #download(url: string, signal: AbortSignal): Promise<LoadedMedia> {
    const c = this.#config;
    this.#client ??= new HttpClient({
      guard: c.blockPrivateAddresses ? new AddressGuard({ blockPrivateAddresses: true, allowAddresses: parseAddressList(c.allowAddresses, 'allowAddresses') }) : null,
      requestTimeoutMs: c.requestTimeoutMs, maxRetries: 2, retryBackoffMs: 500, retryMaxBackoffMs: 10_000,
      retryStatuses: [408, 429, 500, 502, 503, 504], retryMethods: ['GET'], maxRetryAfterMs: 60_000,
      redirect: 'follow', maxRedirects: 10, maxResponseBytes: c.maxBytes,
    });
    const request = { method: 'GET', url: new URL(url), headers: new Headers({ accept: 'image/*, audio/*, video/*, */*;q=0.5' }) };
    const response = await this.#client.send(request, 'binary', signal);
    if (!response.ok) throw statusError(request, response);
    return { bytes: response.body as Uint8Array, origin: { kind: 'url', url: response.url } };
  }
}
