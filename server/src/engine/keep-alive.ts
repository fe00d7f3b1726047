// Long-lived runs (the FBP protocol's networks): like Network.run, but the network stays up when
// it goes idle, taking further input through `network.send()`, until the run is cancelled, times
// out or the network fails. The result has the shape Network.run gives.
import { errorInfo, type Network, type RunOptions, type RunResult } from '@actorflow/network';

export async function runUntilStopped(net: Network, options: RunOptions = {}): Promise<RunResult> {
  const { signal, timeoutMs } = options;
  let outcome = 'completed' as RunResult['status'];
  let failure: unknown = null;
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const stopWith = (status: RunResult['status']) => {
    if (outcome === 'completed') outcome = status;
    end();
  };
  const onAbort = () => stopWith('cancelled');
  signal?.addEventListener('abort', onAbort, { once: true });
  // The network stops itself when an actor fails under onError 'stop'.
  net.signal.addEventListener('abort', end, { once: true });
  const timer = timeoutMs !== undefined ? setTimeout(() => stopWith('timeout'), timeoutMs) : undefined;
  try {
    if (signal?.aborted) onAbort();
    else {
      await net.start();
      for (const [port, value] of Object.entries(options.input ?? {})) {
        if (!net.send(port, value)) await net.drained(port);
      }
      await ended;
    }
  } catch (err) {
    failure = err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    net.signal.removeEventListener('abort', end);
    clearTimeout(timer);
  }
  await net.stop(outcome === 'timeout' ? 'timeout' : 'stopped');
  const finishedAt = Date.now();
  const startedAt = net.startedAt ?? finishedAt;
  const failed = net.failure ?? (failure !== null ? errorInfo(failure) : undefined);
  const errors = net.errors();
  if (failed && !errors.some((e) => !e.handled)) errors.push({ actorId: '', component: '', error: failed, timestamp: finishedAt, handled: false });
  return {
    status: failed ? 'failed' : outcome, results: net.results(), errors, stats: net.stats(),
    startedAt, finishedAt, durationMs: finishedAt - startedAt, attempts: 1,
  };
}
