// ZealIntegration: the Zeal bridge of one server. Registers the component library as Zeal
// templates, keeps one ZIP connection per Zeal workflow, gives every run an EventBridge feeding a
// ZipSession (runs of Zeal workflows) and a TraceCollector (every run, when ZEAL_URL is set), and
// turns Zeal's Execute button (`control.event`) and stored graphs (`workflow.state`,
// `workflow.published`) into runs through the execution engine.
import { Graph, type ComponentRegistry } from '@actorflow/network';
import type { ZealConfig } from './config.ts';
import { convertZealWorkflow, ZealConversionError, type ConversionResult } from './converter.ts';
import { EventBridge, type BridgeReport } from './event-bridge.ts';
import { silentLogger, type ZealLogger } from './logger.ts';
import { ZealMapping } from './mapping.ts';
import type { StatsSnapshot } from './node-activity.ts';
import { backoffDelay, ZealRestClient } from './rest-client.ts';
import type { BridgedRun, ExecutionOutcome, NetworkEventHub } from './run.ts';
import type { BridgeSink } from './sink.ts';
import { syncGraph } from './graph-sync.ts';
import { registerTemplates, type TemplateRegistration } from './templates.ts';
import { TemplateResolver } from './template-resolver.ts';
import { TraceCollector } from './trace-collector.ts';
import type { ControlEventMessage, WorkflowStateMessage, ZipBroadcastEvent } from './wire.ts';
import { ZipConnection, type ZipConnectionStats } from './zip-connection.ts';
import { ZipSession } from './zip-session.ts';

/** Zeal's side of a run that Zeal started (stored in the run's metadata under `zeal`). */
export interface ZealRunContext {
  workflowId: string;
  /** Zeal's execution id (`exec_<ms>_<rand>`), also used as the run's id. */
  executionId?: string;
  /** Zeal's trace session id from the Execute button (`trace_<ms>`). */
  sessionId?: string;
  triggeredBy?: string;
  /** Version of the Zeal workflow the graph came from. */
  version?: number;
}

/** A run the bridge should follow. */
export interface ObservedExecution {
  id: string;
  /** What started it ('rest', 'zeal', 'cli', …). */
  source?: string;
  /** The run's metadata (`zeal` holds a ZealRunContext for runs Zeal started; `workflow_id`). */
  metadata?: Record<string, unknown>;
  /** The running graph (edits to it apply live). */
  graph: Graph;
  events: NetworkEventHub;
  /** The network's statistics now (`net.stats()`). */
  stats: () => StatsSnapshot;
}

/** A followed run: call `finish` once with how it ended (and its final statistics, when known). */
export interface ObservedRun {
  readonly run: BridgedRun;
  finish(outcome: ExecutionOutcome, finalStats?: StatsSnapshot): Promise<BridgeReport>;
  report(): BridgeReport;
}

/** Starts a run through the execution engine. */
export type RunLauncher = (request: { graph: Graph; input: Record<string, unknown>; metadata: Record<string, unknown> }) => Promise<{ id: string }>;

export interface ZealIntegrationOptions {
  config: ZealConfig;
  registry: ComponentRegistry;
  /** How Zeal-triggered runs start (the engine's submit). Without it, Execute answers with a failure. */
  launch?: RunLauncher;
  log?: ZealLogger;
  /** Extra template id → component aliases (e.g. Reflow's `tpl_*` ids from the component library). */
  aliases?: Readonly<Record<string, string>>;
  /** Called with each run's final bridge report (what was delivered and dropped). */
  onReport?: (executionId: string, report: BridgeReport) => void;
}

export interface ZealStatus {
  trace: boolean;
  live: boolean;
  restUrl: string | null;
  zipUrl: string | null;
  namespace: string;
  templates: TemplateRegistration | null;
  connections: ZipConnectionStats[];
  runs: { active: number; followed: number; dropped: number };
}

interface WorkflowSource {
  doc: unknown;
  version: number | undefined;
}

interface ActiveRun {
  run: BridgedRun;
  graph: Graph;
}

/** Executions Zeal triggered recently, to start each once (control.event and its zip.event twin). */
const TRIGGER_MEMORY = 1000;
/** An idle connection to a workflow not listed in ZEAL_WORKFLOWS closes after this long. */
const IDLE_CLOSE_MS = 5 * 60_000;

export class ZealIntegration {
  readonly config: ZealConfig;
  readonly resolver: TemplateResolver;
  readonly #registry: ComponentRegistry;
  readonly #launch: RunLauncher | undefined;
  readonly #log: ZealLogger;
  readonly #onReport: ZealIntegrationOptions['onReport'];
  readonly #rest: ZealRestClient | undefined;
  readonly #connections = new Map<string, ZipConnection>();
  readonly #connectionUsers = new Map<string, number>();
  readonly #idleTimers = new Map<string, NodeJS.Timeout>();
  readonly #sources = new Map<string, WorkflowSource>();
  readonly #active = new Set<ActiveRun>();
  readonly #triggered = new Set<string>();
  #templates: TemplateRegistration | null = null;
  /** A full registration succeeded: later ones only register new or replaced components. */
  #templatesDone = false;
  #templateWaiters: ((result: TemplateRegistration) => void)[] = [];
  #templateTimer: NodeJS.Timeout | undefined;
  #templateAttempt = 0;
  #pendingComponents = new Set<string>();
  #unwatchRegistry: (() => void) | undefined;
  #followed = 0;
  #droppedTotal = 0;
  #closed = false;

  constructor(options: ZealIntegrationOptions) {
    this.config = options.config;
    this.#registry = options.registry;
    this.#launch = options.launch;
    this.#log = options.log ?? silentLogger;
    this.#onReport = options.onReport;
    this.resolver = new TemplateResolver(options.registry, options.config.namespace, options.aliases);
    const c = options.config;
    if (c.restUrl) {
      this.#rest = new ZealRestClient({
        baseUrl: c.restUrl, apiKey: c.apiKey, timeoutMs: c.trace.requestTimeoutMs,
        retry: { attempts: c.trace.attempts, baseMs: c.trace.retryBaseMs, maxMs: c.trace.retryMaxMs },
      });
    }
  }

  /** Traces go to Zeal (ZEAL_URL is set). */
  get tracing(): boolean {
    return this.#rest !== undefined;
  }

  /** Live events go to Zeal (a ZIP URL is known). */
  get live(): boolean {
    return this.config.zipUrl !== undefined;
  }

  /**
   * Starts the background work: template registration (retried until Zeal answers, and again for
   * components registered later) and the ZIP connections of ZEAL_WORKFLOWS. Never throws for
   * Zeal being unreachable.
   */
  start(): void {
    if (this.#rest && this.config.registerTemplates) {
      this.#scheduleTemplates(0);
      this.#unwatchRegistry = this.#registry.on((change) => {
        if (change.type === 'removed') return;
        this.#pendingComponents.add(change.name);
        if (this.#templatesDone && !this.#templateTimer) this.#scheduleTemplates(200);
      });
    }
    for (const workflowId of this.config.workflows) this.#connection(workflowId);
  }

  // ---------------------------------------------------------------- templates

  #scheduleTemplates(delayMs: number): void {
    clearTimeout(this.#templateTimer);
    this.#templateTimer = setTimeout(() => {
      this.#templateTimer = undefined;
      void this.#registerTemplates();
    }, delayMs);
    this.#templateTimer.unref();
  }

  async #registerTemplates(): Promise<void> {
    if (!this.#rest || this.#closed) return;
    const only = this.#templatesDone ? [...this.#pendingComponents] : undefined;
    this.#pendingComponents.clear();
    let result: TemplateRegistration;
    try {
      result = await registerTemplates(this.#rest, this.#registry, this.config.namespace, only);
      this.#templateAttempt = 0;
      this.#templatesDone = true;
      this.#log.info({ registered: result.registered, alreadyRegistered: result.alreadyRegistered, failed: result.failed.length }, 'zeal: templates registered');
      if (result.failed.length > 0) this.#log.warn({ failed: result.failed.slice(0, 10) }, 'zeal: Zeal refused some templates');
    } catch (err) {
      for (const name of only ?? []) this.#pendingComponents.add(name);
      result = { namespace: this.config.namespace, total: only?.length ?? this.#registry.names().length, registered: 0, alreadyRegistered: 0, failed: [], categories: { created: 0, existing: 0 }, error: (err as Error).message, at: Date.now() };
      const retryIn = backoffDelay(++this.#templateAttempt, 1000, 60_000);
      this.#log.warn({ err: (err as Error).message, retryInMs: retryIn }, 'zeal: template registration failed; will retry');
      if (!this.#closed) this.#scheduleTemplates(retryIn);
    }
    if (!only || !this.#templates || this.#templates.error) this.#templates = result;
    else {
      const t = this.#templates;
      this.#templates = { ...result, total: t.total + result.total, registered: t.registered + result.registered, alreadyRegistered: t.alreadyRegistered + result.alreadyRegistered, failed: [...t.failed, ...result.failed] };
    }
    for (const resolve of this.#templateWaiters.splice(0)) resolve(result);
    if (this.#pendingComponents.size > 0 && !this.#templateTimer && !this.#closed) this.#scheduleTemplates(200);
  }

  /** Resolves with the result of the next registration attempt (successful or not). */
  nextTemplateRegistration(): Promise<TemplateRegistration> {
    return new Promise((resolve) => this.#templateWaiters.push(resolve));
  }

  /** The last template registration (null until it ran). */
  get templates(): TemplateRegistration | null {
    return this.#templates;
  }

  // ---------------------------------------------------------------- connections

  #connection(workflowId: string): ZipConnection | undefined {
    if (!this.config.zipUrl || this.#closed) return undefined;
    let conn = this.#connections.get(workflowId);
    if (conn && (conn.state === 'rejected' || conn.state === 'closed')) {
      conn.close();
      conn = undefined;
    }
    if (!conn) {
      conn = new ZipConnection({
        url: this.config.zipUrl, path: this.config.zipPath, workflowId, apiKey: this.config.apiKey, tuning: this.config.zip, log: this.#log,
        handlers: {
          workflowState: (msg) => this.#onWorkflowState(workflowId, msg),
          control: (msg) => this.#onControl(workflowId, msg),
          zipEvent: (evt) => this.#onZipEvent(workflowId, evt),
        },
      });
      this.#connections.set(workflowId, conn);
    }
    return conn;
  }

  /** The ZIP connection of a workflow, opened on first use (undefined when live events are off). */
  connection(workflowId: string): ZipConnection | undefined {
    return this.#connection(workflowId);
  }

  #use(workflowId: string, delta: 1 | -1): void {
    const users = (this.#connectionUsers.get(workflowId) ?? 0) + delta;
    this.#connectionUsers.set(workflowId, users);
    clearTimeout(this.#idleTimers.get(workflowId));
    this.#idleTimers.delete(workflowId);
    if (users > 0 || this.config.workflows.includes(workflowId)) return;
    const timer = setTimeout(() => {
      this.#idleTimers.delete(workflowId);
      if ((this.#connectionUsers.get(workflowId) ?? 0) > 0) return;
      this.#connections.get(workflowId)?.close();
      this.#connections.delete(workflowId);
      this.#connectionUsers.delete(workflowId);
    }, IDLE_CLOSE_MS);
    timer.unref();
    this.#idleTimers.set(workflowId, timer);
  }

  // ---------------------------------------------------------------- Zeal → runs

  #onWorkflowState(workflowId: string, msg: WorkflowStateMessage): void {
    this.#updateSource(workflowId, msg, msg?.data?.version);
  }

  #onZipEvent(workflowId: string, evt: ZipBroadcastEvent): void {
    if (evt.type === 'workflow.published') {
      this.#updateSource(workflowId, evt, typeof evt.version === 'number' ? evt.version : undefined);
    } else if (evt.type === 'execution.started' && evt.trigger) {
      // Zeal's own Execute (its control.event follows; whichever comes first starts the run).
      const meta = evt.metadata ?? {};
      const executionId = typeof meta.executionId === 'string' ? meta.executionId : undefined;
      if (executionId) {
        const trigger = evt.trigger as { source?: unknown };
        const input = meta.input && typeof meta.input === 'object' && !Array.isArray(meta.input) ? meta.input as Record<string, unknown> : {};
        this.#trigger({ workflowId, executionId, ...(typeof evt.sessionId === 'string' ? { sessionId: evt.sessionId } : {}), ...(typeof trigger.source === 'string' ? { triggeredBy: trigger.source } : {}) }, input);
      }
    }
  }

  #onControl(workflowId: string, msg: ControlEventMessage): void {
    if (msg?.type !== 'control.execution.start') {
      this.#log.debug({ workflowId, type: msg?.type }, 'zeal: ignoring an unknown control event');
      return;
    }
    const d = msg.data ?? {};
    this.#trigger({
      workflowId,
      ...(typeof d.executionId === 'string' ? { executionId: d.executionId } : {}),
      ...(typeof d.sessionId === 'string' ? { sessionId: d.sessionId } : {}),
      ...(typeof d.triggeredBy === 'string' ? { triggeredBy: d.triggeredBy } : {}),
    });
  }

  /** Stores the newest graph of a workflow and applies it to the workflow's live runs. */
  #updateSource(workflowId: string, doc: unknown, version: number | undefined): void {
    const known = this.#sources.get(workflowId);
    if (known && version !== undefined && known.version !== undefined && version < known.version) return;
    this.#sources.set(workflowId, { doc, version });
    for (const active of this.#active) {
      if (active.run.workflowId !== workflowId) continue;
      try {
        const next = this.convert(doc, workflowId).graph;
        const changes = syncGraph(active.graph, next);
        active.run.mapping = ZealMapping.fromGraph(active.graph);
        this.#log.info({ workflowId, version, changes }, 'zeal: applied the updated workflow to its live run');
      } catch (err) {
        this.#log.warn({ workflowId, version, err: (err as Error).message }, 'zeal: the updated workflow could not be applied to its live run');
      }
    }
  }

  /** Starts the run Zeal asked for (once per Zeal execution id); `input` feeds the graph's exported inports. */
  #trigger(ctx: ZealRunContext, input: Record<string, unknown> = {}): void {
    if (ctx.executionId) {
      if (this.#triggered.has(ctx.executionId)) return;
      this.#triggered.add(ctx.executionId);
      if (this.#triggered.size > TRIGGER_MEMORY) this.#triggered.delete(this.#triggered.values().next().value!);
    }
    void this.#startTriggered(ctx, input);
  }

  async #startTriggered(ctx: ZealRunContext, input: Record<string, unknown>): Promise<void> {
    const source = this.#sources.get(ctx.workflowId);
    try {
      if (!source) {
        throw new Error(`Zeal sent no graph for workflow ${ctx.workflowId}: save or publish it so Zeal stores a version (the runtime takes graphs from workflow.state / workflow.published)`);
      }
      if (!this.#launch) throw new Error('this Actorflow server cannot start runs from Zeal (no execution engine)');
      const conversion = this.convert(source.doc, ctx.workflowId);
      const context: ZealRunContext = source.version !== undefined ? { ...ctx, version: source.version } : ctx;
      const { id } = await this.#launch({ graph: conversion.graph, input, metadata: this.runMetadata(context) });
      this.#log.info({ workflowId: ctx.workflowId, executionId: id, zealExecutionId: ctx.executionId }, 'zeal: started a run for Execute');
    } catch (err) {
      this.#log.warn({ workflowId: ctx.workflowId, executionId: ctx.executionId, err: (err as Error).message }, 'zeal: could not start the run Zeal asked for');
      await this.#reportTriggerFailure(ctx, err);
    }
  }

  /** Tells Zeal (live) that the run it asked for could not start: execution.started then execution.failed. */
  async #reportTriggerFailure(ctx: ZealRunContext, err: unknown): Promise<void> {
    const conn = this.#connection(ctx.workflowId);
    if (!conn) return;
    const id = ctx.executionId ?? `zeal_${Date.now()}`;
    const run: BridgedRun = {
      executionId: id, zealExecutionId: id, sessionId: ctx.sessionId ?? id, workflowId: ctx.workflowId, workflowName: ctx.workflowId,
      trigger: 'zeal', startedAt: Date.now(), mapping: ZealMapping.fromGraph(new Graph()),
    };
    const session = new ZipSession(conn, run);
    const code = err instanceof ZealConversionError ? err.code : (err as { code?: unknown })?.code;
    await session.finish({ status: 'failed', durationMs: 0, error: { message: (err as Error).message, code: typeof code === 'string' ? code : 'RUN_NOT_STARTED' } });
  }

  /** Run metadata for a run of a Zeal workflow (what the engine stores and hands back to observe()). */
  runMetadata(ctx: ZealRunContext): Record<string, unknown> {
    return { ...(ctx.executionId ? { execution_id: ctx.executionId } : {}), workflow_id: ctx.workflowId, zeal: ctx };
  }

  // ---------------------------------------------------------------- conversion

  /** Converts a Zeal workflow document; throws ZealConversionError listing every problem. */
  convert(doc: unknown, workflowId?: string): ConversionResult {
    return convertZealWorkflow(doc, { registry: this.#registry, resolver: this.resolver, namespace: this.config.namespace, ...(workflowId ? { workflowId } : {}) });
  }

  // ---------------------------------------------------------------- runs → Zeal

  /**
   * Follows one run: an EventBridge subscribed to its events, feeding a ZipSession (when the run
   * belongs to a Zeal workflow and live events are on) and a TraceCollector (when tracing is on).
   * Returns undefined when there is nothing to feed. Call `finish` with the outcome.
   */
  observe(execution: ObservedExecution): ObservedRun | undefined {
    // Without Zeal configured there is nothing to send (and runs are not mapped for nothing).
    if (this.#closed || (!this.tracing && !this.live)) return undefined;
    const mapping = ZealMapping.fromGraph(execution.graph);
    const ctx = execution.metadata?.zeal as ZealRunContext | undefined;
    const zealWorkflow = (typeof ctx?.workflowId === 'string' ? ctx.workflowId : undefined) ?? mapping.workflowId;
    const metaWorkflow = typeof execution.metadata?.workflow_id === 'string' ? execution.metadata.workflow_id : undefined;
    const workflowId = zealWorkflow ?? metaWorkflow ?? (execution.graph.name || execution.id);
    const run: BridgedRun = {
      executionId: execution.id,
      zealExecutionId: ctx?.executionId ?? execution.id,
      sessionId: ctx?.sessionId ?? execution.id,
      workflowId,
      workflowName: mapping.workflowName ?? workflowId,
      trigger: execution.source ?? 'api',
      startedAt: Date.now(),
      mapping,
    };
    const sinks: BridgeSink[] = [];
    const conn = zealWorkflow ? this.#connection(zealWorkflow) : undefined;
    if (conn) sinks.push(new ZipSession(conn, run));
    if (this.#rest) sinks.push(new TraceCollector(this.#rest, run, this.config.trace));
    if (sinks.length === 0) return undefined;
    const bridge = new EventBridge({
      sinks, windowMs: this.config.windowMs, finishTimeoutMs: this.config.finishTimeoutMs, bufferSize: this.config.bridgeBufferSize,
      onSinkError: (sink, err) => this.#log.error({ err, sink, executionId: execution.id }, 'zeal: a bridge sink failed; its events are counted as dropped'),
    });
    bridge.attach({ hub: execution.events, graph: execution.graph, stats: execution.stats, ...(conn ? { streamNodes: this.#streamNodes(execution.graph) } : {}) });
    this.#followed++;
    const active: ActiveRun = { run, graph: execution.graph };
    if (zealWorkflow) {
      this.#active.add(active);
      this.#use(zealWorkflow, 1);
    }
    let finished: Promise<BridgeReport> | undefined;
    return {
      run,
      report: () => bridge.report(),
      finish: (outcome, finalStats) => {
        finished ??= bridge.finish(outcome, finalStats).then((report) => {
          this.#active.delete(active);
          if (zealWorkflow) this.#use(zealWorkflow, -1);
          this.#droppedTotal += report.dropped;
          if (report.dropped > 0) this.#log.warn({ executionId: execution.id, dropped: report.dropped, report }, 'zeal: some of the run\'s events did not reach Zeal');
          try {
            this.#onReport?.(execution.id, report);
          } catch (err) {
            this.#log.error({ err, executionId: execution.id }, 'zeal: recording the bridge report failed');
          }
          return report;
        });
        return finished;
      },
    };
  }

  /** Nodes with a binary or stream outport: their byte streams are forwarded to Zeal as frames. */
  #streamNodes(graph: Graph): string[] {
    const out: string[] = [];
    for (const node of graph.nodes.values()) {
      if (!this.#registry.has(node.component)) continue;
      if (this.#registry.info(node.component).outports.some((p) => p.type.type === 'binary' || p.type.type === 'stream')) out.push(node.id);
    }
    return out;
  }

  status(): ZealStatus {
    return {
      trace: this.tracing, live: this.live, restUrl: this.config.restUrl ?? null, zipUrl: this.config.zipUrl ?? null,
      namespace: this.config.namespace, templates: this.#templates,
      connections: [...this.#connections.values()].map((c) => c.stats()),
      runs: { active: this.#active.size, followed: this.#followed, dropped: this.#droppedTotal },
    };
  }

  /** Closes every connection and stops background work; runs still followed finish unbridged. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#templateTimer);
    this.#unwatchRegistry?.();
    for (const t of this.#idleTimers.values()) clearTimeout(t);
    for (const conn of this.#connections.values()) conn.close();
    this.#connections.clear();
    this.#rest?.close();
  }
}
