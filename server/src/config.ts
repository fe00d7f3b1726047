// Server configuration: one table of options, each settable by a command-line flag or an
// environment variable (flags win), with a default, bounds and a one-line description. The same
// table produces the CLI help and the README's configuration section.
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { ActorflowError, NETWORK_EVENT_TYPES, type Problem } from '@actorflow/network';

export interface ServerConfig {
  host: string;
  port: number;
  /** SQLite file of the run history; ':memory:' keeps it in memory (lost on exit). */
  db: string;
  /** Accepted API keys; empty = no authentication (allowed only on loopback). */
  apiKeys: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  maxConcurrentRuns: number;
  maxQueuedRuns: number;
  runTimeoutMs: number;
  maxRunTimeoutMs: number;
  waitTimeoutMs: number;
  bodyLimitBytes: number;
  maxNodes: number;
  maxEdges: number;
  maxIipBytes: number;
  eventLogLimit: number;
  /** Event types kept in the stored event log. */
  eventLogTypes: string[];
  retentionDays: number;
  retentionMaxRuns: number;
  rateLimitPerMinute: number;
  corsOrigins: string[];
  shutdownGraceMs: number;
  webhookAttempts: number;
  webhookBackoffMs: number;
  webhookTimeoutMs: number;
  wsQueueLimit: number;
  wsDropLimit: number;
  /** Zeal bridge (docs/zeal.md): REST base of Zeal; empty = tracing and templates off. */
  zealUrl: string;
  /** Zeal bridge: Socket.IO origin of ZIP; empty = the ZEAL_URL host on port 3001. */
  zealZipUrl: string;
  zealApiKey: string;
  zealNamespace: string;
  zealWorkflows: string[];
  /** FBP protocol (docs/fbp-protocol.md): the secret clients send; empty = the API keys guard the endpoint. */
  fbpSecret: string;
  /** FBP protocol: languages component:source may create components in; empty = not allowed. */
  fbpSourceLanguages: string[];
}

type Kind = 'string' | 'int' | 'list' | 'secret-list';

interface OptionSpec {
  key: keyof ServerConfig;
  env: string;
  flag: string;
  kind: Kind;
  default: ServerConfig[keyof ServerConfig];
  description: string;
  min?: number;
  max?: number;
  oneOf?: readonly string[];
}

/** Events emitted per firing or per message: not stored by default (they are for live watching). */
const PER_MESSAGE_EVENTS: readonly string[] = ['ActorStarted', 'ActorCompleted', 'MessageSent'];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MiB = 1024 * 1024;

/** Every option, in the order the README and `actorflow serve --help` list them. */
export const CONFIG_OPTIONS: readonly OptionSpec[] = [
  { key: 'host', env: 'ACTORFLOW_HOST', flag: 'host', kind: 'string', default: '127.0.0.1', description: 'Address to listen on. Anything beyond loopback requires an API key.' },
  { key: 'port', env: 'ACTORFLOW_PORT', flag: 'port', kind: 'int', default: 8080, min: 0, max: 65535, description: 'TCP port (0 = any free port).' },
  { key: 'db', env: 'ACTORFLOW_DB', flag: 'db', kind: 'string', default: 'actorflow.db', description: "SQLite file holding the run history (':memory:' = not persisted)." },
  { key: 'apiKeys', env: 'ACTORFLOW_API_KEY', flag: 'api-key', kind: 'secret-list', default: [], description: 'API key(s), comma-separated; clients send `Authorization: Bearer <key>` or `X-API-Key: <key>`. `ACTORFLOW_API_KEY_FILE` reads them from a file.' },
  { key: 'logLevel', env: 'ACTORFLOW_LOG_LEVEL', flag: 'log-level', kind: 'string', default: 'info', oneOf: LOG_LEVELS, description: 'pino log level.' },
  { key: 'maxConcurrentRuns', env: 'ACTORFLOW_MAX_CONCURRENT_RUNS', flag: 'max-concurrent-runs', kind: 'int', default: 64, min: 1, max: 100_000, description: 'Runs executing at once; more wait in the queue.' },
  { key: 'maxQueuedRuns', env: 'ACTORFLOW_MAX_QUEUED_RUNS', flag: 'max-queued-runs', kind: 'int', default: 10_000, min: 0, max: 1_000_000, description: 'Runs waiting to start; beyond it POST /workflows answers 503 QUEUE_FULL.' },
  { key: 'runTimeoutMs', env: 'ACTORFLOW_RUN_TIMEOUT_MS', flag: 'run-timeout-ms', kind: 'int', default: 300_000, min: 1, max: 2 ** 31 - 1, description: "Default per-run timeout (a request's `metadata.timeout_ms` may change it)." },
  { key: 'maxRunTimeoutMs', env: 'ACTORFLOW_MAX_RUN_TIMEOUT_MS', flag: 'max-run-timeout-ms', kind: 'int', default: 3_600_000, min: 1, max: 2 ** 31 - 1, description: 'Largest per-run timeout a request may ask for.' },
  { key: 'waitTimeoutMs', env: 'ACTORFLOW_WAIT_TIMEOUT_MS', flag: 'wait-timeout-ms', kind: 'int', default: 30_000, min: 1, max: 600_000, description: 'Longest `?wait=true` request; the default when `timeout` is not given.' },
  { key: 'bodyLimitBytes', env: 'ACTORFLOW_BODY_LIMIT', flag: 'body-limit', kind: 'int', default: MiB, min: 1024, max: 1024 * MiB, description: 'Largest request body in bytes (413 beyond).' },
  { key: 'maxNodes', env: 'ACTORFLOW_MAX_NODES', flag: 'max-nodes', kind: 'int', default: 1000, min: 1, max: 1_000_000, description: 'Largest graph accepted, in nodes.' },
  { key: 'maxEdges', env: 'ACTORFLOW_MAX_EDGES', flag: 'max-edges', kind: 'int', default: 5000, min: 1, max: 10_000_000, description: 'Largest graph accepted, in connections (IIPs included).' },
  { key: 'maxIipBytes', env: 'ACTORFLOW_MAX_IIP_BYTES', flag: 'max-iip-bytes', kind: 'int', default: 64 * 1024, min: 1, max: 1024 * MiB, description: 'Largest initial packet (IIP) or input value, in bytes of JSON.' },
  { key: 'eventLogLimit', env: 'ACTORFLOW_EVENT_LOG_LIMIT', flag: 'event-log-limit', kind: 'int', default: 1000, min: 0, max: 1_000_000, description: "Events kept per run in the history (the first and last halves; the rest are counted)." },
  { key: 'eventLogTypes', env: 'ACTORFLOW_EVENT_LOG_TYPES', flag: 'event-log-types', kind: 'list', default: NETWORK_EVENT_TYPES.filter((t) => !PER_MESSAGE_EVENTS.includes(t)), description: "Event types kept in the stored event log, comma-separated, or 'all'. The default leaves out the per-firing and per-message events (ActorStarted, ActorCompleted, MessageSent); watch those live on /ws." },
  { key: 'retentionDays', env: 'ACTORFLOW_RETENTION_DAYS', flag: 'retention-days', kind: 'int', default: 30, min: 0, max: 36_500, description: 'Finished runs older than this are deleted (0 = keep forever).' },
  { key: 'retentionMaxRuns', env: 'ACTORFLOW_RETENTION_MAX_RUNS', flag: 'retention-max-runs', kind: 'int', default: 100_000, min: 0, max: 1_000_000_000, description: 'Keep at most this many finished runs, newest first (0 = no limit).' },
  { key: 'rateLimitPerMinute', env: 'ACTORFLOW_RATE_LIMIT', flag: 'rate-limit', kind: 'int', default: 6000, min: 0, max: 100_000_000, description: 'Requests per minute per client (API key, else IP); 0 disables rate limiting.' },
  { key: 'corsOrigins', env: 'ACTORFLOW_CORS_ORIGINS', flag: 'cors-origins', kind: 'list', default: [], description: "Origins allowed by CORS, comma-separated, or '*'; empty = no CORS headers." },
  { key: 'shutdownGraceMs', env: 'ACTORFLOW_SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms', kind: 'int', default: 10_000, min: 0, max: 3_600_000, description: 'On SIGTERM, how long running runs may finish before they are cancelled.' },
  { key: 'webhookAttempts', env: 'ACTORFLOW_WEBHOOK_ATTEMPTS', flag: 'webhook-attempts', kind: 'int', default: 5, min: 1, max: 100, description: 'Delivery attempts per webhook event (retried with exponential backoff).' },
  { key: 'webhookBackoffMs', env: 'ACTORFLOW_WEBHOOK_BACKOFF_MS', flag: 'webhook-backoff-ms', kind: 'int', default: 500, min: 1, max: 3_600_000, description: 'Delay before the first webhook retry; doubled each retry (capped at 5 min).' },
  { key: 'webhookTimeoutMs', env: 'ACTORFLOW_WEBHOOK_TIMEOUT_MS', flag: 'webhook-timeout-ms', kind: 'int', default: 10_000, min: 1, max: 600_000, description: 'Timeout of one webhook delivery attempt.' },
  { key: 'wsQueueLimit', env: 'ACTORFLOW_WS_QUEUE_LIMIT', flag: 'ws-queue-limit', kind: 'int', default: 1000, min: 1, max: 1_000_000, description: 'Messages queued per WebSocket client before new events are dropped.' },
  { key: 'wsDropLimit', env: 'ACTORFLOW_WS_DROP_LIMIT', flag: 'ws-drop-limit', kind: 'int', default: 10_000, min: 1, max: 1_000_000_000, description: 'Dropped messages after which a slow WebSocket client is disconnected (close code 4008).' },
  { key: 'zealUrl', env: 'ZEAL_URL', flag: 'zeal-url', kind: 'string', default: '', description: 'Zeal IDE REST base (e.g. http://127.0.0.1:3000): run traces and template registration. Empty = off. See docs/zeal.md.' },
  { key: 'zealZipUrl', env: 'ZEAL_ZIP_URL', flag: 'zeal-zip-url', kind: 'string', default: '', description: "Zeal's ZIP Socket.IO URL for live events (default: the ZEAL_URL host on port 3001, path /zip/events)." },
  { key: 'zealApiKey', env: 'ZEAL_API_KEY', flag: 'zeal-api-key', kind: 'string', default: '', description: 'Token sent to Zeal as `Authorization: Bearer` (when Zeal has ZEAL_AUTH_ENABLED).' },
  { key: 'zealNamespace', env: 'ZEAL_NAMESPACE', flag: 'zeal-namespace', kind: 'string', default: 'actorflow', description: 'Namespace of the templates registered in Zeal (Zeal ids `<namespace>/<component>`).' },
  { key: 'zealWorkflows', env: 'ZEAL_WORKFLOWS', flag: 'zeal-workflows', kind: 'list', default: [], description: "Zeal workflow ids whose Execute button this server answers, comma-separated." },
  { key: 'fbpSecret', env: 'ACTORFLOW_FBP_SECRET', flag: 'fbp-secret', kind: 'string', default: '', description: 'Secret FBP protocol clients (IDEs, fbp-test) send with each message; empty = the FBP endpoint (ws://host:port/ and /fbp) is guarded by the API keys instead. See docs/fbp-protocol.md.' },
  { key: 'fbpSourceLanguages', env: 'ACTORFLOW_FBP_SOURCE_LANGUAGES', flag: 'fbp-source-languages', kind: 'list', default: [], description: 'Languages FBP clients may create components in with component:source (javascript, python), comma-separated; empty = refused.' },
];

/** The configuration with every option at its default. */
export function defaultConfig(): ServerConfig {
  const config = {} as Record<string, unknown>;
  for (const o of CONFIG_OPTIONS) config[o.key] = Array.isArray(o.default) ? [...o.default] : o.default;
  return config as unknown as ServerConfig;
}

/** The configuration was invalid; `problems` lists every bad option. */
export class ConfigError extends ActorflowError {
  override name = 'ConfigError';
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super('INVALID_CONFIG', `invalid configuration:\n${problems.map((p) => `  ${p.path}: ${p.message} (${p.hint})`).join('\n')}`, '');
    this.problems = problems;
  }
}

function problem(path: string, message: string, hint: string): Problem {
  return { code: 'INVALID_CONFIG', path, message, hint, severity: 'error' };
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseValue(spec: OptionSpec, raw: string, where: string, problems: Problem[]): unknown {
  switch (spec.kind) {
    case 'int': {
      const n = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
      const min = spec.min ?? 0;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        problems.push(problem(where, `'${raw}' is not an integer between ${min} and ${max}`, `set ${where} to a whole number in that range`));
        return undefined;
      }
      return n;
    }
    case 'list':
    case 'secret-list':
      return splitList(raw);
    case 'string': {
      const value = raw.trim();
      if (spec.oneOf && !spec.oneOf.includes(value)) {
        problems.push(problem(where, `'${value}' is not one of ${spec.oneOf.join(', ')}`, `set ${where} to one of ${spec.oneOf.join(', ')}`));
        return undefined;
      }
      return value;
    }
  }
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

/** Checks rules between options (each option alone was already checked). */
export function checkConfig(config: ServerConfig): Problem[] {
  const problems: Problem[] = [];
  if (!isLoopback(config.host) && config.apiKeys.length === 0) {
    problems.push(problem('ACTORFLOW_API_KEY', `the server would listen on ${config.host}, beyond loopback, without an API key`,
      'set ACTORFLOW_API_KEY (or ACTORFLOW_API_KEY_FILE), or listen on 127.0.0.1'));
  }
  for (const key of config.apiKeys) {
    if (key.length < 16) {
      problems.push(problem('ACTORFLOW_API_KEY', `an API key is only ${key.length} characters long`, 'use keys of at least 16 random characters, e.g. `openssl rand -hex 32`'));
      break;
    }
  }
  if (config.eventLogTypes.includes('all')) config.eventLogTypes = [...NETWORK_EVENT_TYPES];
  const unknownTypes = config.eventLogTypes.filter((t) => !(NETWORK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknownTypes.length) {
    problems.push(problem('ACTORFLOW_EVENT_LOG_TYPES', `unknown event type(s): ${unknownTypes.join(', ')}`, `use 'all' or some of ${NETWORK_EVENT_TYPES.join(', ')}`));
  }
  if (config.runTimeoutMs > config.maxRunTimeoutMs) {
    problems.push(problem('ACTORFLOW_RUN_TIMEOUT_MS', `the default run timeout (${config.runTimeoutMs} ms) exceeds the maximum (${config.maxRunTimeoutMs} ms)`, 'lower ACTORFLOW_RUN_TIMEOUT_MS or raise ACTORFLOW_MAX_RUN_TIMEOUT_MS'));
  }
  return problems;
}

/**
 * Resolves the configuration from flags (`{ 'max-nodes': '10' }`, as util.parseArgs returns them)
 * and the environment. Throws ConfigError listing every problem.
 */
export function loadConfig(flags: Readonly<Record<string, string | undefined>> = {}, env: Readonly<Record<string, string | undefined>> = process.env): ServerConfig {
  const config = defaultConfig() as unknown as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const spec of CONFIG_OPTIONS) {
    const fromFlag = flags[spec.flag];
    const fromEnv = env[spec.env];
    const raw = fromFlag ?? fromEnv;
    if (raw === undefined || raw === '') continue;
    const value = parseValue(spec, raw, fromFlag !== undefined ? `--${spec.flag}` : spec.env, problems);
    if (value !== undefined) config[spec.key] = value;
  }
  const keyFile = env.ACTORFLOW_API_KEY_FILE;
  if (keyFile && (config.apiKeys as string[]).length === 0) {
    try {
      config.apiKeys = splitList(readFileSync(keyFile, 'utf8').replace(/\s+/g, ','));
    } catch (err) {
      problems.push(problem('ACTORFLOW_API_KEY_FILE', `cannot read ${keyFile}: ${(err as Error).message}`, 'point ACTORFLOW_API_KEY_FILE at a readable file with one key per line'));
    }
  }
  const result = config as unknown as ServerConfig;
  problems.push(...checkConfig(result));
  if (problems.length) throw new ConfigError(problems);
  return result;
}

/** Validates a configuration given in code (tests, embedding): fills defaults, checks rules. */
export function resolveConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const config: ServerConfig = { ...defaultConfig(), ...overrides };
  const problems = checkConfig(config);
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Markdown table of every option (the README's configuration section is generated from it). */
export function configTable(): string {
  const fmt = (o: OptionSpec) => {
    const d = o.default;
    if (o.kind === 'secret-list') return '(none)';
    if (Array.isArray(d)) return d.length ? d.join(',') : '(none)';
    return `\`${String(d)}\``;
  };
  const rows = CONFIG_OPTIONS.map((o) => `| \`${o.env}\` | \`--${o.flag}\` | ${fmt(o)} | ${o.description} |`);
  return ['| environment | flag | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
