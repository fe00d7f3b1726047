// Python script actors: `def process(inputs, state, config)` (or Reflow's Context API) in a
// long-lived, sandboxed CPython host per node. See engine.ts for the lifecycle, sandbox.ts for the
// isolation levels and script/python/actor_host.py for the script-side contract.
import { DEFAULT_PYTHON_IMAGE } from '../docker/index.ts';
import type { EngineOptions, ScriptEngineFactory, ScriptMetadata, ScriptSource } from '../engine.ts';
import { describePython } from './describe.ts';
import { PythonEngine, type PythonEngineSettings } from './engine.ts';
import { detectSandbox, UidPool, type SandboxKind, type SandboxSupport } from './sandbox.ts';

export { PythonEngine, HOST_PROGRAM, type PythonIsolationLevel } from './engine.ts';
export { detectSandbox, type SandboxKind, type SandboxSupport } from './sandbox.ts';
export { resolveInterpreter, type PythonInterpreter } from './interpreter.ts';
export { describePython } from './describe.ts';

export interface PythonEngineOptions {
  /**
   * Interpreter of local hosts: a path or command. Default $ACTORFLOW_PYTHON, else /usr/bin/python3,
   * else `python3` on PATH. Shims (pyenv) are resolved to the real binary once.
   */
  interpreter?: string;
  /** Local sandbox: 'auto' (default: bwrap, else unshare, else prlimit only) or a level that must be available. */
  sandbox?: 'auto' | SandboxKind;
  /**
   * Processes, threads included, one host may run (RLIMIT_NPROC under the node's own uid, or the
   * container's pids limit). Default 1: the script can neither fork nor start threads. Above 1,
   * whatever a call started is killed when the call ends.
   */
  maxProcesses?: number;
  /** Open file descriptors per host. Default 64. */
  openFiles?: number;
  /** Largest file a script may write, and the size of its /tmp, in MB. Default 16. */
  fileSizeMb?: number;
  /** CPU seconds after which a host is replaced (between calls; RLIMIT_CPU soft limit); default max(60, 4 × timeout). */
  cpuSeconds?: number;
  /**
   * Let scripts import the interpreter's site-packages (e.g. packages baked into a custom Docker
   * image, or Debian's python3-* packages). Default false: the standard library only.
   */
  sitePackages?: boolean;
  /** Unprivileged uids handed to hosts when running as root (one per node): first uid and count. */
  uidBase?: number;
  uidCount?: number;
  /** `isolation: "docker"`: the image (default $ACTORFLOW_PYTHON_IMAGE or actorflow/python:local), its interpreter, CPUs per container. */
  docker?: { image?: string; interpreter?: string; cpus?: number };
}

/** The Python engine factory, with introspection of the sandbox this machine provides. */
export interface PythonEngineFactory extends ScriptEngineFactory {
  runtime: 'python';
  create(options: EngineOptions): PythonEngine;
  describe(source: ScriptSource): Promise<ScriptMetadata>;
  /** The sandbox levels usable here and which one `sandbox: 'auto'` picks. */
  sandboxSupport(): Promise<SandboxSupport>;
}

/** A Python engine factory with non-default options. */
export function createPythonEngineFactory(options: PythonEngineOptions = {}): PythonEngineFactory {
  const settings: PythonEngineSettings = {
    interpreter: options.interpreter,
    sandbox: options.sandbox ?? 'auto',
    maxProcesses: options.maxProcesses ?? 1,
    openFiles: options.openFiles ?? 64,
    fileSizeMb: options.fileSizeMb ?? 16,
    cpuSeconds: options.cpuSeconds,
    sitePackages: options.sitePackages ?? false,
    uids: UidPool.shared(options.uidBase ?? 1_550_000_000, options.uidCount ?? 65_536),
    docker: {
      image: options.docker?.image ?? process.env.ACTORFLOW_PYTHON_IMAGE ?? DEFAULT_PYTHON_IMAGE,
      interpreter: options.docker?.interpreter ?? '/usr/bin/python3',
      cpus: options.docker?.cpus ?? 1,
    },
  };
  return {
    runtime: 'python',
    create: (engineOptions) => new PythonEngine(engineOptions, settings),
    describe: (source) => describePython(source, options.interpreter),
    sandboxSupport: detectSandbox,
  };
}

/** The default Python engine factory (`script/Script` with `runtime: "python"`). */
export const pythonEngineFactory: PythonEngineFactory = createPythonEngineFactory();
