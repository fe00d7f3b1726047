// The process sandbox of a Python host outside Docker. Three levels, the best one available wins:
//
//  bwrap    bubblewrap: a new mount, pid, network, ipc and uts namespace whose filesystem is only
//           /usr (read-only), the host program, an empty /tmp, /proc and /dev. No network at all.
//  unshare  util-linux unshare: new pid, network, ipc and uts namespaces (no network), but the
//           host's filesystem stays visible (read access as the sandbox user allows).
//  prlimit  resource limits only: no filesystem or network isolation.
//
// Always: prlimit limits (address space, CPU seconds, open files, processes, file size, no core
// dumps) and, when Actorflow runs as root, a dedicated unprivileged uid per node (setpriv), without
// which the process limit would not apply (the kernel does not enforce RLIMIT_NPROC for root) and
// root-only files would be readable.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScriptError } from '../engine.ts';
import { processAlive } from '../process-alive.ts';

const run = promisify(execFile);

export type SandboxKind = 'bwrap' | 'unshare' | 'prlimit';

/** What this machine offers, probed once per process. */
export interface SandboxSupport {
  /** The strongest sandbox that works here. */
  best: SandboxKind;
  available: Record<SandboxKind, boolean>;
  /** Whether hosts run as a dedicated unprivileged uid (needs root and setpriv). */
  dropsPrivileges: boolean;
  /** Why a stronger level is unavailable (for logs and test output). */
  notes: string[];
}

let support: Promise<SandboxSupport> | undefined;

async function works(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args, { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** Probes prlimit, bwrap, unshare and setpriv by running them (cached). */
export function detectSandbox(): Promise<SandboxSupport> {
  support ??= (async () => {
    const [prlimit, bwrap, unshare, setpriv] = await Promise.all([
      works('prlimit', ['--nofile=64', '--', 'true']),
      works('bwrap', ['--ro-bind', '/', '/', '--unshare-net', '--unshare-pid', '--unshare-ipc', '--die-with-parent', '--', 'true']),
      works('unshare', ['--net', '--pid', '--ipc', '--uts', '--fork', '--kill-child', '--', 'true']),
      works('setpriv', ['--reuid=0', '--', 'true']),
    ]);
    const notes: string[] = [];
    if (!prlimit) notes.push('prlimit (util-linux) is missing: Python actors cannot run');
    if (!bwrap) notes.push('bwrap is not usable (install Debian bubblewrap: scripts/services.d/bubblewrap.sh): no filesystem isolation');
    if (!unshare) notes.push('unshare --net --pid is not permitted here (needs root or user namespaces)');
    const root = process.getuid?.() === 0;
    if (!root) notes.push('not running as root: hosts keep the server\'s uid, so RLIMIT_NPROC counts all of its processes');
    else if (!setpriv) notes.push('setpriv is missing: hosts run as root and RLIMIT_NPROC is not enforced');
    const best: SandboxKind = bwrap ? 'bwrap' : unshare ? 'unshare' : 'prlimit';
    return { best, available: { bwrap, unshare, prlimit }, dropsPrivileges: root && setpriv, notes };
  })();
  return support;
}

/** Resource limits applied to one host process. */
export interface ProcessLimits {
  memoryMb: number;
  /** CPU seconds for the host's whole life: at `soft` it asks to be replaced, at `hard` the kernel kills it. */
  cpuSeconds: { soft: number; hard: number };
  openFiles: number;
  processes: number;
  fileSizeMb: number;
}

export interface HostCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Where the host program is inside the bwrap sandbox. */
const HOST_PATH_IN_SANDBOX = '/actorflow/actor_host.py';

/**
 * The command line that starts one host under `kind`: prlimit, then the namespace tool, then the
 * uid drop, then `python -I -S actor_host.py serve`. The environment is empty but for PATH and LANG:
 * the server's variables (credentials) never reach a script.
 */
export function hostCommand(options: {
  kind: SandboxKind; uid: number | undefined; limits: ProcessLimits;
  python: { executable: string; prefix: string }; hostProgram: string; sitePackages: boolean;
}): HostCommand {
  const { kind, uid, limits, python, hostProgram } = options;
  const mb = 1024 * 1024;
  const args = [
    `--as=${limits.memoryMb * mb}`, `--cpu=${limits.cpuSeconds.soft}:${limits.cpuSeconds.hard}`, `--nofile=${limits.openFiles}`,
    `--nproc=${limits.processes}`, `--fsize=${limits.fileSizeMb * mb}`, '--core=0', '--',
  ];
  let program = hostProgram;
  if (kind === 'bwrap') {
    program = HOST_PATH_IN_SANDBOX;
    args.push('bwrap', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64',
      '--symlink', 'usr/bin', '/bin');
    if (python.prefix !== '/usr' && !python.prefix.startsWith('/usr/')) args.push('--ro-bind', python.prefix, python.prefix);
    args.push('--perms', '0755', '--dir', '/actorflow', '--ro-bind', hostProgram, HOST_PATH_IN_SANDBOX,
      '--perms', '1777', '--size', String(limits.fileSizeMb * mb), '--tmpfs', '/tmp', '--proc', '/proc', '--dev', '/dev',
      '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try',
      '--die-with-parent', '--new-session', '--clearenv', '--setenv', 'PATH', '/usr/bin', '--setenv', 'LANG', 'C.UTF-8',
      '--chdir', '/tmp', '--');
  } else if (kind === 'unshare') {
    args.push('unshare', '--net', '--pid', '--ipc', '--uts', '--fork', '--kill-child', '--');
  }
  if (uid !== undefined) args.push('setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--no-new-privs', '--');
  args.push(python.executable, ...interpreterFlags(options.sitePackages), program, 'serve');
  return { command: 'prlimit', args, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' }, cwd: '/' };
}

/** Isolated mode (no environment, no user site, no script dir on sys.path); -S also drops site-packages. */
export function interpreterFlags(sitePackages: boolean): string[] {
  return sitePackages ? ['-I'] : ['-I', '-S'];
}

/** Where uid claims live: one directory per uid in use, naming its owner (tmpfs: gone at reboot). */
const UID_CLAIMS = '/run/actorflow/uids';

/**
 * Hands out one unprivileged uid per live host, so per-uid limits (RLIMIT_NPROC) are per node.
 * A uid is claimed by creating its directory under /run/actorflow/uids (atomic), so engines in other
 * worker threads and other Actorflow processes on the machine never get the same one; the claim
 * of a process that died is taken over.
 */
export class UidPool {
  private static readonly pools = new Map<string, UidPool>();

  /** The pool of a range (shared by the engines of every factory in this thread). */
  static shared(base: number, size: number): UidPool {
    const key = `${base}:${size}`;
    let pool = UidPool.pools.get(key);
    if (!pool) UidPool.pools.set(key, pool = new UidPool(base, size));
    return pool;
  }

  private readonly base: number;
  private readonly size: number;
  private next: number;

  private constructor(base: number, size: number) {
    this.base = base;
    this.size = size;
    this.next = base + Math.floor(Math.random() * size);   // spread the first claims of concurrent processes
  }

  acquire(): number {
    mkdirSync(UID_CLAIMS, { recursive: true, mode: 0o700 });
    for (let i = 0; i < this.size; i++) {
      const uid = this.next;
      this.next = uid + 1 >= this.base + this.size ? this.base : uid + 1;
      if (claim(uid)) return uid;
    }
    throw new ScriptError('SCRIPT_CONFIG', `all ${this.size} sandbox uids (from ${this.base}) are in use`,
      'dispose idle script nodes, or start the engine with a larger uidCount');
  }

  release(uid: number): void {
    rmSync(join(UID_CLAIMS, String(uid)), { recursive: true, force: true });
  }
}

const OWNER = `${process.pid}`;

/** Claims `uid` (mkdir is atomic); a claim whose owning process is gone is removed and retried once. */
function claim(uid: number): boolean {
  const dir = join(UID_CLAIMS, String(uid));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'owner'), OWNER);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readFileOr(join(dir, 'owner'));
      // no owner yet: a claim being made right now (or one whose maker crashed in between: one uid lost)
      if (attempt > 0 || owner === '' || processAlive(Number(owner))) return false;
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return false;
}

function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
