// The Python script engine: one long-lived host process per node (script/python/actor_host.py),
// sandboxed locally (prlimit + bwrap/unshare, see sandbox.ts) or in a Docker container. The node's
// state lives here in Node and travels with every call, so a host killed on a timeout or a crash
// is simply started again for the next message without losing anything.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FIFO_PATHS, startContainer } from '../docker/index.ts';
import { ScriptError, type EngineOptions, type ScriptCall, type ScriptEngine, type ScriptResult } from '../engine.ts';
import { PythonHost, type HostReady, type InitRequest } from './host.ts';
import { resolveInterpreter } from './interpreter.ts';
import { spawnHostProcess, type HostProcess } from './process.ts';
import { detectSandbox, hostCommand, interpreterFlags, type SandboxKind, type UidPool } from './sandbox.ts';

/** The host program, bind-mounted read-only into sandboxes and containers. */
export const HOST_PROGRAM = fileURLToPath(new URL('../../python/actor_host.py', import.meta.url));

/** Where a host runs: a local sandbox level, or Docker. */
export type PythonIsolationLevel = SandboxKind | 'docker';

/** Engine settings shared by every node of a factory (see PythonEngineOptions in index.ts). */
export interface PythonEngineSettings {
  interpreter: string | undefined;
  sandbox: 'auto' | SandboxKind;
  maxProcesses: number;
  openFiles: number;
  fileSizeMb: number;
  cpuSeconds: number | undefined;
  sitePackages: boolean;
  uids: UidPool;
  docker: { image: string; interpreter: string; cpus: number };
}

/** Python needs this much address space to start at all (measured: 3.11 fails under 24 MB). */
const MIN_MEMORY_MB = 32;
/** How long a replacement host waits for its killed predecessor to be gone (its uid's processes). */
const REAP_WAIT_MS = 3000;
/** Headroom of the container's memory cgroup over the host's own RLIMIT_AS (which gives a MemoryError first). */
const DOCKER_MEMORY_HEADROOM_MB = 32;

export class PythonEngine implements ScriptEngine {
  private readonly options: EngineOptions;
  private readonly settings: PythonEngineSettings;
  private started: Promise<void> | undefined;
  private init: InitRequest | undefined;
  private launcher: (() => Promise<HostProcess>) | undefined;
  private host: Promise<PythonHost> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private assignedUid: number | undefined;
  private disposed = false;
  /** Said once in the node's log when the sandbox is weaker than bwrap (see sandbox.ts). */
  private weakSandboxNotice: string | undefined;
  /** The isolation in effect once started. */
  isolationLevel: PythonIsolationLevel | undefined;
  /** How the script runs once started: an entry function, or Reflow's whole-script mode. */
  ready: HostReady | undefined;

  /** The unprivileged uid this node's host runs as (local sandbox as root), else undefined. */
  get sandboxUid(): number | undefined {
    return this.assignedUid;
  }

  constructor(options: EngineOptions, settings: PythonEngineSettings) {
    this.options = options;
    this.settings = settings;
  }

  /** Spawns the host and runs the script's module code; throws ScriptError (syntax, missing entry, …). */
  start(): Promise<void> {
    this.started ??= this.boot().catch((error: unknown) => {
      this.started = undefined;   // a later start() (or call) tries again
      throw error;
    });
    return this.started;
  }

  call(call: ScriptCall): Promise<ScriptResult> {
    const result = this.queue.then(() => this.callOnce(call));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const host = await this.host?.catch(() => undefined);
    if (host) {
      host.kill();
      await host.exited;
    }
    if (this.assignedUid !== undefined) this.settings.uids.release(this.assignedUid);
  }

  private async boot(): Promise<void> {
    const { limits, source, isolation, grants } = this.options;
    if (!(limits.timeoutMs > 0) || !(limits.maxOutputBytes > 0) || !(limits.memoryMb >= MIN_MEMORY_MB)) {
      throw new ScriptError('SCRIPT_CONFIG',
        `node ${this.options.nodeId}: invalid limits ${JSON.stringify(limits)} for a Python actor`,
        `timeoutMs and maxOutputBytes must be positive, memoryMb at least ${MIN_MEMORY_MB}`);
    }
    if (grants && Object.keys(grants).length > 0) {
      throw new ScriptError('SCRIPT_CONFIG', `node ${this.options.nodeId}: Python actors take no grants (got ${Object.keys(grants).join(', ')})`,
        'remove `grants`: a Python actor reaches nothing outside its sandbox');
    }
    const { code, file } = await loadSource(this.options);
    this.launcher = isolation === 'docker' ? this.dockerLauncher() : await this.localLauncher();
    // with processes allowed, the host kills the script's leftovers after each call where the
    // signal can only reach them: inside a pid namespace, or under the node's own uid
    const reap = this.settings.maxProcesses > 1 && (this.isolationLevel !== 'prlimit' || this.assignedUid !== undefined);
    // in Docker the memory cgroup is the hard stop; the host's own RLIMIT_AS turns a bomb into a MemoryError
    // first (as prlimit does locally). Not a container ulimit: runc's own init would run under it.
    const addressSpaceBytes = isolation === 'docker' ? limits.memoryMb * 1024 * 1024 : undefined;
    this.init = { code, file, entry: source.entryPoint, config: this.options.config, limits, reap, addressSpaceBytes };
    this.host = this.launch(undefined);
    try {
      await this.host;
    } catch (error) {
      this.host = undefined;
      throw error;
    }
  }

  private async localLauncher(): Promise<() => Promise<HostProcess>> {
    const [support, python] = await Promise.all([detectSandbox(), resolveInterpreter(this.settings.interpreter)]);
    const requested = this.settings.sandbox;
    const kind = requested === 'auto' ? support.best : requested;
    if (!support.available.prlimit) {
      throw new ScriptError('SCRIPT_CONFIG', 'prlimit is not available: Python actors always run under resource limits',
        'install util-linux (Debian: apt-get install util-linux)');
    }
    if (!support.available[kind]) {
      throw new ScriptError('SCRIPT_CONFIG', `the '${kind}' sandbox is not available on this machine`,
        `${support.notes.join('; ')}; or use sandbox 'auto'`);
    }
    this.isolationLevel = kind;
    if (kind !== 'bwrap') {
      this.weakSandboxNotice = `Python sandbox '${kind}': ${kind === 'unshare' ? 'no network, but the host\'s files are readable'
        : 'resource limits only: the host\'s files and network are reachable'} (${support.notes.join('; ') || `sandbox '${kind}' was requested`})`;
    }
    if (support.dropsPrivileges) this.assignedUid ??= this.settings.uids.acquire();
    const timeoutSeconds = Math.ceil(this.options.limits.timeoutMs / 1000);
    const command = hostCommand({
      kind, uid: this.assignedUid, python, hostProgram: HOST_PROGRAM, sitePackages: this.settings.sitePackages,
      limits: {
        memoryMb: this.options.limits.memoryMb, cpuSeconds: this.cpuBudget(timeoutSeconds),
        openFiles: this.settings.openFiles, processes: this.settings.maxProcesses, fileSizeMb: this.settings.fileSizeMb,
      },
    });
    return async () => spawnHostProcess(command);
  }

  private dockerLauncher(): () => Promise<HostProcess> {
    this.isolationLevel = 'docker';
    const { docker, maxProcesses, openFiles, fileSizeMb } = this.settings;
    const mb = 1024 * 1024;
    const inside = '/actorflow/actor_host.py';
    return () => startContainer({
      image: docker.image,
      cmd: [docker.interpreter, ...interpreterFlags(this.settings.sitePackages), inside, 'serve', '--in', FIFO_PATHS.in, '--out', FIFO_PATHS.out],
      channel: 'fifo',
      readOnlyMounts: { [inside]: HOST_PROGRAM },
      memoryMb: this.options.limits.memoryMb + DOCKER_MEMORY_HEADROOM_MB,
      pids: maxProcesses + 1,   // + docker-init
      cpus: docker.cpus,
      tmpfs: { '/tmp': fileSizeMb },
      ulimits: { nofile: openFiles, fsize: fileSizeMb * mb, core: 0 },
      labels: { 'actorflow.node': this.options.nodeId, 'actorflow.runtime': 'python' },
    });
  }

  /**
   * CPU seconds of one host's life: the soft RLIMIT_CPU, where the host asks to be replaced after
   * its current call; the hard limit, where the kernel kills it, is one call's time limit later.
   */
  private cpuBudget(timeoutSeconds: number): { soft: number; hard: number } {
    const soft = this.settings.cpuSeconds ?? Math.max(60, 4 * timeoutSeconds);
    return { soft, hard: soft + timeoutSeconds + 1 };
  }

  /** Starts a host (after `previous`, a dead one, is fully gone) and sends it the script. */
  private async launch(previous: PythonHost | undefined): Promise<PythonHost> {
    if (previous) {
      await Promise.race([previous.exited, new Promise((resolve) => setTimeout(resolve, REAP_WAIT_MS).unref())]);
    }
    if (this.disposed) throw new ScriptError('SCRIPT_CRASHED', `node ${this.options.nodeId}: the Python engine was disposed`, '');
    const process = await this.launcher!();
    const { host, ready } = await PythonHost.start(process, this.init!);
    this.ready = ready;
    if (this.disposed) host.kill();
    return host;
  }

  /** The live host, started again when the last one died. */
  private async liveHost(): Promise<PythonHost> {
    await this.start();
    this.host ??= this.launch(undefined);
    let host: PythonHost;
    try {
      host = await this.host;
    } catch (error) {
      this.host = undefined;     // the next call tries again
      throw error;
    }
    if (!host.alive) {
      this.host = this.launch(host);
      return this.liveHost();
    }
    return host;
  }

  private async callOnce(call: ScriptCall): Promise<ScriptResult> {
    const host = await this.liveHost();
    if (this.weakSandboxNotice) {
      call.log.warn(this.weakSandboxNotice);
      this.weakSandboxNotice = undefined;
    }
    try {
      return await host.call(call);
    } finally {
      if (host.alive && host.wantsRecycling) host.kill();
      if (!host.alive && !this.disposed) {
        // restart now, so the next message does not wait for the cold start
        this.host = this.launch(host);
        this.host.catch(() => undefined);
      }
    }
  }

}

/** The script's code and the name errors use for it: the file path, or `<inline>`. */
async function loadSource(options: EngineOptions): Promise<{ code: string; file: string }> {
  const { code, file } = options.source;
  if (code !== undefined && file !== undefined) {
    throw new ScriptError('SCRIPT_CONFIG', `node ${options.nodeId}: the script has both inline code and a file`,
      'give either source (inline code) or file, not both');
  }
  if (typeof code === 'string') return { code, file: '<inline>' };
  if (typeof file !== 'string' || file === '') {
    throw new ScriptError('SCRIPT_CONFIG', `node ${options.nodeId}: the Python actor has no script`,
      'set source (inline code) or file (a .py path)');
  }
  try {
    return { code: await readFile(file, 'utf8'), file };
  } catch (error) {
    throw new ScriptError('SCRIPT_CONFIG', `node ${options.nodeId}: cannot read the script ${file}: ${(error as Error).message}`,
      'check the file path (relative paths resolve against the server\'s working directory)', { cause: error, file });
  }
}
