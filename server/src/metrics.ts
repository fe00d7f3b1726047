// Prometheus metrics (text format at GET /metrics): runs by status, run durations, queue depth,
// messages per second, HTTP requests, WebSocket clients and drops, webhook deliveries, plus the
// process defaults (memory, CPU, event-loop lag). Runs are observed through the engine's hook API.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ExecutionEngine } from './engine/engine.ts';
import { isTerminal, RUN_STATUSES } from './run-record.ts';

/** Seconds of history behind `actorflow_messages_per_second`. */
const RATE_WINDOW = 10;

export class ServerMetrics {
  readonly registry = new Registry();
  readonly runsFinished: Counter<'status' | 'source'>;
  readonly runDuration: Histogram<'status'>;
  readonly messages: Counter;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly wsClients: Gauge;
  readonly wsDropped: Counter;
  readonly wsSlowDisconnects: Counter;
  readonly webhookDeliveries: Counter<'outcome'>;
  readonly #samples: { at: number; messages: number }[] = [];
  #finishedMessages = 0;
  #sampler: NodeJS.Timeout | null = null;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.runsFinished = new Counter({ name: 'actorflow_runs_total', help: 'Finished runs by final status and source', labelNames: ['status', 'source'], registers });
    this.runDuration = new Histogram({
      name: 'actorflow_run_duration_seconds', help: 'Run duration from start to finish', labelNames: ['status'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    });
    this.messages = new Counter({ name: 'actorflow_messages_total', help: 'Messages delivered between actors (counted when a run finishes)', registers });
    this.httpRequests = new Counter({ name: 'actorflow_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers });
    this.wsClients = new Gauge({ name: 'actorflow_ws_clients', help: 'Connected /ws clients', registers });
    this.wsDropped = new Counter({ name: 'actorflow_ws_dropped_messages_total', help: 'Messages not sent to slow /ws clients', registers });
    this.wsSlowDisconnects = new Counter({ name: 'actorflow_ws_slow_disconnects_total', help: '/ws clients disconnected for being too slow', registers });
    this.webhookDeliveries = new Counter({ name: 'actorflow_webhook_deliveries_total', help: 'Webhook events by outcome (delivered | failed)', labelNames: ['outcome'], registers });
  }

  /** Observes the engine's runs (and samples live message counts each second). */
  observe(engine: ExecutionEngine): void {
    const registers = [this.registry];
    new Gauge({
      name: 'actorflow_runs', help: 'Runs queued or running now', labelNames: ['status'], registers,
      collect() {
        const { queued, running } = engine.counts();
        this.set({ status: 'Queued' }, queued);
        this.set({ status: 'Running' }, running);
      },
    });
    new Gauge({ name: 'actorflow_queue_depth', help: 'Runs waiting for a free slot', registers, collect() { this.set(engine.counts().queued); } });
    const samples = this.#samples;
    new Gauge({
      name: 'actorflow_messages_per_second', help: `Messages delivered per second over the last ${RATE_WINDOW} s (running runs included)`, registers,
      collect() {
        const first = samples[0];
        const last = samples[samples.length - 1];
        this.set(first && last && last.at > first.at ? ((last.messages - first.messages) * 1000) / (last.at - first.at) : 0);
      },
    });
    engine.onExecution((exec) => {
      exec.onStatus((status, e) => {
        if (!isTerminal(status)) return;
        const r = e.record();
        this.runsFinished.inc({ status, source: r.source });
        if (r.startedAt !== null && r.finishedAt !== null) this.runDuration.observe({ status }, (r.finishedAt - r.startedAt) / 1000);
        const delivered = r.stats?.messages ?? 0;
        this.messages.inc(delivered);
        this.#finishedMessages += delivered;
      });
    });
    for (const status of RUN_STATUSES) if (isTerminal(status)) this.runDuration.zero({ status });
    this.#sampler = setInterval(() => {
      let live = 0;
      for (const exec of engine.active()) live += exec.network?.stats().messages ?? 0;
      samples.push({ at: Date.now(), messages: this.#finishedMessages + live });
      if (samples.length > RATE_WINDOW + 1) samples.shift();
    }, 1000);
    this.#sampler.unref();
  }

  /** Counts one webhook event's outcome. */
  webhook(delivered: boolean): void {
    this.webhookDeliveries.inc({ outcome: delivered ? 'delivered' : 'failed' });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    if (this.#sampler) clearInterval(this.#sampler);
  }
}
