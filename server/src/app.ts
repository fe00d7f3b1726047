// buildServer(): the fastify application — configuration, logging with request and run ids, API
// keys, rate limits, CORS, body limits, JSON Schema validation with precise problems, the OpenAPI
// document, the run history, the execution engine, metrics, the REST routes and the /ws hub.
// Used by the CLI (`actorflow serve`) and by tests (listen on 127.0.0.1, port 0).
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import type { DestinationStream } from 'pino';
import { ComponentRegistry } from '@actorflow/network';
import { installAuth } from './auth.ts';
import { resolveConfig, type ServerConfig } from './config.ts';
import { ExecutionEngine } from './engine/engine.ts';
import { installErrorHandling } from './error-handler.ts';
import { fbpPlugin } from './fbp/plugin.ts';
import { ApiError } from './errors.ts';
import { scheduleRetention, type Retention } from './history/retention.ts';
import { HistoryStore } from './history/store.ts';
import { loggerOptions, requestId } from './logging.ts';
import { ServerMetrics } from './metrics.ts';
import { componentRoutes } from './routes/components.ts';
import { docsRoutes } from './routes/docs.ts';
import { graphRoutes } from './routes/graphs.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { workflowRoutes } from './routes/workflows.ts';
import { wsRoutes } from './routes/ws.ts';
import { SHARED_SCHEMAS } from './schemas/index.ts';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { lazySerializers, validatorCompiler } from './validation.ts';
import { SERVER_VERSION } from './version.ts';
import { WsHub } from './ws/hub.ts';
import { zealPlugin } from './zeal/plugin.ts';

/** What the server is made of; other plugins (Zeal, FBP) reach the engine through `app.actorflow`. */
export interface ServerContext {
  config: ServerConfig;
  registry: ComponentRegistry;
  history: HistoryStore;
  engine: ExecutionEngine;
  metrics: ServerMetrics;
  hub: WsHub;
  /** Ids of the runs found Queued/Running at start (left by a process that died) and marked Failed. */
  recovered: string[];
  /**
   * Settles once the server is ready for everything: the component library registered and the
   * start-up retention pass done. Only /health is answered before (the start-up stays short).
   * Calling it starts the loading if it has not started yet.
   */
  ready(): Promise<void>;
  /**
   * Settles when the loading started by `ready()` ends: resolves once it succeeded, rejects with
   * its failure. Waiting on it does not start the loading.
   */
  loaded: Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    actorflow: ServerContext;
  }
}

export interface BuildServerOptions {
  /** Settings; anything left out has its default (see config.ts). */
  config?: Partial<ServerConfig>;
  /**
   * The component registry (default: every component the server offers, loaded in the background
   * while the server starts: requests other than /health wait for it).
   */
  registry?: ComponentRegistry;
  /** Where log lines go (default stdout). */
  logStream?: DestinationStream;
  /** Environment graphs may read through env_vars (default: process.env without ACTORFLOW_* and ZEAL_*). */
  graphEnv?: Record<string, string | undefined>;
}

/** Close code for WebSocket clients when the server shuts down. */
const GOING_AWAY = 1001;

/**
 * How long after the server starts listening the component library starts loading: a probe sent
 * as the port opens is answered first, since the loading then holds the event loop for ~100 ms
 * (in steps, between which requests are served, but a request needs a few of them).
 */
const LOAD_DELAY_MS = 20;

/**
 * Loads the component library (a large module graph: the longest part of a cold start) after the
 * server is up; a failure to load it is fatal, as it would be at start.
 */
function importComponents(registry: ComponentRegistry, app: FastifyInstance): Promise<void> {
  return import('./registry.ts')
    .then((m) => m.loadComponents(registry))
    .catch((err: unknown) => {
      app.log.fatal({ err }, 'the component library could not be loaded');
      throw err;
    });
}

export async function buildServer(options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const config = resolveConfig(options.config);
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    genReqId: requestId,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    bodyLimit: config.bodyLimitBytes,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    trustProxy: false,
    // Closing waits for running runs (the shutdown grace period).
    pluginTimeout: config.shutdownGraceMs + 10_000,
    // Response serializers are compiled on first use (start-up time).
    schemaController: { compilersFactory: { buildSerializer: lazySerializers(SerializerSelector() as never) as never } },
  });
  const validators = validatorCompiler(SHARED_SCHEMAS);
  app.setValidatorCompiler(validators);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  installErrorHandling(app, config.bodyLimitBytes);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const registry = options.registry ?? new ComponentRegistry();

  const history = new HistoryStore(config.db);
  const recovered = history.recoverInterrupted();
  if (recovered.length) app.log.warn({ runs: recovered.length }, 'marked runs interrupted by the previous process as Failed');
  // The component library loads just after the server starts listening (or at the first request,
  // for a server that is only injected into), so the first answer does not wait for it.
  let readiness: Promise<void> | undefined;
  const { promise: loaded, resolve: markLoaded, reject: markFailed } = Promise.withResolvers<void>();
  loaded.catch(() => {}); // a failure is logged where it happens; who awaits `loaded` sees it too
  // Retention (its first pass, then every few minutes) starts with the loading too: its deletes
  // start the history's threads, which the first answer need not wait for.
  let retention: Retention | undefined;
  const load = async () => {
    retention = scheduleRetention(history, { maxAgeMs: config.retentionDays * 86_400_000, maxRuns: config.retentionMaxRuns }, app.log);
    try {
      await Promise.all([options.registry ? undefined : importComponents(registry, app), retention.firstPass]);
      markLoaded();
    } catch (err) {
      markFailed(err);
      throw err;
    }
  };
  const ready = () => (readiness ??= load());
  // Schemas not used yet are compiled once the server is ready, off the start-up path.
  loaded.then(() => setImmediate(() => validators.precompile()).unref(), () => {});
  app.addHook('onListen', async () => {
    setTimeout(() => void ready().catch(() => {}), LOAD_DELAY_MS); // failures are logged; requests then fail with them
  });
  app.addHook('onRequest', async (request) => {
    if (request.url !== '/health') await ready();
  });
  const metrics = new ServerMetrics();
  const engine = new ExecutionEngine({
    registry, history, logger: app.log,
    limits: { maxNodes: config.maxNodes, maxEdges: config.maxEdges, maxIipBytes: config.maxIipBytes },
    maxConcurrentRuns: config.maxConcurrentRuns, maxQueuedRuns: config.maxQueuedRuns,
    runTimeoutMs: config.runTimeoutMs, maxRunTimeoutMs: config.maxRunTimeoutMs, eventLogLimit: config.eventLogLimit, eventLogTypes: config.eventLogTypes,
    webhooks: { attempts: config.webhookAttempts, backoffMs: config.webhookBackoffMs, maxBackoffMs: 300_000, timeoutMs: config.webhookTimeoutMs },
    onWebhookResult: (delivered) => metrics.webhook(delivered),
    ...(options.graphEnv ? { env: options.graphEnv } : {}),
  });
  metrics.observe(engine);
  const hub = new WsHub({ engine, config, metrics, logger: app.log, sharedSchemas: SHARED_SCHEMAS });
  app.decorate('actorflow', { config, registry, history, engine, metrics, hub, recovered, ready, loaded });

  app.addHook('onResponse', async (request, reply) => {
    // A refused WebSocket upgrade (401, 404, 429…) must not leave its socket open: nothing else
    // would ever close it, and shutdown would wait for it.
    if (reply.statusCode >= 400 && request.headers.upgrade) request.raw.socket?.end();
    metrics.httpRequests.inc({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });
  if (config.corsOrigins.length) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'idempotency-key', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'location', 'idempotent-replayed'],
      methods: ['GET', 'POST', 'OPTIONS'],
    });
  }
  installAuth(app, config.apiKeys);
  if (config.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.clientId !== 'anonymous' ? request.clientId : request.ip),
      errorResponseBuilder: (_request, context) => new ApiError('RATE_LIMITED', `more than ${context.max} requests per minute`, `slow down; retry in ${Math.ceil(context.ttl / 1000)} s (Retry-After)`),
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Actorflow server', version: SERVER_VERSION, description: 'Run flow graphs headless and watch them live. Responses use Reflow\'s envelope {success, data, error, timestamp}.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
      security: config.apiKeys.length ? [{ bearer: [] }, { apiKey: [] }] : [],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(websocket, {
    options: { maxPayload: config.bodyLimitBytes },
    // Runs end first (their subscribers get the terminal events), then the sockets close.
    preClose: async () => {
      await engine.shutdown(config.shutdownGraceMs);
      hub.closeAll(GOING_AWAY, 'server shutting down');
      app.websocketServer.close();
    },
  });
  app.addHook('onClose', async () => {
    retention?.stop();
    metrics.close();
    await history.close();
  });

  await app.register(healthRoutes);
  await app.register(workflowRoutes);
  await app.register(componentRoutes);
  await app.register(graphRoutes);
  await app.register(metricsRoutes);
  await app.register(docsRoutes);
  await app.register(wsRoutes);
  await app.register(fbpPlugin);
  await app.register(zealPlugin);
  return app;
}
