// Retention: finished runs beyond the configured age or count are deleted at start and then
// every few minutes (the timer never keeps the process alive; the deletes run on the writer thread).
import type { FastifyBaseLogger } from 'fastify';
import type { HistoryStore, RetentionPolicy } from './store.ts';

/** How often retention runs after the first time. */
export const RETENTION_INTERVAL_MS = 5 * 60_000;

/** Prunes now (resolving once done) and then every RETENTION_INTERVAL_MS; resolves with the function that stops it. */
export async function scheduleRetention(history: HistoryStore, policy: RetentionPolicy, log: FastifyBaseLogger): Promise<() => void> {
  if (policy.maxAgeMs <= 0 && policy.maxRuns <= 0) return () => undefined;
  const prune = async () => {
    if (history.closed) return;
    try {
      const deleted = await history.prune(policy);
      if (deleted > 0) log.info({ deleted, max_age_ms: policy.maxAgeMs, max_runs: policy.maxRuns }, 'retention: deleted old runs');
    } catch (err) {
      if (!history.closed) log.error({ err }, 'retention failed');
    }
  };
  await prune();
  const timer = setInterval(() => void prune(), RETENTION_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
