// The `actorflow` command, run as a real process.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectGraph } from '../src/engine/graph-intake.ts';
import { createRegistry } from '../src/registry.ts';

const MAIN = fileURLToPath(new URL('../bin/actorflow.mjs', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

function actorflow(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('actorflow CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'af-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a graph with input and prints a summary; exit 0 when it completed', () => {
    const r = actorflow('run', join(EXAMPLES, 'fan-out.json'), '--input', 'items=["a","b"]');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fan-out: Completed in \d+ ms/);
    assert.match(r.stdout, /count: 2 values \[1,2\]/);
    assert.match(r.stdout, /split\s+core\/Split\s+1/);
  });

  it('prints the result as JSON with --json', () => {
    const r = actorflow('run', join(EXAMPLES, 'hello.json'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout);
    assert.equal(record.status, 'Completed');
    assert.deepEqual(record.results, { greeting: ['Hello, Actorflow!'] });
    assert.equal(record.source, 'cli');
  });

  it('exits 1 when the run fails or times out, and when the graph is invalid (listing every problem)', () => {
    const failing = join(dir, 'fail.fbp');
    writeFileSync(failing, "'x' -> IN d(core/Delay)\n");
    const timedOut = actorflow('run', failing, '--timeout', '10');
    assert.equal(timedOut.code, 1);
    assert.match(timedOut.stdout, /Failed .* RUN_TIMEOUT/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ processes: { a: { component: 'core/Repaet' } } }));
    const run = actorflow('run', bad);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /\$\.processes\.a\.component: node 'a' uses unknown component 'core\/Repaet'/);
    const validate = actorflow('validate', bad);
    assert.equal(validate.code, 1);
    assert.match(validate.stdout, /did you mean 'core\/Repeat'/);
  });

  it('validates a graph file', () => {
    const r = actorflow('validate', join(EXAMPLES, 'hello.json'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello\.json: valid \(1 nodes, 0 connections\)/);
  });

  it('bundles only valid examples', async () => {
    const registry = await createRegistry();
    for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'))) {
      const doc = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as unknown;
      const { valid, problems } = inspectGraph(doc, registry, { maxNodes: 1000, maxEdges: 5000, maxIipBytes: 65536 });
      assert.ok(valid, `${file}: ${JSON.stringify(problems)}`);
    }
  });

  it('lists components as a table and as JSON', () => {
    const table = actorflow('components', '--category', 'core');
    assert.equal(table.code, 0);
    assert.match(table.stdout, /core\/Repeat\s+core\s+in\s+out/);
    const json = JSON.parse(actorflow('components', '--json').stdout) as { name: string }[];
    assert.ok(json.some((c) => c.name === 'core/Delay'));
  });

  it('exits 2 on bad usage with a pointer to --help', () => {
    assert.equal(actorflow('dance').code, 2);
    const r = actorflow('run');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing the graph file/);
    assert.equal(actorflow('run', join(EXAMPLES, 'hello.json'), '--input', 'novalue').code, 2);
    const config = actorflow('serve', '--port', 'eighty');
    assert.equal(config.code, 2);
    assert.match(config.stderr, /--port: 'eighty' is not an integer/);
  });
});
