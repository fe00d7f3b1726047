// Zeal bridge configuration: the four ZEAL_* settings plus tunables with production defaults.
import { ActorflowError } from '@actorflow/network';

/** Tunables of the HTTP trace pipeline. */
export interface TraceTuning {
  /** Events per `/events` request (Zeal's and Reflow's batch size). */
  batchSize: number;
  /** A partial batch is sent after this long. */
  flushIntervalMs: number;
  /** Events buffered per run while Zeal is slow or down; beyond this the oldest are dropped and counted. */
  bufferSize: number;
  /** Requests in flight per run. */
  concurrency: number;
  /** Attempts per request (first included) before its events count as dropped. */
  attempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  /** Values (log data) up to this many bytes of JSON are sent as the row's preview; larger ones are cut. */
  previewBytes: number;
}

/** Tunables of the Socket.IO live channel. */
export interface ZipTuning {
  /** Messages queued per workflow connection while disconnected or waiting for acks. */
  outboxSize: number;
  /** Runtime events sent and not yet acknowledged before the connection holds back. */
  ackWindow: number;
  /** Binary stream bytes queued per connection before frames are dropped. */
  frameBufferBytes: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** How long `auth` may wait for `auth.success` before the attempt counts as failed. */
  authTimeoutMs: number;
}

export interface ZealConfig {
  /** REST base of the Zeal app (`ZEAL_URL`, e.g. http://127.0.0.1:3000); traces and templates are off without it. */
  restUrl: string | undefined;
  /** Socket.IO origin of ZIP (`ZEAL_ZIP_URL`; default: the REST host on port 3001). */
  zipUrl: string | undefined;
  /** Socket.IO path of ZIP (the path of `ZEAL_ZIP_URL` when it has one; default `/zip/events`). */
  zipPath: string;
  /** Sent as `Authorization: Bearer` on REST calls and in the socket handshake (`ZEAL_API_KEY`). */
  apiKey: string | undefined;
  /** Template namespace (`ZEAL_NAMESPACE`, default `actorflow`): Zeal stores templates as `<ns>/<id>`. */
  namespace: string;
  /** Workflows whose Execute button this server answers (`ZEAL_WORKFLOWS`, comma separated). */
  workflows: string[];
  /** Register every registry component as a Zeal template at start (needs `restUrl`). */
  registerTemplates: boolean;
  /** How long a finished run's bridge may take to flush before its leftovers count as dropped. */
  finishTimeoutMs: number;
  /**
   * Node activity is read from the network's statistics once per window of this length: each
   * active node gets a few live events and trace rows per window, however often it fires.
   */
  windowMs: number;
  /** Events (failures, logs, drops, streams) the network's hub may hold for a run's bridge before dropping them (counted). */
  bridgeBufferSize: number;
  trace: TraceTuning;
  zip: ZipTuning;
}

export const DEFAULT_TRACE_TUNING: TraceTuning = {
  batchSize: 50, flushIntervalMs: 1000, bufferSize: 10_000, concurrency: 2, attempts: 4,
  retryBaseMs: 250, retryMaxMs: 5000, requestTimeoutMs: 10_000, previewBytes: 1024,
};

export const DEFAULT_ZIP_TUNING: ZipTuning = {
  outboxSize: 2000, ackWindow: 500, frameBufferBytes: 8 * 1024 * 1024,
  reconnectBaseMs: 500, reconnectMaxMs: 10_000, authTimeoutMs: 10_000,
};

/** Raised for a bad ZEAL_* setting. */
export class ZealConfigError extends ActorflowError {
  override name = 'ZealConfigError';
  constructor(message: string, hint: string) {
    super('INVALID_CONFIG', message, hint);
  }
}

function parseUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ZealConfigError(`${name}='${value}' is not a URL`, `give a full URL, e.g. ${name}=http://127.0.0.1:${name === 'ZEAL_URL' ? 3000 : 3001}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ZealConfigError(`${name}='${value}' must use http or https`, 'Zeal speaks HTTP (REST) and Socket.IO over HTTP');
  }
  return url;
}

export interface ZealSettings {
  ZEAL_URL?: string;
  ZEAL_ZIP_URL?: string;
  ZEAL_API_KEY?: string;
  ZEAL_NAMESPACE?: string;
  ZEAL_WORKFLOWS?: string;
}

/** Overrides accepted on top of the ZEAL_* settings (tests, benchmarks, embedding). */
export interface ZealConfigOverrides {
  registerTemplates?: boolean;
  finishTimeoutMs?: number;
  windowMs?: number;
  bridgeBufferSize?: number;
  trace?: Partial<TraceTuning>;
  zip?: Partial<ZipTuning>;
}

/**
 * Builds the bridge configuration from the ZEAL_* settings (an env-like record). Empty strings
 * count as unset. Throws ZealConfigError naming the bad setting.
 */
export function resolveZealConfig(settings: ZealSettings | Readonly<Record<string, string | undefined>>, overrides: ZealConfigOverrides = {}): ZealConfig {
  const get = (key: keyof ZealSettings) => {
    const v = (settings as Record<string, string | undefined>)[key]?.trim();
    return v ? v : undefined;
  };
  const rest = get('ZEAL_URL');
  const restUrl = rest ? parseUrl('ZEAL_URL', rest) : undefined;
  const zip = get('ZEAL_ZIP_URL');
  let zipUrl: string | undefined;
  let zipPath = '/zip/events';
  if (zip) {
    const u = parseUrl('ZEAL_ZIP_URL', zip);
    if (u.pathname !== '/' && u.pathname !== '') zipPath = u.pathname.replace(/\/+$/, '');
    zipUrl = u.origin;
  } else if (restUrl) {
    const u = new URL(restUrl.origin);
    u.port = '3001';
    zipUrl = u.origin;
  }
  const namespace = get('ZEAL_NAMESPACE') ?? 'actorflow';
  if (/\s/.test(namespace)) {
    throw new ZealConfigError(`ZEAL_NAMESPACE='${namespace}' contains whitespace`, 'use a short identifier such as actorflow');
  }
  const workflows = (get('ZEAL_WORKFLOWS') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const config: ZealConfig = {
    restUrl: restUrl ? restUrl.href.replace(/\/+$/, '') : undefined,
    zipUrl,
    zipPath,
    apiKey: get('ZEAL_API_KEY'),
    namespace,
    workflows: [...new Set(workflows)],
    registerTemplates: overrides.registerTemplates ?? restUrl !== undefined,
    finishTimeoutMs: overrides.finishTimeoutMs ?? 10_000,
    windowMs: overrides.windowMs ?? 100,
    bridgeBufferSize: overrides.bridgeBufferSize ?? 10_000,
    trace: { ...DEFAULT_TRACE_TUNING, ...overrides.trace },
    zip: { ...DEFAULT_ZIP_TUNING, ...overrides.zip },
  };
  checkTuning(config);
  return config;
}

function checkTuning(config: ZealConfig): void {
  const positive: [string, number][] = [
    ['trace.batchSize', config.trace.batchSize], ['trace.bufferSize', config.trace.bufferSize],
    ['trace.concurrency', config.trace.concurrency], ['trace.attempts', config.trace.attempts],
    ['zip.outboxSize', config.zip.outboxSize], ['zip.ackWindow', config.zip.ackWindow],
    ['windowMs', config.windowMs], ['bridgeBufferSize', config.bridgeBufferSize],
  ];
  for (const [name, value] of positive) {
    if (!Number.isInteger(value) || value < 1) throw new ZealConfigError(`${name} must be a positive integer (got ${value})`, 'fix the override');
  }
}
