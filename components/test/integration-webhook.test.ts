import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FLOW, Network, type Metadata } from '@actorflow/network';
import { toWebhookReply } from '../src/integration/index.ts';
import { assertProblem, loadProblems, registryWith, run, runError } from './helpers.ts';
import { sendJson, startHttpServer } from './support/http-server.ts';
import { assertCompleteMetadata } from './support/metadata.ts';

const registry = await registryWith('integration');

async function reply(config: Metadata, message: unknown): Promise<Record<string, any>> {
  const result = await run(registry, { nodes: { reply: ['integration/WebhookResponse', config] }, inports: { in: 'reply.in' }, outports: { reply: 'reply.reply' } }, { in: message });
  return result.results.reply[0] as Record<string, any>;
}

describe('integration/WebhookResponse', () => {
  it('turns a message into a 200 JSON reply with its Content-Type', async () => {
    assert.deepEqual(await reply({}, { ok: true, items: [1, 2] }), {
      status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true,"items":[1,2]}',
    });
  });

  it('uses the configured status and headers, and sends strings as text', async () => {
    assert.deepEqual(await reply({ status: 202, headers: { 'X-Run': 'queued' } }, 'accepted'), {
      status: 202, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-run': 'queued' }, body: 'accepted',
    });
  });

  it('takes status, headers and body from a reply message (inputAs "reply"), over the config', async () => {
    const out = await reply({ inputAs: 'reply', headers: { 'cache-control': 'no-store' } },
      { status: 201, headers: { location: '/items/7', 'content-type': 'application/vnd.item+json' }, body: { id: 7 } });
    assert.deepEqual(out, {
      status: 201,
      headers: { 'cache-control': 'no-store', 'content-type': 'application/vnd.item+json', location: '/items/7' },
      body: '{"id":7}',
    });
  });

  it('keeps a binary body as bytes', async () => {
    const out = await reply({ headers: { 'content-type': 'image/png' } }, new Uint8Array([137, 80, 78, 71]));
    assert.ok(out.body instanceof Uint8Array);
    assert.deepEqual([...out.body], [137, 80, 78, 71]);
    assert.equal(out.headers['content-type'], 'image/png');
  });

  it('sends no body with 204 (the message only triggers the reply), nor for a bang', async () => {
    assert.deepEqual(await reply({ status: 204 }, { ignored: true }), { status: 204, headers: {}, body: '' });
    assert.deepEqual(await reply({ status: 202 }, FLOW), { status: 202, headers: {}, body: '' });
  });

  it('is the same conversion as toWebhookReply()', () => {
    assert.deepEqual(toWebhookReply([1], { status: 200, headers: {}, bodyType: 'auto', inputAs: 'body' }),
      { status: 200, headers: { 'content-type': 'application/json' }, body: '[1]' });
  });

  describe('bad input', () => {
    async function failure(config: Metadata, message: unknown): Promise<{ message: string; code?: string }> {
      return runError(await run(registry, { nodes: { reply: ['integration/WebhookResponse', config] }, inports: { in: 'reply.in' } }, { in: message }, 'failed'));
    }

    it('reports a reply message with a bad status or unknown fields', async () => {
      const error = await failure({ inputAs: 'reply' }, { status: 42, bdy: 'x' });
      assert.equal(error.code, 'INVALID_INPUT');
      assert.match(error.message, /the webhook reply field 'status' must be >= 100, got a number \(42\)/);
      assert.match(error.message, /the webhook reply field 'bdy' is not allowed/);
    });

    it('refuses framing headers the server owns', async () => {
      const error = await failure({ inputAs: 'reply' }, { headers: { 'Content-Length': '3' }, body: 'abc' });
      assert.match(error.message, /a webhook reply may not set the Content-Length header/);
    });

    it('refuses a body on a 204 reply message', async () => {
      const error = await failure({ inputAs: 'reply' }, { status: 204, body: 'x' });
      assert.match(error.message, /a 204 reply has no body, but this one has a string "x"/);
    });

    it("refuses an object with bodyType 'text'", async () => {
      const error = await failure({ bodyType: 'text' }, { a: 1 });
      assert.match(error.message, /bodyType 'text' sends a string, but the body is an object/);
    });
  });

  it('rejects bad config when the graph is loaded', async () => {
    const problems = await loadProblems(registry, { nodes: { reply: ['integration/WebhookResponse', { status: 700, bodyType: 'xml', inputAs: 'whole' }] } });
    assertProblem(problems, '$.processes.reply.metadata.status', /config field 'status' must be <= 599, got a number \(700\)/);
    assertProblem(problems, '$.processes.reply.metadata.bodyType', /got a string \("xml"\)/, /"auto", "json", "text", "binary"/);
    assertProblem(problems, '$.processes.reply.metadata.inputAs', /got a string \("whole"\)/, /"body", "reply"/);
  });
});

describe('integration components', () => {
  it('declare complete metadata: descriptions, icons, described ports and config', () => assertCompleteMetadata(registry, 'integration'));
});

describe('examples/components-integration.json (webhook proxy)', () => {
  const example = JSON.parse(readFileSync(new URL('../../examples/components-integration.json', import.meta.url), 'utf8')) as unknown;

  it('replies with the fetched JSON, or with a 502 carrying the error', async () => {
    const server = await startHttpServer();
    server.route('/status', (_req, res) => sendJson(res, 200, { healthy: true }));
    try {
      const ok = await (await Network.create(example, { registry })).run({ input: { request: { url: `${server.origin}/status` } }, timeoutMs: 10_000 });
      assert.equal(ok.status, 'completed');
      assert.deepEqual(ok.results.reply, [{ status: 200, headers: { 'content-type': 'application/json', 'x-proxied-by': 'actorflow' }, body: '{"healthy":true}' }]);
      const failed = await (await Network.create(example, { registry })).run({ input: { request: { url: `${server.origin}/gone` } }, timeoutMs: 10_000 });
      assert.equal(failed.status, 'completed');
      const [reply] = failed.results.failure as { status: number; body: string }[];
      assert.equal(reply.status, 502);
      assert.equal(JSON.parse(reply.body).code, 'HTTP_STATUS');
    } finally {
      await server.close();
    }
  });
});
