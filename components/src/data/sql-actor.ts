// The SQL components share one shape (data/Postgres, data/MySql, data/Sqlite, data/SqlScript):
// a database opened per node in setup (a pool, or one SQLite handle) and closed in teardown; each
// message on `in` runs the configured SQL with the message as its parameters, or the statements
// the message carries; several statements run in one transaction; results leave on `result`.
import { defineActor, isFlow, type ActorDefinition, type JsonSchema } from '@actorflow/network';
import { checkInput, ENV_VAR_KEYS, invalidInput } from '../integration/checks.ts';
import { runBatch, type SqlDatabase, type SqlResult, type StatementBatch } from './sql-database.ts';
import type { Params } from './sql-text.ts';

export type SqlOutput = 'result' | 'rows' | 'first' | 'each' | 'all';

/** Config every SQL component has, besides its connection. */
export interface SqlRunConfig {
  transaction: boolean;
  output: SqlOutput;
}

/** JSON Schema properties of SqlRunConfig. */
export const SQL_RUN_PROPERTIES = {
  transaction: { type: 'boolean', default: true, description: 'Run the statements of one message (a script or a list) in one transaction: all or nothing' },
  output: {
    enum: ['result', 'rows', 'first', 'each', 'all'], default: 'result',
    description: "What to emit for the last statement: 'result' ({rows, rowCount, fields, lastInsertId?, command?}), 'rows' (the array), "
      + "'first' (the first row or null), 'each' (one message per row); 'all': every statement's result, as an array",
  },
};

const PARAMS_SCHEMA = {
  anyOf: [
    { type: 'object', description: 'named parameters for :name placeholders' },
    { type: 'array', description: 'positional parameters ($1 / ?)' },
  ],
};

const STATEMENT_SCHEMA = {
  anyOf: [
    { type: 'string', minLength: 1, description: 'SQL text' },
    { type: 'object', properties: { sql: { type: 'string', minLength: 1 }, params: PARAMS_SCHEMA }, required: ['sql'], additionalProperties: false, description: 'a statement {sql, params?}' },
  ],
};

/** What `in` accepts when the node has no SQL of its own: a statement, or a list run as one batch. */
export const STATEMENTS_SCHEMA = { anyOf: [STATEMENT_SCHEMA, { type: 'array', minItems: 1, items: STATEMENT_SCHEMA, description: 'a list of statements' }] };

/** The statements one message asks for. `sql` is the node's own SQL, if it has some. */
export function batchFor(message: unknown, sql: string | undefined): StatementBatch {
  const none = message === undefined || message === null || isFlow(message);
  if (sql !== undefined) {
    if (!none && typeof message !== 'object') {
      throw invalidInput(`the parameters on port 'in' must be an object (for :name placeholders) or an array (for positional ones), not ${typeof message === 'string' ? `a string ${JSON.stringify(message.slice(0, 40))}` : `${typeof message} ${String(message)}`}`,
        'send e.g. {"id": 7} for "WHERE id = :id"; a bang or null runs the SQL without parameters');
    }
    return { statements: [{ sql, params: none ? undefined : message as Params }] };
  }
  if (none) {
    throw invalidInput('the node has no SQL of its own, so the message must carry the statement, but it is empty', 'send SQL text, {sql, params}, or a list of them; or set the node\'s SQL in its config');
  }
  checkInput(STATEMENTS_SCHEMA, message, "the statement on port 'in'");
  const list = Array.isArray(message) ? message : [message];
  return { statements: list.map((s: string | { sql: string; params?: Params }) => (typeof s === 'string' ? { sql: s, params: undefined } : { sql: s.sql, params: s.params })) };
}

/** Emits the results as `output` says. */
async function emitResults(results: SqlResult[], output: SqlOutput, emit: (value: unknown) => boolean, drained: () => Promise<void>): Promise<void> {
  const last = results.at(-1) ?? { rows: [], rowCount: 0, fields: [] };
  switch (output) {
    case 'all': emit(results); return;
    case 'rows': emit(last.rows); return;
    case 'first': emit(last.rows[0] ?? null); return;
    case 'each':
      for (const row of last.rows) if (!emit(row)) await drained();
      return;
    default: emit(last);
  }
}

/** The `query` config property of a database component; `placeholders` names its positional form ('?' or '$1…'). */
export function queryProperty(placeholders: string): Record<string, unknown> {
  return { type: 'string', minLength: 1, description: `SQL run for each message (several statements separated by ;); parameters :name or ${placeholders}` };
}

/** What `in` takes on a database component with an optional `query`. */
export const QUERY_IN_DESCRIPTION = 'Parameters for the node\'s `query` ({name: value} or [v1, v2]; a bang runs it without), or, without a `query`: SQL text, {sql, params} or a list of them';

/** How one SQL component connects and where its SQL comes from. */
export interface SqlComponentSpec<C extends SqlRunConfig> {
  name: string;
  description: string;
  icon: string;
  /** Connection (and other) config properties; merged with the shared ones. */
  properties: Record<string, unknown>;
  /** Extra schema clauses (required keys, if/then). */
  clauses?: Record<string, unknown>;
  /** Opens the node's database from its config and declared env vars. */
  open(config: C, env: Readonly<Record<string, string | undefined>>): SqlDatabase;
  /** The node's own SQL (run for each message), if any. */
  sqlOf(config: C): string | undefined;
  /** Description of `in`. */
  inDescription: string;
}

/** Defines a SQL component. */
export function defineSqlActor<C extends SqlRunConfig>(spec: SqlComponentSpec<C>): ActorDefinition {
  const config: JsonSchema = {
    type: 'object',
    properties: { ...spec.properties, ...SQL_RUN_PROPERTIES },
    patternProperties: ENV_VAR_KEYS,
    additionalProperties: false,
    ...spec.clauses,
  };
  return defineActor({
    name: spec.name,
    description: spec.description,
    category: 'data',
    icon: spec.icon,
    inports: { in: { description: spec.inDescription } },
    outports: {
      result: { description: 'The result, shaped by `output`' },
      error: { type: 'object', description: 'Failures (codes DB_CONNECTION, DB_AUTH, DB_QUERY, SQL_PARAMS, INVALID_INPUT)' },
    },
    config,
    state: (): { db?: SqlDatabase } => ({}),
    setup(ctx) {
      ctx.state.db = spec.open(ctx.config as C, ctx.env);
    },
    async process(input, ctx) {
      const c = ctx.config as C;
      const results = await runBatch(ctx.state.db!, batchFor(input.in, spec.sqlOf(c)), c.transaction);
      await emitResults(results, c.output, (v) => ctx.emit('result', v), () => ctx.drained());
    },
    async teardown(ctx) {
      await ctx.state.db?.close();
      ctx.state.db = undefined;
    },
  });
}
