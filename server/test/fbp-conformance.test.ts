// The FBP protocol's own conformance suite (fbp-test, fbp-protocol 0.9.8) against a real server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/app.ts';
import { runFbpTest } from './fbp-conformance/run.ts';

const SECRET = 'conformance-secret-0123456789';

describe('FBP protocol conformance (fbp-test of fbp-protocol 0.9.8)', () => {
  let app: FastifyInstance;
  let port: number;

  before(async () => {
    app = await buildServer({ config: { db: ':memory:', logLevel: 'warn', fbpSecret: SECRET } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app.close());

  it('passes all 22 tests of the suite against a server on 127.0.0.1', async () => {
    const report = await runFbpTest(port, SECRET);
    const line = `fbp-test: ${report.stats.passes} passed, ${report.stats.failures} failed`;
    console.log(line);
    assert.deepEqual(report.failures.map((t) => `${t.fullTitle}: ${t.err?.message}`), []);
    assert.equal(line, 'fbp-test: 22 passed, 0 failed');
  });
});
