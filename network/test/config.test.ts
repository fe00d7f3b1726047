import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { resolveNodeConfig, validateValue } from '../src/actor/config.ts';
import { defineActor } from '../src/actor/define.ts';

const Http = defineActor({
  name: 'net/Http',
  inports: { in: {} },
  outports: { out: {} },
  config: {
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', format: 'uri', description: 'Address to call' },
      method: { enum: ['GET', 'POST'], default: 'GET' },
      timeout: { type: 'integer', minimum: 1, default: 30 },
      headers: { type: 'object', properties: { accept: { type: 'string', default: 'application/json' } }, default: {} },
    },
    additionalProperties: false,
  },
  process() {},
});

describe('resolveNodeConfig', () => {
  it('applies the schema defaults, nested ones included, without touching the graph metadata', () => {
    const metadata = { url: 'https://example.com', headers: {} };
    const { config, problems } = resolveNodeConfig(Http, metadata, undefined, 'call');
    assert.deepEqual(problems, []);
    assert.deepEqual(config, { url: 'https://example.com', method: 'GET', timeout: 30, headers: { accept: 'application/json' } });
    assert.deepEqual(metadata, { url: 'https://example.com', headers: {} });
  });

  it('reports every violation with its JSON path and a hint built from the schema', () => {
    const { problems } = resolveNodeConfig(Http, { url: 42, method: 'PUT', timeout: 0 }, undefined, 'call');
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    assert.deepEqual(Object.keys(byPath).sort(), [
      '$.processes.call.metadata.method', '$.processes.call.metadata.timeout', '$.processes.call.metadata.url',
    ]);
    assert.ok(problems.every((p) => p.code === 'INVALID_CONFIG' && p.severity === 'error'));
    assert.match(byPath['$.processes.call.metadata.url'].message, /field 'url' must be string, got a number \(42\)/);
    assert.match(byPath['$.processes.call.metadata.url'].hint, /use a string \(Address to call\)/);
    assert.match(byPath['$.processes.call.metadata.method'].hint, /use one of: "GET", "POST"/);
    assert.match(byPath['$.processes.call.metadata.timeout'].message, /must be >= 1/);
  });

  it('names a missing required field in the path and the hint', () => {
    const [p] = resolveNodeConfig(Http, {}, undefined, 'call').problems;
    assert.equal(p.path, '$.processes.call.metadata.url');
    assert.match(p.message, /'url' is required/);
    assert.match(p.hint, /add 'url': a string, \(Address to call\) \(required: url\)/);
  });

  it('checks formats (ajv-formats)', () => {
    const [p] = resolveNodeConfig(Http, { url: 'not a uri' }, undefined, 'call').problems;
    assert.equal(p.path, '$.processes.call.metadata.url');
    assert.match(p.hint, /valid uri/);
  });

  it('lets runtime and layout keys through a closed schema (they are not config)', () => {
    const metadata = { url: 'https://x.org', x: 10, y: 20, label: 'Call', thread: 'io', retry: { attempts: 2 }, timeoutMs: 100 };
    const { config, problems } = resolveNodeConfig(Http, metadata, undefined, 'call');
    assert.deepEqual(problems, []);
    assert.equal(config.thread, 'io');
    assert.equal(config.x, 10);
  });

  it('still reports unknown keys a closed schema forbids, with the allowed ones', () => {
    const [p] = resolveNodeConfig(Http, { url: 'https://x.org', methd: 'GET' }, undefined, 'call').problems;
    assert.equal(p.path, '$.processes.call.metadata.methd');
    assert.match(p.hint, /remove 'methd'; allowed: url, method, timeout, headers/);
  });

  it('copies cyclic metadata (built in code) without looping', () => {
    const options: Record<string, unknown> = { name: 'loop' };
    options.self = options;
    const { config } = resolveNodeConfig(Http, { url: 'https://x.org', options }, undefined, 'call');
    const copy = config.options as Record<string, unknown>;
    assert.notEqual(copy, options);
    assert.equal(copy.self, copy);
  });

  it('uses the path it is given (where the node was read from)', () => {
    const [p] = resolveNodeConfig(Http, {}, undefined, 'call', '$.processes["my call"].metadata').problems;
    assert.equal(p.path, '$.processes["my call"].metadata.url');
  });

  it('compiles each schema once: every node of the same component reuses the validator', (t) => {
    const core = Object.getPrototypeOf(Ajv.prototype) as { compile: (...args: unknown[]) => unknown };
    const compile = t.mock.method(core, 'compile');
    const Fresh = defineActor({ name: 'x/Fresh', config: { type: 'object', properties: { n: { type: 'integer', default: 1 } } } });
    for (let i = 0; i < 50; i++) assert.equal(resolveNodeConfig(Fresh, {}, undefined, `n${i}`).config.n, 1);
    assert.equal(compile.mock.callCount(), 1);
  });

  it('understands draft 2020-12 schemas', () => {
    const Tuple = defineActor({
      name: 'x/Tuple', config: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }] } } },
    });
    const [p] = resolveNodeConfig(Tuple, { pair: ['a', 'b'] }, undefined, 't').problems;
    assert.equal(p.path, '$.processes.t.metadata.pair[1]');
  });

  it('reports a schema that does not compile as the component’s problem', () => {
    const Broken = defineActor({ name: 'x/Broken', config: { type: 'object', properties: { a: { type: 'strin' } } } });
    const [p] = resolveNodeConfig(Broken, {}, undefined, 'b').problems;
    assert.equal(p.code, 'INVALID_SCHEMA');
    assert.match(p.message, /does not compile/);
  });
});

describe('env_vars (Reflow: VAR → required | optional | optional:<default>)', () => {
  const Plain = defineActor({ name: 'x/Plain' });
  const metadata = { env_vars: { API_KEY: 'required', REGION: 'optional:eu', DEBUG: 'optional' } };

  it('resolves declared variables from the environment and merges them into the config', () => {
    const { config, env, problems } = resolveNodeConfig(Plain, metadata, { API_KEY: 's3cret', DEBUG: '1', OTHER: 'x' }, 'n');
    assert.deepEqual(problems, []);
    assert.deepEqual(env, { API_KEY: 's3cret', REGION: 'eu', DEBUG: '1' });
    assert.equal(config.API_KEY, 's3cret');
    assert.equal(config.REGION, 'eu');
    assert.equal(config.OTHER, undefined);
  });

  it('never lets an env var override a key the node sets explicitly', () => {
    const { config } = resolveNodeConfig(Plain, { ...metadata, REGION: 'us' }, { API_KEY: 'k' }, 'n');
    assert.equal(config.REGION, 'us');
  });

  it('reports a missing required variable as MISSING_ENV, naming the variable and the node', () => {
    const { problems, env } = resolveNodeConfig(Plain, metadata, {}, 'fetcher');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].code, 'MISSING_ENV');
    assert.equal(problems[0].path, '$.processes.fetcher.metadata.env_vars.API_KEY');
    assert.match(problems[0].message, /node 'fetcher' \(x\/Plain\) needs the environment variable API_KEY/);
    assert.equal(env.API_KEY, undefined);
  });

  it('checks only the form of env_vars when no environment is given', () => {
    assert.deepEqual(resolveNodeConfig(Plain, metadata, undefined, 'n').problems, []);
    const bad = resolveNodeConfig(Plain, { env_vars: { 'BAD-NAME': 'required', OK: 'sometimes', X: 'required:1' } }, undefined, 'n').problems;
    assert.deepEqual(bad.map((p) => p.path), [
      '$.processes.n.metadata.env_vars["BAD-NAME"]', '$.processes.n.metadata.env_vars.OK', '$.processes.n.metadata.env_vars.X',
    ]);
    assert.ok(bad.every((p) => p.code === 'INVALID_ENV_VARS'));
    assert.equal(resolveNodeConfig(Plain, { env_vars: ['API_KEY'] }, undefined, 'n').problems[0].code, 'INVALID_ENV_VARS');
  });
});

describe('validateValue (message-level schema checks)', () => {
  const schema = { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' }, default: [] } } };

  it('accepts a valid value and never applies defaults to it', () => {
    const value = { id: 1 };
    assert.deepEqual(validateValue(schema, value), []);
    assert.deepEqual(value, { id: 1 });
  });

  it('reports each violation under the base path', () => {
    const problems = validateValue(schema, { tags: ['a', 2] }, '$.message');
    assert.deepEqual(problems.map((p) => p.path).sort(), ['$.message.id', '$.message.tags[1]']);
    assert.ok(problems.every((p) => p.code === 'INVALID_VALUE'));
  });

  it('folds alternatives into one problem listing the allowed shapes', () => {
    const problems = validateValue({ anyOf: [{ type: 'string' }, { type: 'integer' }] }, true);
    assert.equal(problems.length, 1);
    assert.match(problems[0].hint, /use one of: a string \| an integer/);
  });

  it('handles boolean schemas', () => {
    assert.deepEqual(validateValue(true, 'anything'), []);
    assert.equal(validateValue(false, 1)[0].code, 'INVALID_VALUE');
  });
});
