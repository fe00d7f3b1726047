// Outbound webhooks: each terminal event of a run is POSTed to the run's `webhook_url` with
// Reflow's headers (X-Reflow-Event-Type, X-Reflow-Execution-ID, X-Reflow-Workflow-ID) plus the
// run's own headers. Failures (network errors, timeouts, 408/425/429/5xx) are retried with
// exponential backoff and jitter, honouring Retry-After; other 4xx answers are final.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';

export interface WebhookOptions {
  /** Attempts per event, the first included. */
  attempts: number;
  /** Delay before the first retry; doubled for each further retry. */
  backoffMs: number;
  /** Upper bound of one delay. */
  maxBackoffMs: number;
  /** Timeout of one attempt. */
  timeoutMs: number;
  logger: FastifyBaseLogger;
}

export interface WebhookTarget {
  url: string;
  headers: Record<string, string>;
}

/** Reflow's WorkflowEvent, the body of every webhook. */
export interface WorkflowEvent {
  workflow_id: string | null;
  execution_id: string;
  event_type: string;
  timestamp: number;
  data: unknown;
}

export interface DeliveryOutcome {
  delivered: boolean;
  attempts: number;
  lastError: string | null;
}

const RETRYABLE = new Set([408, 425, 429]);

function retryAfterMs(header: string | null): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : 0;
}

export class WebhookDispatcher {
  readonly #options: WebhookOptions;
  readonly #inFlight = new Set<Promise<DeliveryOutcome>>();
  readonly #abort = new AbortController();

  constructor(options: WebhookOptions) {
    this.#options = options;
  }

  /** Deliveries not finished yet. */
  get pending(): number {
    return this.#inFlight.size;
  }

  /** Delivers one event, retrying as configured; never rejects. */
  deliver(target: WebhookTarget, event: WorkflowEvent): Promise<DeliveryOutcome> {
    const delivery = this.#deliver(target, event);
    this.#inFlight.add(delivery);
    void delivery.finally(() => this.#inFlight.delete(delivery));
    return delivery;
  }

  async #deliver(target: WebhookTarget, event: WorkflowEvent): Promise<DeliveryOutcome> {
    const { attempts, backoffMs, maxBackoffMs, timeoutMs, logger } = this.#options;
    const body = JSON.stringify(event);
    const headers: Record<string, string> = {
      ...target.headers,
      'content-type': 'application/json',
      'user-agent': 'actorflow-webhook',
      'X-Reflow-Event-Type': event.event_type,
      'X-Reflow-Execution-ID': event.execution_id,
      'X-Reflow-Workflow-ID': event.workflow_id ?? '',
    };
    const log = logger.child({ run_id: event.execution_id });
    let lastError: string | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let retryAfter = 0;
      try {
        const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(timeoutMs)]);
        const res = await fetch(target.url, { method: 'POST', headers, body, signal, redirect: 'manual' });
        await res.body?.cancel();
        if (res.ok) {
          log.debug({ event_type: event.event_type, attempt }, 'webhook delivered');
          return { delivered: true, attempts: attempt, lastError: null };
        }
        lastError = `HTTP ${res.status}`;
        if (res.status < 500 && !RETRYABLE.has(res.status)) return this.#giveUp(log, event, attempt, lastError);
        retryAfter = retryAfterMs(res.headers.get('retry-after'));
      } catch (err) {
        lastError = this.#abort.signal.aborted ? 'server shutting down' : (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
      }
      if (attempt === attempts || this.#abort.signal.aborted) return this.#giveUp(log, event, attempt, lastError);
      const exponential = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
      const delay = Math.min(maxBackoffMs, Math.max(retryAfter, exponential * (0.8 + Math.random() * 0.4)));
      log.warn({ event_type: event.event_type, attempt, error: lastError, retry_in_ms: Math.round(delay) }, 'webhook delivery failed; retrying');
      try {
        await sleep(delay, undefined, { signal: this.#abort.signal });
      } catch {
        return this.#giveUp(log, event, attempt, 'server shutting down');
      }
    }
    return this.#giveUp(log, event, attempts, lastError);
  }

  #giveUp(log: FastifyBaseLogger, event: WorkflowEvent, attempts: number, lastError: string | null): DeliveryOutcome {
    log.error({ event_type: event.event_type, attempts, error: lastError }, 'webhook delivery failed; giving up');
    return { delivered: false, attempts, lastError };
  }

  /** Waits up to `graceMs` for deliveries in flight, then abandons the rest (no more retries). */
  async drain(graceMs: number): Promise<void> {
    if (this.#inFlight.size > 0) {
      const timer = sleep(graceMs, undefined, { ref: false });
      await Promise.race([Promise.all(this.#inFlight), timer]);
    }
    this.#abort.abort();
    await Promise.all(this.#inFlight);
  }
}
