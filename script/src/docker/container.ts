// One long-lived process in a locked-down container, driven over its stdin/stdout like a child
// process: no network, read-only root filesystem, memory / pids / CPU limits, no capabilities,
// an unprivileged user. Used by the Python engine for `isolation: "docker"`; runtime-agnostic.
import { execFile } from 'node:child_process';
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Duplex, Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { ScriptError } from '../engine.ts';
import { processAlive } from '../process-alive.ts';
import { dockerClient } from './client.ts';

export interface ContainerSpec {
  image: string;
  cmd: string[];
  /** user[:group] inside the container; default nobody. */
  user?: string;
  env?: Record<string, string>;
  workingDir?: string;
  /** Memory cgroup limit (swap included): exceeding it gets the process OOM-killed. */
  memoryMb: number;
  /** Max processes/threads in the container (cgroup pids controller). */
  pids: number;
  /** CPU share, e.g. 1 = one core, 0.5 = half. */
  cpus: number;
  /** Host files or directories mounted read-only: container path -> host path. */
  readOnlyMounts?: Record<string, string>;
  /** Writable tmpfs mounts: path -> size in MB (noexec, nosuid). */
  tmpfs?: Record<string, number>;
  /** Extra resource limits (setrlimit), e.g. { nofile: 64, data: bytes }. */
  ulimits?: Record<string, number>;
  labels?: Record<string, string>;
  /**
   * How `stdin`/`stdout` reach the process: 'attach' (its real stdin/stdout, relayed by dockerd) or
   * 'fifo' (two named pipes bind-mounted at FIFO_PATHS, which the process opens itself: the bytes
   * skip dockerd, a round trip costs what a local pipe does). Default 'attach'. With 'fifo', the
   * process's own stdout and stderr both arrive on `stderr`.
   */
  channel?: 'attach' | 'fifo';
}

/** Where the 'fifo' channel's pipes are inside the container: the process reads `in` and writes `out`. */
export const FIFO_PATHS = { in: '/run/actorflow/in', out: '/run/actorflow/out' } as const;

export interface ContainerExit {
  code: number | null;
  signal: string | null;
  oomKilled?: boolean;
  error?: Error;
}

/** The running container's process, shaped like a child process. */
export interface ContainerProcess {
  readonly id: string;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles once the container has stopped and its output is drained (the container is then removed). */
  readonly exited: Promise<ContainerExit>;
  /** Hard kill (SIGKILL); the container is removed. Idempotent. */
  kill(): void;
}

/** Label carried by every container this module starts: `<hostname>:<pid>` of the owning server. */
export const OWNER_LABEL = 'actorflow.owner';
const owner = `${hostname()}:${process.pid}`;
const SIGNALS: Record<number, string> = { 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ' };

let reaped: Promise<void> | undefined;

/** Creates, attaches and starts a container; rejects with a ScriptError saying what is missing. */
export async function startContainer(spec: ContainerSpec, docker: Docker = dockerClient()): Promise<ContainerProcess> {
  reaped ??= reapOrphans(docker);
  await reaped;
  const fifos = spec.channel === 'fifo' ? await makeFifos() : undefined;
  let container: Docker.Container;
  try {
    container = await docker.createContainer(createOptions(spec, fifos));
  } catch (error) {
    fifos?.close();
    throw describeFailure(error, spec);
  }
  try {
    const stream = (await container.attach({ stream: true, stdin: !fifos, stdout: true, stderr: true, hijack: true })) as Duplex;
    const stderr = new PassThrough();
    const relayed = fifos ? undefined : new PassThrough();   // stdout through dockerd ('attach')
    const stdout: Readable = fifos?.stdout ?? relayed!;
    container.modem.demuxStream(stream, relayed ?? stderr, stderr);
    const streamDone = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    await container.start();
    let killed = false;
    const exited = (async (): Promise<ContainerExit> => {
      try {
        const { StatusCode } = (await container.wait()) as { StatusCode: number };
        const info = await container.inspect().catch(() => undefined);
        await Promise.race([streamDone, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
        const signal = StatusCode > 128 ? SIGNALS[StatusCode - 128] ?? `signal ${StatusCode - 128}` : null;
        return { code: signal ? null : StatusCode, signal, oomKilled: info?.State?.OOMKilled === true };
      } catch (error) {
        return { code: null, signal: null, error: error as Error };
      } finally {
        fifos?.close();
        relayed?.end();
        stderr.end();
        stream.destroy();
        await container.remove({ force: true }).catch(() => undefined);
      }
    })();
    return {
      id: container.id, stdin: fifos ? fifos.stdin : stream, stdout, stderr, exited,
      kill() {
        if (killed) return;
        killed = true;
        container.kill().catch(() => undefined);
      },
    };
  } catch (error) {
    fifos?.close();
    await container.remove({ force: true }).catch(() => undefined);
    throw describeFailure(error, spec);
  }
}

interface Fifos {
  /** Host paths of the pipes, in a private directory. */
  in: string;
  out: string;
  /** Our ends: we write the process's input, read its output. */
  stdin: Writable;
  stdout: Readable;
  close(): void;
}

/**
 * Two named pipes in a private (0700) directory, opened read-write on our side so that neither our
 * open nor the process's blocks, whichever comes first. Mode 0666 lets the container's user open
 * them: they are bind-mounted alone, the directory is never visible to anyone else.
 */
async function makeFifos(): Promise<Fifos> {
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-io-'));
  const paths = { in: join(dir, 'in'), out: join(dir, 'out') };
  try {
    await promisify(execFile)('mkfifo', ['-m', '0666', paths.in, paths.out]);
    const flags = constants.O_RDWR | constants.O_NONBLOCK;
    const stdin = new Socket({ fd: openSync(paths.in, flags), readable: false, writable: true });
    const stdout = new Socket({ fd: openSync(paths.out, flags), readable: true, writable: false });
    stdin.on('error', () => { /* the container is gone: reported through `exited` */ });
    return {
      ...paths, stdin, stdout,
      close() {
        stdin.destroy();
        stdout.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new ScriptError('SCRIPT_CRASHED', `cannot create the container's pipes: ${(error as Error).message}`,
      'mkfifo (coreutils) must be installed and the temp directory writable', { cause: error });
  }
}

function createOptions(spec: ContainerSpec, fifos: Fifos | undefined): Docker.ContainerCreateOptions {
  const mb = 1024 * 1024;
  return {
    Image: spec.image,
    Cmd: spec.cmd,
    User: spec.user ?? '65534:65534',
    Env: Object.entries(spec.env ?? { LANG: 'C.UTF-8' }).map(([key, value]) => `${key}=${value}`),
    WorkingDir: spec.workingDir ?? '/tmp',
    Labels: { ...spec.labels, [OWNER_LABEL]: owner },
    AttachStdin: !fifos, AttachStdout: true, AttachStderr: true, OpenStdin: !fifos, StdinOnce: false, Tty: false,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      Memory: spec.memoryMb * mb,
      MemorySwap: spec.memoryMb * mb,
      PidsLimit: spec.pids,
      NanoCpus: Math.round(spec.cpus * 1e9),
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Init: true,
      Binds: [
        ...Object.entries(spec.readOnlyMounts ?? {}).map(([inside, host]) => `${host}:${inside}:ro`),
        ...(fifos ? [`${fifos.in}:${FIFO_PATHS.in}`, `${fifos.out}:${FIFO_PATHS.out}`] : []),
      ],
      Tmpfs: Object.fromEntries(Object.entries(spec.tmpfs ?? {}).map(([path, size]) => [path, `rw,noexec,nosuid,nodev,size=${size}m`])),
      Ulimits: Object.entries(spec.ulimits ?? {}).map(([Name, value]) => ({ Name, Soft: value, Hard: value })),
      AutoRemove: false,
    },
  };
}

function describeFailure(error: unknown, spec: ContainerSpec): ScriptError {
  const status = (error as { statusCode?: number }).statusCode;
  const message = (error as Error).message ?? String(error);
  if (status === 404 && /image/i.test(message)) {
    return new ScriptError('SCRIPT_CONFIG', `Docker image '${spec.image}' does not exist on this engine`,
      'build the default image with script/docker/build-image.sh (scripts/services.d/docker.sh runs it), or set the image option',
      { cause: error });
  }
  return new ScriptError('SCRIPT_CRASHED', `cannot start a container from '${spec.image}': ${message}`,
    'check that dockerd is running (scripts/services.d/docker.sh) and the image exists', { cause: error });
}

/** Removes containers a previous server process on this machine left behind (it died without cleanup). */
async function reapOrphans(docker: Docker): Promise<void> {
  try {
    const containers = await docker.listContainers({ all: true, filters: { label: [OWNER_LABEL] } });
    await Promise.all(containers.map(async (info) => {
      const [host, pid] = (info.Labels[OWNER_LABEL] ?? '').split(':');
      if (host !== hostname() || processAlive(Number(pid))) return;
      await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
    }));
  } catch {
    // the engine is unreachable: startContainer reports that itself
  }
}
