// Host capabilities a JavaScript node may be granted. A script gets nothing from the host by
// default (no Node APIs, no network, no timers, no console); each grant below is opt-in per node
// (`grants` in the node config) and documented here:
//
//   console: true
//     `console.log/info/debug/warn/error` write to the node's log (ActorLog events), counted
//     against limits.maxOutputBytes. (`log.info(...)` is always available through the contract.)
//
//   fetch: { hosts: ['api.example.com', '127.0.0.1:8080'], timeoutMs?: 10000, maxResponseBytes?: 1048576 }
//     A global `fetch(url, { method, headers, body })` that reaches only the listed hosts
//     (`host` allows any port, `host:port` only that port), over http/https, without following
//     redirects (a 3xx is returned to the script). The response offers ok, status, statusText,
//     url, headers.get/has, text() and json(). Requests still running when the call ends are aborted.
import { ScriptError } from '../engine.ts';

export interface FetchGrant {
  hosts: string[];
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface JavaScriptGrants {
  console?: boolean;
  fetch?: FetchGrant;
}

const KNOWN = ['console', 'fetch'];

/** Checks a node's `grants` and returns them typed; unknown or malformed grants are SCRIPT_CONFIG errors. */
export function parseGrants(raw: Record<string, unknown> | undefined, nodeId: string): JavaScriptGrants {
  if (raw === undefined) return {};
  const bad = (what: string, hint: string) => new ScriptError('SCRIPT_CONFIG', `node '${nodeId}': ${what}`, hint);
  for (const key of Object.keys(raw)) {
    if (!KNOWN.includes(key)) throw bad(`unknown grant '${key}'`, `JavaScript grants are: ${KNOWN.join(', ')}`);
  }
  const grants: JavaScriptGrants = {};
  if (raw.console !== undefined) {
    if (typeof raw.console !== 'boolean') throw bad('grants.console must be true or false', 'grants: { console: true }');
    grants.console = raw.console;
  }
  if (raw.fetch !== undefined) {
    const f = raw.fetch as Partial<FetchGrant> | null;
    if (typeof f !== 'object' || f === null || !Array.isArray(f.hosts) || f.hosts.length === 0 || !f.hosts.every((h) => typeof h === 'string' && h.length > 0)) {
      throw bad('grants.fetch needs a non-empty list of hosts', "grants: { fetch: { hosts: ['api.example.com', '127.0.0.1:8080'] } }");
    }
    for (const key of ['timeoutMs', 'maxResponseBytes'] as const) {
      if (f[key] !== undefined && !(typeof f[key] === 'number' && f[key] > 0)) throw bad(`grants.fetch.${key} must be a positive number`, `remove it to use the default`);
    }
    grants.fetch = { hosts: f.hosts.map((h) => h.toLowerCase()), ...(f.timeoutMs ? { timeoutMs: f.timeoutMs } : {}), ...(f.maxResponseBytes ? { maxResponseBytes: f.maxResponseBytes } : {}) };
  }
  return grants;
}

/** What the sandbox asks for. */
interface FetchRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The response a granted fetch hands back into the sandbox (as JSON). */
interface FetchReply {
  status: number;
  statusText: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The host side of the fetch grant: parses the sandbox's request, enforces the host allow-list,
 * the time limit and the response size cap, and returns the response (or the failure) as JSON text.
 */
export function createGrantedFetch(grant: FetchGrant, callSignal: () => AbortSignal): (requestJson: string) => Promise<string> {
  const timeoutMs = grant.timeoutMs ?? 10_000;
  const maxBytes = grant.maxResponseBytes ?? 1024 * 1024;
  const fetchFor = async (req: FetchRequest): Promise<FetchReply> => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new TypeError(`fetch: '${req.url}' is not an absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`fetch: only http and https URLs are allowed, not ${url.protocol}`);
    const host = url.host.toLowerCase();
    if (!grant.hosts.includes(host) && !grant.hosts.includes(url.hostname.toLowerCase())) {
      throw new Error(`fetch: host '${host}' is not granted to this node (granted: ${grant.hosts.join(', ')})`);
    }
    if (req.body !== undefined && req.body !== null && typeof req.body !== 'string') throw new TypeError('fetch: body must be a string (JSON.stringify objects first)');
    const signal = AbortSignal.any([callSignal(), AbortSignal.timeout(timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(url, {
        method: req.method ?? 'GET', redirect: 'manual', signal,
        ...(req.headers ? { headers: req.headers } : {}), ...(typeof req.body === 'string' ? { body: req.body } : {}),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      throw new Error(`fetch ${url.href} failed: ${cause?.message ?? (error as Error).message}`, { cause: error });
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        size += chunk.byteLength;
        if (size > maxBytes) break; // leaving the loop cancels the body
        chunks.push(chunk);
      }
    }
    if (size > maxBytes) throw new Error(`fetch ${url.href}: the response is larger than ${maxBytes} bytes (grants.fetch.maxResponseBytes)`);
    return {
      status: response.status, statusText: response.statusText, url: url.href,
      headers: Object.fromEntries(response.headers), body: Buffer.concat(chunks).toString('utf8'),
    };
  };
  // Never rejects: a failure travels as { error } and the sandbox throws it, so no host promise is left unhandled.
  return async (requestJson) => {
    try {
      return JSON.stringify(await fetchFor(JSON.parse(requestJson) as FetchRequest));
    } catch (error) {
      const err = error as Error;
      return JSON.stringify({ error: { name: err.name === 'TypeError' ? 'TypeError' : 'Error', message: err.message } });
    }
  };
}
