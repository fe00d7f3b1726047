// The FBP Network Protocol endpoint as a fastify plugin: WebSocket at `/` (where fbp-test and FBP
// IDEs connect) and at `/fbp`, subprotocol `noflo` echoed. Graphs built over it run on the
// server's ExecutionEngine like every other run (source 'fbp'). See docs/fbp-protocol.md.
//
// Access: with ACTORFLOW_FBP_SECRET set, the endpoint is open at the HTTP level (FBP clients
// cannot send API-key headers) and every command but runtime:getruntime needs the secret; without
// it, the server's API keys (header or `?api_key=`) guard the upgrade like any other route.
import type { FastifyInstance } from 'fastify';
import { failure } from '../envelope.ts';
import { FbpRuntime, type FbpLimits } from './runtime.ts';
import type { SamplingLimits } from './hosted-graph.ts';
import { ScriptCompiler } from './script-compiler.ts';
import type { ComponentCompiler } from './source-components.ts';

export interface FbpPluginOptions {
  /** Secret FBP clients must send; default: the server configuration's `fbpSecret` (ACTORFLOW_FBP_SECRET). */
  secret?: string;
  /**
   * Makes components from source for component:source; default: script components in the languages
   * of the configuration's `fbpSourceLanguages` (ACTORFLOW_FBP_SOURCE_LANGUAGES), none when empty.
   */
  compiler?: ComponentCompiler | null;
  /** Graphs held at once (default 100). */
  maxGraphs?: number;
  /** Sampling of network events sent to clients. */
  sampling?: SamplingLimits;
}

/** Close code for FBP clients when the server shuts down. */
const GOING_AWAY = 1001;

declare module 'fastify' {
  interface FastifyInstance {
    fbp: FbpRuntime;
  }
}

/** Mounted on the server itself (not encapsulated), so `app.fbp` is visible to the app and its tests. */
export async function fbpPlugin(app: FastifyInstance, options: FbpPluginOptions = {}): Promise<void> {
  const { engine, registry, config } = app.actorflow;
  const secret = options.secret ?? config.fbpSecret;
  const limits: FbpLimits = {
    maxGraphs: options.maxGraphs ?? 100, maxNodes: config.maxNodes, maxEdges: config.maxEdges,
    maxIipBytes: config.maxIipBytes, runTimeoutMs: config.maxRunTimeoutMs,
  };
  const scripts = options.compiler === undefined && config.fbpSourceLanguages.length > 0 ? new ScriptCompiler(config.fbpSourceLanguages) : null;
  const runtime = new FbpRuntime({
    engine, registry, logger: app.log.child({ component: 'fbp' }), secret, limits, compiler: options.compiler ?? scripts,
    queueLimit: config.wsQueueLimit, dropLimit: config.wsDropLimit, ...(options.sampling ? { sampling: options.sampling } : {}),
  });
  app.decorate('fbp', runtime);
  // Interactive networks have nothing to finish: they stop before the engine's shutdown grace.
  app.addHook('preClose', async () => runtime.close(GOING_AWAY, 'server shutting down'));
  app.addHook('onClose', async () => scripts?.close());

  for (const url of ['/', '/fbp']) {
    app.route({
      method: 'GET',
      url,
      config: { public: secret !== '' },
      schema: {
        tags: ['websocket'],
        summary: 'WebSocket: the FBP Network Protocol (subprotocol `noflo`) for FBP IDEs and fbp-test; see docs/fbp-protocol.md',
        querystring: { type: 'object', properties: { api_key: { type: 'string' } } },
      },
      // A plain HTTP request gets told what is here.
      handler: async (request, reply) => reply.code(426).header('upgrade', 'websocket').send(failure(
        'UPGRADE_REQUIRED', `${url} is the FBP Network Protocol endpoint (WebSocket)`,
        `connect an FBP client to ws://<host>:<port>${url} with the WebSocket subprotocol \`noflo\`; see docs/fbp-protocol.md`, undefined, request.id,
      )),
      wsHandler: (socket, request) => {
        runtime.connect(socket, request.log);
      },
    });
  }
}
// What fastify-plugin does: the plugin's decorator and hooks apply to the server it is registered on.
Object.assign(fbpPlugin, { [Symbol.for('skip-override')]: true });
