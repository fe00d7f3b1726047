// Zeal's database templates hand a pool id from a connection node (`tpl_postgresql`,
// `tpl_mysql`: pool-out, status-out) to the nodes that query through it (`tpl_sql_script`:
// pool-in), as Reflow's do. Here the connection node checks that the database answers and
// publishes its settings under a pool id; the settings (password included) stay in this
// process's table and never travel in messages. The nodes must run on the same thread.
import { randomUUID } from 'node:crypto';
import { ActorflowError, defineActor, type ActorDefinition } from '@actorflow/network';
import { openMysql } from '../data/mysql.ts';
import { openPostgres } from '../data/postgres.ts';
import type { ZealTemplate } from './adapter.ts';

export type PoolEngine = 'postgres' | 'mysql';

/** What a pool id stands for: data/SqlScript connection settings. */
export interface PoolSettings {
  engine: PoolEngine;
  connection: Record<string, unknown>;
}

const pools = new Map<string, PoolSettings>();

/** The settings behind a pool id; INVALID_INPUT for an id no connection node published. */
export function poolSettings(id: unknown): PoolSettings {
  const settings = typeof id === 'string' ? pools.get(id) : undefined;
  if (!settings) {
    throw new ActorflowError('INVALID_INPUT', `pool-in: ${JSON.stringify(id) ?? String(id)} is not a pool id published by a tpl_postgresql / tpl_mysql node of this process`,
      'connect pool-in to the pool-out of a PostgreSQL or MySQL node (on the same thread)');
  }
  return settings;
}

interface Server {
  engine: PoolEngine;
  name: string;
  label: string;
  template: string;
  port: number;
  /** Zeal's requiredEnvVars of the template: the URL, the password and the user. */
  env: { url: string; password: string; user: string };
}

const SERVERS: Server[] = [
  { engine: 'postgres', name: 'zeal/PostgreSQL', label: 'PostgreSQL', template: 'tpl_postgresql', port: 5432, env: { url: 'DATABASE_URL', password: 'DB_PASSWORD', user: 'DB_USER' } },
  { engine: 'mysql', name: 'zeal/MySQL', label: 'MySQL/MariaDB', template: 'tpl_mysql', port: 3306, env: { url: 'MYSQL_URL', password: 'MYSQL_PASSWORD', user: 'MYSQL_USER' } },
];

function connectionNode(server: Server): ActorDefinition {
  const prefix = server.engine === 'postgres' ? 'pg' : 'mysql';
  return defineActor({
    name: server.name,
    description: `${server.label} connection: checks that the database answers, then sends a pool id on pool-out (for SQL Script nodes' pool-in) `
      + `and the connection status on status-out. Credentials come from ${server.env.user} / ${server.env.password} (or ${server.env.url}) in the environment. `
      + `Zeal/Reflow template \`${server.template}\`.`,
    category: 'zeal',
    icon: 'database',
    tags: ['zeal', server.template],
    outports: {
      'pool-out': { type: 'string', description: 'The pool id (once, at start)' },
      'status-out': { type: 'object', description: '`{ status: "connected", engine, target, pool }` once the database answered' },
    },
    config: {
      type: 'object',
      examples: [{ host: '127.0.0.1', port: server.port, database: 'app', maxConnections: 10 }],
      required: ['host', 'database'],
      additionalProperties: false,
      patternProperties: { '^[A-Z][A-Z0-9_]*$': { type: 'string' } },
      properties: {
        host: { type: 'string', minLength: 1, description: 'Server host name or address' },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: server.port, description: 'Server port' },
        database: { type: 'string', minLength: 1, description: 'Database name' },
        user: { type: 'string', minLength: 1, description: `User name (default: ${server.env.user} from the environment)` },
        password: { type: 'string', description: `Password (default: ${server.env.password} from the environment; write \${env.NAME} to read another variable)` },
        maxConnections: { type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'Connections per node using the pool' },
        connectionTimeout: { type: 'integer', minimum: 1, maximum: 600_000, default: 30_000, description: 'Time limit for connecting (ms)' },
      },
    },
    state: (): { pool?: string } => ({}),
    async run(ctx) {
      const c = ctx.config as Record<string, any>;
      const url = c[server.env.url] ?? ctx.env[server.env.url];
      const connection: Record<string, unknown> = {
        ...(url ? { connectionString: url } : {}),
        host: c.host, port: c.port, database: c.database,
        user: c.user ?? c[server.env.user] ?? ctx.env[server.env.user],
        password: c.password ?? c[server.env.password] ?? ctx.env[server.env.password],
        poolSize: c.maxConnections, connectTimeoutMs: c.connectionTimeout, statementTimeoutMs: 0,
      };
      for (const key of Object.keys(connection)) if (connection[key] === undefined) delete connection[key];
      const db = (server.engine === 'postgres' ? openPostgres : openMysql)(connection as never, ctx.env);
      try {
        await db.query({ text: 'SELECT 1', values: [] });
      } catch (error) {
        const failure = db.explain(error);
        throw new ActorflowError(failure.code, `${server.label} at ${db.target} did not answer: ${failure.message}`, failure.hint, { cause: error });
      } finally {
        await db.close();
      }
      const pool = `${prefix}_pool_${randomUUID()}`;
      pools.set(pool, { engine: server.engine, connection });
      ctx.state.pool = pool;
      ctx.emit('status-out', { status: 'connected', engine: server.engine, target: db.target, pool });
      ctx.emit('pool-out', pool);
    },
    teardown(ctx) {
      if (ctx.state.pool) pools.delete(ctx.state.pool);
    },
  });
}

export const PostgreSQL = connectionNode(SERVERS[0]);
export const MySQL = connectionNode(SERVERS[1]);

/** How the connection templates run (they are components of their own: no port or property mapping). */
export const POOL_TEMPLATES: ZealTemplate[] = SERVERS.map((s) => ({
  id: s.template, component: s.name, target: s.name,
  ports: { inports: {}, outports: { 'pool-out': { port: 'pool-out' }, 'status-out': { port: 'status-out' } } },
  config: (values) => values,
}));
