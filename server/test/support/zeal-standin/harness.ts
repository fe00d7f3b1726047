// Runs a graph on a real Network with the Zeal bridge following it, or the whole server with the
// Zeal plugin, for the bridge's tests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Network, type ComponentRegistry, type Graph, type RunResult } from '@actorflow/network';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/app.ts';
import type { ServerConfig } from '../../../src/config.ts';
import type { BridgeReport } from '../../../src/zeal/event-bridge.ts';
import type { ObservedRun, ZealIntegration } from '../../../src/zeal/integration.ts';
import { outcomeOf } from '../../../src/zeal/run.ts';
import type { TraceReport } from '../../../src/zeal/trace-collector.ts';
import type { ZipReport } from '../../../src/zeal/zip-session.ts';

let counter = 0;

export interface FollowedRun {
  id: string;
  net: Network;
  observed: ObservedRun;
  /** The run's result (the bridge still finishing in the background). */
  result: RunResult;
  /** The bridge's report, once it finished. */
  finished: Promise<BridgeReport>;
}

/** Runs `graph` (a Graph or a Zeal workflow to convert) followed by the bridge. */
export async function runFollowed(integration: ZealIntegration, registry: ComponentRegistry, graph: Graph | object, options: { id?: string; metadata?: Record<string, unknown>; source?: string } = {}): Promise<FollowedRun> {
  const g = 'nodes' in graph && graph.nodes instanceof Map ? graph as Graph : integration.convert(graph).graph;
  const net = await Network.create(g, { registry });
  const id = options.id ?? `run-${++counter}`;
  const observed = integration.observe({ id, source: options.source ?? 'rest', graph: net.graph, events: net.events, stats: () => net.stats(), ...(options.metadata ? { metadata: options.metadata } : {}) });
  assert.ok(observed, 'the bridge follows the run');
  const result = await net.run();
  return { id, net, observed, result, finished: observed.finish(outcomeOf(result), result.stats) };
}

/** The trace sink's part of a bridge report. */
export function traceOf(report: BridgeReport): TraceReport {
  assert.ok(report.sinks.trace, 'the run was traced');
  return report.sinks.trace as TraceReport;
}

/** The live (ZIP) sink's part of a bridge report. */
export function zipOf(report: BridgeReport): ZipReport {
  assert.ok(report.sinks.zip, 'the run was sent live');
  return report.sinks.zip as ZipReport;
}

export interface ZealApp {
  app: FastifyInstance;
  url: string;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** The real Actorflow server (history in a temp dir; the Zeal bridge configured by `zeal`) on 127.0.0.1. */
export async function startZealApp(registry: ComponentRegistry, zeal: Pick<Partial<ServerConfig>, 'zealUrl' | 'zealZipUrl' | 'zealApiKey' | 'zealNamespace' | 'zealWorkflows'>): Promise<ZealApp> {
  const dir = mkdtempSync(join(tmpdir(), 'af-zeal-'));
  const app = await buildServer({ registry, config: { db: join(dir, 'history.db'), logLevel: 'silent', rateLimitPerMinute: 0, ...zeal } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app, url,
    async request(method, path, body) {
      const res = await fetch(url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
      return { status: res.status, body: await res.json() as unknown };
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
