// One running Python host (script/python/actor_host.py) seen from Node: sends init and call
// frames, streams emits (pausing the pipe while downstream is full: real backpressure), routes the
// script's print() to the call's logger, enforces the hard time limit and the output budget, and
// turns a dead host into a precise ScriptError. The engine (engine.ts) restarts dead hosts.
import type { ActorLogger } from '@actorflow/network';
import { ScriptError, type ScriptCall, type ScriptErrorCode, type ScriptLimits, type ScriptResult } from '../engine.ts';
import { encodeFrame, FrameDecoder, FrameTooLargeError, type HostFrame } from './frames.ts';
import type { HostExit, HostProcess } from './process.ts';

/** What init sends: the script and how to run it. */
export interface InitRequest {
  code: string;
  /** The name tracebacks and errors use for the script: its path, or `<inline>`. */
  file: string;
  entry: string | undefined;
  config: Record<string, unknown>;
  limits: ScriptLimits;
  /** Kill whatever the script forked after each call (only where that cannot hit anything else). */
  reap: boolean;
  /** RLIMIT_AS the host sets on itself before running the script (where no prlimit wraps it: Docker). */
  addressSpaceBytes: number | undefined;
}

/** How the script runs: an entry function, or Reflow's whole-script-per-call mode. */
export interface HostReady {
  mode: 'function' | 'script';
  entry: string | null;
}

/** Extra time the host gets for starting the interpreter before init's own time limit applies. */
const STARTUP_ALLOWANCE_MS = 10_000;
/** Frame envelope bytes not counted against maxOutputBytes (the `{"t":"emit","port":…}` part). */
const ENVELOPE_BYTES = 256;
/** Log lines longer than this are cut (a print() of a huge value must not flood the network's events). */
const MAX_LOG_LINE = 8192;
/** stderr kept for crash reports. */
const STDERR_TAIL = 16 * 1024;
/** Log lines kept until a call can take them (module-level print() during init). */
const MAX_PENDING_LOGS = 200;

const CODES = new Set<ScriptErrorCode>(['SCRIPT_ERROR', 'SCRIPT_TIMEOUT', 'SCRIPT_MEMORY', 'SCRIPT_SYNTAX',
  'SCRIPT_OUTPUT_TOO_LARGE', 'SCRIPT_INVALID_OUTPUT', 'SCRIPT_CRASHED', 'SCRIPT_CONFIG']);

/** The hard limit after the host's own (soft, in-Python) time limit failed to stop the script. */
export function hardTimeoutMs(timeoutMs: number): number {
  return timeoutMs + Math.min(1000, 100 + Math.round(timeoutMs / 2));
}

interface Operation {
  log: ActorLogger | undefined;
  /** A frame for this operation; a returned promise pauses the pipe until it settles. */
  frame(frame: HostFrame, bytes: number): void | Promise<void>;
  /** The host died (or was killed) before the operation finished. */
  exit(exit: HostExit): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

export class PythonHost {
  private readonly process: HostProcess;
  private readonly file: string;
  private readonly limits: ScriptLimits;
  private readonly decoder: FrameDecoder;
  private readonly queue: { frame: HostFrame; bytes: number }[] = [];
  private operation: Operation | undefined;
  private blocked = false;
  private exitInfo: HostExit | undefined;
  /** Why we killed the host, reported instead of the bare exit. */
  private killedWith: Error | undefined;
  private stderrTail = '';
  private stderrLine = '';
  private readonly pendingLogs: { level: Level; message: string }[] = [];
  /** The host reached its CPU-time soft limit: replace it after this call. */
  wantsRecycling = false;

  private constructor(process: HostProcess, file: string, limits: ScriptLimits) {
    this.process = process;
    this.file = file;
    this.limits = limits;
    this.decoder = new FrameDecoder(Math.max(limits.maxOutputBytes, MAX_LOG_LINE * 6) + ENVELOPE_BYTES);
    process.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    process.stderr.on('data', (chunk: Buffer) => this.receiveStderr(chunk));
    void process.exited.then((exit) => {
      this.exitInfo = exit;
      this.pump();
    });
  }

  /** Starts a host on `process`: sends the script and waits until it compiled and ran its module code. */
  static async start(process: HostProcess, request: InitRequest): Promise<{ host: PythonHost; ready: HostReady }> {
    const host = new PythonHost(process, request.file, request.limits);
    try {
      const ready = await host.init(request);
      return { host, ready };
    } catch (error) {
      host.kill();
      throw error;
    }
  }

  /** The host process is running (not killed, not exited). */
  get alive(): boolean {
    return this.exitInfo === undefined && this.killedWith === undefined;
  }

  /** Settles when the process is gone. */
  get exited(): Promise<HostExit> {
    return this.process.exited;
  }

  /** Hard-kills the host; `reason` becomes the error of the operation in flight. */
  kill(reason?: Error): void {
    this.killedWith ??= reason ?? new ScriptError('SCRIPT_CRASHED', 'the Python host was stopped', '');
    this.process.kill();
  }

  private init(request: InitRequest): Promise<HostReady> {
    return this.run<HostReady>(undefined, request.limits.timeoutMs + STARTUP_ALLOWANCE_MS, {
      t: 'init', code: request.code, file: request.file, entry: request.entry ?? null, config: request.config,
      timeoutMs: request.limits.timeoutMs, maxOutputBytes: request.limits.maxOutputBytes, reap: request.reap,
      addressSpace: request.addressSpaceBytes ?? null,
    }, (frame, settle) => {
      if (frame.t !== 'ready') return false;
      settle(() => ({ mode: frame.mode === 'script' ? 'script' : 'function', entry: (frame.entry as string | null) ?? null }));
      return true;
    });
  }

  /** One firing. Rejects with a ScriptError; afterwards `alive` says whether the host survived. */
  call(call: ScriptCall): Promise<ScriptResult> {
    for (const line of this.pendingLogs.splice(0)) call.log[line.level](line.message);
    let spent = 0;
    return this.run<ScriptResult>(call, hardTimeoutMs(this.limits.timeoutMs), {
      t: 'call', inputs: call.inputs, port: call.port ?? null, state: call.state ?? null,
    }, (frame, settle, bytes) => {
      if (frame.t === 'emit' || frame.t === 'result') {
        spent += Math.max(0, bytes - ENVELOPE_BYTES);
        if (spent > this.limits.maxOutputBytes + ENVELOPE_BYTES) {
          this.kill(new ScriptError('SCRIPT_OUTPUT_TOO_LARGE',
            `the script's output exceeded ${this.limits.maxOutputBytes} bytes (limits.maxOutputBytes)`,
            'send smaller values, or raise limits.maxOutputBytes'));
          return true;
        }
      }
      if (frame.t === 'emit') {
        if (typeof frame.port !== 'string') return false;
        return call.emit(frame.port, frame.value) ?? true;
      }
      if (frame.t !== 'result') return false;
      if (frame.recycle === 1) this.wantsRecycling = true;
      const outputs = frame.outputs;
      if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) return false;
      settle(() => ({ outputs: outputs as Record<string, unknown>, state: frame.state }));
      return true;
    });
  }

  /**
   * Runs one operation: writes `request`, feeds frames to `onFrame` until it settles, fails on an
   * error frame, a protocol violation, the hard time limit, the caller's abort signal or host death.
   * `onFrame` returns false for a frame it does not understand, a promise to apply backpressure.
   */
  private run<T>(
    call: ScriptCall | undefined, hardLimitMs: number, request: Record<string, unknown>,
    onFrame: (frame: HostFrame, settle: (value: () => T) => void, bytes: number) => boolean | Promise<void>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.alive) {
        reject(this.deathError(this.exitInfo ?? { code: null, signal: null }));
        return;
      }
      if (call?.signal.aborted) {
        reject(cancelled(call.signal));
        return;
      }
      let done = false;
      const finish = (outcome: () => T): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        call?.signal.removeEventListener('abort', onAbort);
        if (this.operation === operation) this.operation = undefined;
        try {
          resolve(outcome());
        } catch (error) {
          reject(error);
        }
      };
      const fail = (error: unknown): void => finish(() => { throw error; });
      const stop = (error: Error): void => {
        this.kill(error);
        fail(error);
      };
      const timer = setTimeout(() => stop(new ScriptError('SCRIPT_TIMEOUT',
        `the script did not finish within ${this.limits.timeoutMs} ms and its Python host was killed`,
        'make the script faster or raise limits.timeoutMs (the host is restarted for the next message)')), hardLimitMs);
      const onAbort = (): void => stop(cancelled(call?.signal));
      call?.signal.addEventListener('abort', onAbort, { once: true });
      const operation: Operation = {
        log: call?.log,
        frame: (frame, bytes) => {
          if (frame.t === 'error') {
            fail(this.scriptError(frame));
            return;
          }
          let handled: boolean | Promise<void>;
          try {
            handled = onFrame(frame, finish, bytes);
          } catch (error) {
            stop(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          if (handled === false) {
            stop(new ScriptError('SCRIPT_CRASHED', `the Python host broke the protocol (unexpected '${String(frame.t)}' frame)`,
              'the script wrote to the protocol channel, or actor_host.py does not match this engine'));
            return;
          }
          if (handled === true) return;
          return handled.catch((error: unknown) => stop(error instanceof Error ? error : new Error(String(error))));
        },
        exit: (exit) => fail(this.deathError(exit)),
      };
      this.operation = operation;
      let frame: Buffer;
      try {
        frame = encodeFrame(request);
      } catch (error) {
        this.operation = undefined;
        fail(new ScriptError('SCRIPT_ERROR', `the inputs or state cannot be sent to Python: ${(error as Error).message}`,
          'Python actors take JSON values, Uint8Array and bigint', { cause: error }));
        return;
      }
      this.process.stdin.write(frame);
    });
  }

  // -- incoming bytes -------------------------------------------------------------------------

  private receive(chunk: Buffer): void {
    try {
      this.queue.push(...this.decoder.push(chunk));
    } catch (error) {
      const tooLarge = error instanceof FrameTooLargeError;
      const failure = new ScriptError(tooLarge ? 'SCRIPT_OUTPUT_TOO_LARGE' : 'SCRIPT_CRASHED',
        tooLarge ? `the script's output exceeded ${this.limits.maxOutputBytes} bytes (limits.maxOutputBytes)`
          : `the Python host sent a malformed frame: ${(error as Error).message}`,
        tooLarge ? 'send smaller values, or raise limits.maxOutputBytes' : 'the script wrote to the protocol channel');
      this.kill(failure);
      this.operation?.exit({ code: null, signal: null });
      return;
    }
    this.pump();
  }

  /** Hands queued frames to the current operation, in order, waiting whenever one applies backpressure. */
  private pump(): void {
    while (!this.blocked && this.queue.length > 0) {
      const { frame, bytes } = this.queue.shift()!;
      if (frame.t === 'log') {
        this.log(frame.level as Level, String(frame.message));
        continue;
      }
      const operation = this.operation;
      if (!operation) {
        // late frames of an abandoned call (timeout, abort) are dropped with their killed host
        if (this.alive) this.kill(new ScriptError('SCRIPT_CRASHED', `the Python host sent '${String(frame.t)}' outside a call`, ''));
        continue;
      }
      const pending = operation.frame(frame, bytes);
      if (pending) {
        this.blocked = true;
        this.process.stdout.pause();
        void pending.finally(() => {
          this.blocked = false;
          this.process.stdout.resume();
          this.pump();
        });
      }
    }
    if (!this.blocked && this.queue.length === 0 && this.exitInfo) this.operation?.exit(this.exitInfo);
  }

  private receiveStderr(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
    const lines = (this.stderrLine + text).split('\n');
    this.stderrLine = lines.pop()!.slice(-MAX_LOG_LINE);
    for (const line of lines) if (line) this.log('warn', line);
  }

  private log(level: Level, message: string): void {
    const text = message.length > MAX_LOG_LINE ? `${message.slice(0, MAX_LOG_LINE)}… (${message.length} chars)` : message;
    const logger = this.operation?.log;
    const method: Level = level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
    if (logger) logger[method](text);
    else if (this.pendingLogs.length < MAX_PENDING_LOGS) this.pendingLogs.push({ level: method, message: text });
  }

  // -- errors ---------------------------------------------------------------------------------

  private scriptError(frame: HostFrame): ScriptError {
    const code = CODES.has(frame.code as ScriptErrorCode) ? frame.code as ScriptErrorCode : 'SCRIPT_ERROR';
    const details: { line?: number; column?: number; file?: string; scriptStack?: string } = { file: this.file };
    if (typeof frame.line === 'number') details.line = frame.line;
    if (typeof frame.column === 'number') details.column = frame.column;
    if (typeof frame.stack === 'string') details.scriptStack = frame.stack;
    const where = details.line === undefined ? '' : ` (${this.file} line ${details.line})`;
    return new ScriptError(code, `${String(frame.message)}${where}`, String(frame.hint ?? ''), details);
  }

  /** Why the host is gone, as the error of the operation it was running. */
  private deathError(exit: HostExit): Error {
    if (this.killedWith) return this.killedWith;
    const crash = this.crashReport();
    const details = { file: this.file, ...crash.details };
    const where = crash.details.line === undefined ? '' : ` (${this.file} line ${crash.details.line})`;
    if (exit.error) {
      return new ScriptError('SCRIPT_CRASHED', `the Python host could not be started: ${exit.error.message}`,
        'check the interpreter path and that prlimit (util-linux) is installed', { ...details, cause: exit.error });
    }
    if (exit.oomKilled) {
      return new ScriptError('SCRIPT_MEMORY', `the script exceeded its memory limit of ${this.limits.memoryMb} MB and was killed${where}`,
        'use less memory, or raise limits.memoryMb', details);
    }
    if (exit.signal === 'SIGXCPU') {
      return new ScriptError('SCRIPT_TIMEOUT', `the Python host used up its CPU-time budget and was killed${where}`,
        'make the script cheaper; the host is restarted with a fresh budget', details);
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : signalled(exit.code) ?? `exited with code ${exit.code}`;
    const lastLine = (this.stderrTail + this.stderrLine).trim().split('\n').pop();
    const fatal = crash.fatal ? ` (${crash.fatal})` : lastLine ? ` (stderr: ${lastLine.slice(0, 500)})` : '';
    return new ScriptError('SCRIPT_CRASHED', `the Python interpreter ${how}${fatal} while running the script${where}`,
      exit.signal === 'SIGKILL' ? 'the kernel or container runtime killed it (out of memory?); the host is restarted for the next message'
        : 'the script ended the interpreter (os._exit, a crash in native code); the host is restarted for the next message', details);
  }

  /** The script's line and the fatal error from a faulthandler dump on stderr (native crashes). */
  private crashReport(): { fatal?: string; details: { line?: number; scriptStack?: string } } {
    const tail = this.stderrTail + this.stderrLine;
    const fatal = /Fatal Python error: ([^\n]+)/.exec(tail)?.[1]?.trim();
    const escaped = this.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const frames = [...tail.matchAll(new RegExp(`File "${escaped}", line (\\d+)`, 'g'))];
    const details: { line?: number; scriptStack?: string } = {};
    // faulthandler prints the innermost frame first
    if (frames.length > 0) details.line = Number(frames[0][1]);
    const dump = tail.slice(tail.lastIndexOf('Fatal Python error')).trim();
    if (fatal && dump) details.scriptStack = dump;
    return fatal ? { fatal, details } : { details };
  }
}

/** The error of a call its caller aborted: the abort reason when it is an Error. */
function cancelled(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new ScriptError('SCRIPT_ERROR', 'the call was cancelled by its caller', '');
}

const SIGNAL_NAMES: Record<number, string> = { 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 24: 'SIGXCPU', 25: 'SIGXFSZ' };

/** A sandbox in between (bwrap, unshare, docker-init) reports a signal death as exit status 128 + n. */
function signalled(code: number | null): string | undefined {
  const name = code !== null && code > 128 ? SIGNAL_NAMES[code - 128] : undefined;
  return name ? `was killed by ${name} (exit status ${code})` : undefined;
}
