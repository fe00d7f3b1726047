// Retention: finished runs beyond the configured age or count are deleted at start (the server
// answers requests other than /health once that is done) and then every few minutes (the timer never keeps the process alive; the deletes run on the writer thread).
import type { FastifyBaseLogger } from 'fastify';
import type { HistoryStore, RetentionPolicy } from './store.ts';

/** How often retention runs after the first time. */
export const RETENTION_INTERVAL_MS = 5 * 60_000;

/** The scheduled retention: the first pass (running now) and how to stop the rest. */
export interface Retention {
  firstPass: Promise<void>;
  stop(): void;
}

/** Prunes now (in the background: see `firstPass`) and then every RETENTION_INTERVAL_MS. */
export function scheduleRetention(history: HistoryStore, policy: RetentionPolicy, log: FastifyBaseLogger): Retention {
  if (policy.maxAgeMs <= 0 && policy.maxRuns <= 0) return { firstPass: Promise.resolve(), stop: () => undefined };
  const prune = async () => {
    if (history.closed) return;
    try {
      const deleted = await history.prune(policy);
      if (deleted > 0) log.info({ deleted, max_age_ms: policy.maxAgeMs, max_runs: policy.maxRuns }, 'retention: deleted old runs');
    } catch (err) {
      if (!history.closed) log.error({ err }, 'retention failed');
    }
  };
  const firstPass = prune();
  const timer = setInterval(() => void prune(), RETENTION_INTERVAL_MS);
  timer.unref();
  return { firstPass, stop: () => clearInterval(timer) };
}
