// A real HTTP server on 127.0.0.1 for the integration and media tests. Every request is recorded
// (method, path, query, headers, body bytes); tests add routes, and `/echo` answers with what it got.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

export interface TestHttpServer {
  /** `http://127.0.0.1:<port>` (or the host it listens on). */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** Requests to one path, in arrival order. */
  requestsTo(path: string): RecordedRequest[];
  /** Adds (or replaces) the handler of a path. */
  route(path: string, handler: Handler): void;
  /** Resolves when `count` requests reached `path` (for handlers that never answer). */
  waitFor(path: string, count: number): Promise<void>;
  close(): Promise<void>;
}

function query(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}

/** Answers with JSON. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

/** Starts a server on `host` (default 127.0.0.1) and an ephemeral port. */
export async function startHttpServer(host = '127.0.0.1'): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, Handler>();
  const waiters: { path: string; count: number; resolve: () => void }[] = [];
  routes.set('/echo', (req, res) => sendJson(res, 200, {
    method: req.method, path: req.path, query: req.query, headers: req.headers,
    body: req.body.toString('utf8'), bodyBytes: req.body.length,
  }));
  const server: Server = createServer((incoming, res) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://test');
      const req: RecordedRequest = { method: incoming.method ?? 'GET', path: url.pathname, query: query(url), headers: incoming.headers, body: Buffer.concat(chunks) };
      requests.push(req);
      for (const w of waiters) if (w.path === req.path && requests.filter((r) => r.path === w.path).length >= w.count) w.resolve();
      const handler = routes.get(url.pathname);
      if (handler) handler(req, res);
      else sendJson(res, 404, { error: `no route ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    route: (path, handler) => void routes.set(path, handler),
    waitFor: (path, count) => new Promise<void>((resolve) => {
      if (requests.filter((r) => r.path === path).length >= count) resolve();
      else waiters.push({ path, count, resolve });
    }),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
