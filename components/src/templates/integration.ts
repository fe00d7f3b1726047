// Reflow's integration templates on the integration and data components: `tpl_http_request` on
// integration/HttpRequest and `tpl_sql_script` on data/SqlScript (which executes its SQL, unlike
// Reflow's). Port names are Reflow's actor ports (`data_in`); Zeal's hyphenated ids (`data-in`)
// match them through the bridge's port matching.
import { SqlScript } from '../data/sql-script.ts';
import { HttpRequest } from '../integration/http-request.ts';
import type { TemplateSpec } from './adapter.ts';
import { poolSettings } from './pools.ts';

/** The named properties of a component's config schema. */
function propertiesOf(schema: unknown, names: readonly string[]): Record<string, unknown> {
  const all = (schema as { properties?: Record<string, unknown> }).properties ?? {};
  return Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]]));
}

const HTTP_PASSED = ['url', 'method', 'headers', 'query', 'bodyType', 'responseType', 'output', 'failOnHttpError', 'redirect', 'blockPrivateAddresses', 'allowAddresses'] as const;
const SQL_CONNECTION = ['engine', 'connectionString', 'host', 'port', 'database', 'user', 'password', 'ssl', 'path', 'readOnly', 'output', 'transaction', 'poolSize', 'connectTimeoutMs', 'statementTimeoutMs'] as const;

export const INTEGRATION_TEMPLATE_SPECS: TemplateSpec[] = [
  {
    id: 'tpl_http_request',
    name: 'zeal/HttpRequest',
    target: HttpRequest,
    description: 'HTTP Request: sends a request for each packet on Data (the body, or the query of a GET) and sends the response, or the error.',
    icon: 'globe',
    inports: { data_in: 'in', headers_in: 'headers' },
    outports: { response_out: { port: 'response' }, error_out: { port: 'error' } },
    errorPorts: ['error_out'],
    properties: {
      type: 'object',
      examples: [{ url: 'https://api.example.com/orders', method: 'POST', timeout: 30000, retryCount: 2 }],
      additionalProperties: false,
      required: ['url'],
      properties: {
        ...propertiesOf(HttpRequest.config, HTTP_PASSED),
        timeout: { type: 'integer', minimum: 1, maximum: 3_600_000, default: 30_000, description: 'Time limit per attempt (ms)' },
        retryCount: { type: 'integer', minimum: 0, maximum: 10, default: 2, description: 'Retries after the first attempt (429, 5xx, network errors)' },
      },
    },
    config: (v) => {
      const passed = Object.fromEntries(HTTP_PASSED.filter((k) => v[k] !== undefined).map((k) => [k, v[k]]));
      return { ...passed, requestTimeoutMs: v.timeout, maxRetries: v.retryCount };
    },
  },
  {
    id: 'tpl_sql_script',
    name: 'zeal/SqlScript',
    target: SqlScript,
    description: 'SQL Script: runs the query (statements separated by ;, :name parameters bound by the database) for each packet of '
      + 'parameters, on the database of the pool id received on pool-in (from a PostgreSQL / MySQL node) or of its own connection '
      + 'properties, and sends the result. Parameters that arrive before the pool wait for it.',
    icon: 'database',
    inports: { params_in: 'in', parameters: 'in' },
    outports: { result_out: { port: 'result' }, query: { port: 'result' }, error_out: { port: 'error' }, error: { port: 'error' } },
    errorPorts: ['error_out', 'error'],
    configPorts: {
      pool_in: {
        description: 'A pool id from the pool-out of a PostgreSQL or MySQL node: the database the query runs on',
        apply: (values, packet) => {
          const { engine, connection } = poolSettings(packet);
          return { ...values, engine, ...connection };
        },
      },
    },
    configured: (values) => values.engine !== undefined,
    properties: {
      type: 'object',
      examples: [{ engine: 'postgres', connectionString: 'postgres://app@127.0.0.1:5432/app', query: 'SELECT * FROM orders WHERE status = :status' }],
      additionalProperties: false,
      anyOf: [{ required: ['query'], description: 'query' }, { required: ['script'], description: 'script (Reflow)' }],
      properties: {
        query: { type: 'string', minLength: 1, description: 'The SQL: statements separated by ;, parameters written :name' },
        script: { type: 'string', minLength: 1, description: 'Same as query (Reflow)' },
        queryType: { enum: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRANSACTION'], default: 'SELECT', description: 'Accepted for compatibility (the statements say what they do)' },
        timeout: { type: 'integer', minimum: 1, description: 'Accepted for compatibility' },
        maxRows: { type: 'integer', minimum: 1, description: 'Accepted for compatibility' },
        ...propertiesOf(SqlScript.config, SQL_CONNECTION),
      },
    },
    config: (v) => {
      const passed = Object.fromEntries(SQL_CONNECTION.filter((k) => v[k] !== undefined).map((k) => [k, v[k]]));
      return { ...passed, script: v.query ?? v.script };
    },
  },
];
