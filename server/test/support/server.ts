// A real server on 127.0.0.1 (port 0) with its history in a temp dir, and a small fetch client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildServer, type BuildServerOptions } from '../../src/app.ts';
import type { ServerConfig } from '../../src/config.ts';
import { testRegistry } from './actors.ts';

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestServer {
  app: FastifyInstance;
  url: string;
  wsUrl: string;
  dir: string;
  db: string;
  request<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  close(): Promise<void>;
}

export async function startServer(config: Partial<ServerConfig> = {}, options: Omit<BuildServerOptions, 'config'> & { dir?: string } = {}): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'af-server-'));
  const db = join(dir, 'history.db');
  const app = await buildServer({ registry: await testRegistry(), ...options, config: { db, logLevel: 'silent', rateLimitPerMinute: 0, ...config } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closed = false;
  return {
    app, url, wsUrl: `ws://127.0.0.1:${port}/ws`, dir, db,
    async request(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, init);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (e.g. /metrics)
      }
      return { status: res.status, headers: res.headers, body: parsed as any };
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
