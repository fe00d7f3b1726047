// A running Python host as the engine sees it: three pipes, a hard kill and its exit. Local hosts
// are child processes (below); Docker hosts are containers (../docker/) with the same shape.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { HostCommand } from './sandbox.ts';

export interface HostExit {
  /** Exit status, when it exited. */
  code: number | null;
  /** The signal that ended it (SIGKILL, SIGSEGV, …). */
  signal: string | null;
  /** The kernel / container runtime killed it for exceeding its memory limit. */
  oomKilled?: boolean;
  /** It could not be started at all. */
  error?: Error;
}

export interface HostProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles once the process is gone and its output is drained. Never rejects. */
  readonly exited: Promise<HostExit>;
  /** Hard kill (SIGKILL of the whole process group / the container). Idempotent. */
  kill(): void;
}

/** Starts a local host (prlimit + sandbox + python) in its own process group. */
export function spawnHostProcess(command: HostCommand): HostProcess {
  const child = spawn(command.command, command.args, {
    stdio: ['pipe', 'pipe', 'pipe'], env: command.env, cwd: command.cwd, detached: true,
  });
  let closed = false;   // 'close': the process exited and every holder of its pipes (forked children) is gone
  const exited = new Promise<HostExit>((resolve) => {
    child.once('error', (error) => { closed = true; resolve({ code: null, signal: null, error }); });
    child.once('close', (code, signal) => { closed = true; resolve({ code, signal }); });
  });
  child.stdin.on('error', () => { /* EPIPE after the host died: reported through `exited` */ });
  return {
    stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited,
    kill() {
      if (child.pid === undefined || closed) return;
      try {
        process.kill(-child.pid, 'SIGKILL');   // the whole group: forked children die too
      } catch {
        child.kill('SIGKILL');
      }
    },
  };
}
