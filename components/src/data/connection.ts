// Connection settings of the server databases (PostgreSQL, MySQL/MariaDB): the config schema the
// components share, and their resolution — a connection string, then explicit fields over it,
// `${env.NAME}` references from the node's env_vars, and defaults. Nothing is taken from the
// server's own environment (PGPASSWORD and friends), so a graph sees only what it declares.
import { ActorflowError } from '@actorflow/network';
import { resolveEnvRefs } from '../integration/checks.ts';

export type SslMode = 'disable' | 'require' | 'verify-full';

/** Config keys of a server database connection. */
export interface ServerConnectionConfig {
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: SslMode;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/** A resolved connection: every field explicit. */
export interface ServerConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  ssl: SslMode;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/** The database server kinds, with their URL schemes and default ports. */
export const SERVERS = {
  postgres: { label: 'PostgreSQL', schemes: ['postgres', 'postgresql'], port: 5432 },
  mysql: { label: 'MySQL/MariaDB', schemes: ['mysql', 'mariadb'], port: 3306 },
} as const;

export type ServerKind = keyof typeof SERVERS;

/** JSON Schema properties of a server connection (`kind` sets the URL schemes and the default port). */
export function serverConnectionProperties(kind: ServerKind): Record<string, unknown> {
  const { label, schemes, port } = SERVERS[kind];
  return {
    connectionString: {
      type: 'string', pattern: `^(${schemes.join('|')})://`,
      description: `${label} URL, e.g. ${schemes[0]}://app@127.0.0.1:${port}/app?sslmode=require (keep the password in \`password\`); the fields below override its parts`,
    },
    host: { type: 'string', minLength: 1, description: 'Server host name or address (default 127.0.0.1)' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: `Server port (default ${port})` },
    database: { type: 'string', minLength: 1, description: 'Database name' },
    user: { type: 'string', minLength: 1, description: 'User name' },
    password: { type: 'string', description: 'Password; write ${env.NAME} and declare NAME in env_vars to keep it out of the graph' },
    ssl: { enum: ['disable', 'require', 'verify-full'], description: "TLS: 'disable' (default), 'require' (encrypted, certificate not checked) or 'verify-full'" },
    poolSize: { type: 'integer', minimum: 1, maximum: 100, default: 2, description: 'Most connections the node keeps open (it runs one message at a time; more helps only after a broken connection)' },
    connectTimeoutMs: { type: 'integer', minimum: 1, maximum: 600_000, default: 10_000, description: 'Time limit for opening a connection' },
    statementTimeoutMs: { type: 'integer', minimum: 0, default: 0, description: 'Time limit per statement, enforced by the server (0: none)' },
  };
}

/** Schema clause: without a connection string, `database` and `user` are required. */
export const CONNECTION_REQUIRED = {
  if: { not: { required: ['connectionString'] } },
  then: { required: ['database', 'user'] },
};

function configError(message: string, hint: string): ActorflowError {
  return new ActorflowError('INVALID_CONFIG', message, hint);
}

/** Resolves a node's connection settings (INVALID_CONFIG for a connection string that does not parse). */
export function resolveServerConnection(kind: ServerKind, config: ServerConnectionConfig, env: Readonly<Record<string, string | undefined>>): ServerConnection {
  const server = SERVERS[kind];
  const c = resolveEnvRefs({
    connectionString: config.connectionString, host: config.host, database: config.database, user: config.user, password: config.password,
  }, env, '');
  const fromUrl: Partial<ServerConnection> = {};
  if (c.connectionString !== undefined) {
    let url: URL;
    try {
      url = new URL(c.connectionString);
    } catch {
      throw configError("config field 'connectionString' is not a valid URL", `write it as ${server.schemes[0]}://user:password@host:${server.port}/database`);
    }
    const scheme = url.protocol.slice(0, -1);
    if (!(server.schemes as readonly string[]).includes(scheme)) {
      throw configError(`config field 'connectionString' is a ${scheme}:// URL, but the node connects to ${server.label}`, `use a ${server.schemes.join(':// or ')}:// URL`);
    }
    const param = (name: string) => url.searchParams.get(name) ?? undefined;
    if (url.hostname) fromUrl.host = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, ''));
    if (url.port) fromUrl.port = Number(url.port);
    if (url.username) fromUrl.user = decodeURIComponent(url.username);
    if (url.password) fromUrl.password = decodeURIComponent(url.password);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (database) fromUrl.database = database;
    const sslmode = param('sslmode') ?? param('ssl-mode');
    if (sslmode !== undefined) {
      const mode = ({ disable: 'disable', require: 'require', 'verify-full': 'verify-full', verify_identity: 'verify-full', required: 'require', disabled: 'disable' } as Record<string, SslMode>)[sslmode.toLowerCase()];
      if (!mode) throw configError(`config field 'connectionString' has sslmode=${sslmode}, which is not supported`, 'use sslmode=disable, require or verify-full');
      fromUrl.ssl = mode;
    }
  }
  const database = c.database ?? fromUrl.database;
  const user = c.user ?? fromUrl.user;
  if (database === undefined || user === undefined) {
    throw configError(`the connection names no ${database === undefined ? 'database' : 'user'}`, `add '${database === undefined ? 'database' : 'user'}' to the node's config or to its connectionString`);
  }
  return {
    host: c.host ?? fromUrl.host ?? '127.0.0.1',
    port: config.port ?? fromUrl.port ?? server.port,
    database,
    user,
    password: c.password ?? fromUrl.password,
    ssl: config.ssl ?? fromUrl.ssl ?? 'disable',
    poolSize: config.poolSize,
    connectTimeoutMs: config.connectTimeoutMs,
    statementTimeoutMs: config.statementTimeoutMs,
  };
}

/** `user@host:port/database`, for messages (never the password). */
export function describeConnection(kind: ServerKind, c: ServerConnection): string {
  return `${SERVERS[kind].label} ${c.user}@${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}/${c.database}`;
}

/** Node's TLS options for an ssl mode (undefined: no TLS). */
export function tlsOptions(mode: SslMode): { rejectUnauthorized: boolean } | undefined {
  return mode === 'disable' ? undefined : { rejectUnauthorized: mode === 'verify-full' };
}
