// One long-lived process in a locked-down container, driven over its stdin/stdout like a child
// process: no network, read-only root filesystem, memory / pids / CPU limits, no capabilities,
// an unprivileged user. Used by the Python engine for `isolation: "docker"`; runtime-agnostic.
import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import type { Duplex, Readable, Writable } from 'node:stream';
import type Docker from 'dockerode';
import { ScriptError } from '../engine.ts';
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
}

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
  let container: Docker.Container;
  try {
    container = await docker.createContainer(createOptions(spec));
  } catch (error) {
    throw describeFailure(error, spec);
  }
  try {
    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    container.modem.demuxStream(stream, stdout, stderr);
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
        stdout.end();
        stderr.end();
        stream.destroy();
        await container.remove({ force: true }).catch(() => undefined);
      }
    })();
    return {
      id: container.id, stdin: stream, stdout, stderr, exited,
      kill() {
        if (killed) return;
        killed = true;
        container.kill().catch(() => undefined);
      },
    };
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw describeFailure(error, spec);
  }
}

function createOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const mb = 1024 * 1024;
  return {
    Image: spec.image,
    Cmd: spec.cmd,
    User: spec.user ?? '65534:65534',
    Env: Object.entries(spec.env ?? { LANG: 'C.UTF-8' }).map(([key, value]) => `${key}=${value}`),
    WorkingDir: spec.workingDir ?? '/tmp',
    Labels: { ...spec.labels, [OWNER_LABEL]: owner },
    AttachStdin: true, AttachStdout: true, AttachStderr: true, OpenStdin: true, StdinOnce: false, Tty: false,
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
      Binds: Object.entries(spec.readOnlyMounts ?? {}).map(([inside, host]) => `${host}:${inside}:ro`),
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

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
