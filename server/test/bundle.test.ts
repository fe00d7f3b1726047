// The bundled `actorflow` command (server/dist): used while it matches the sources, and then the
// only copy of each package in the process, whoever loads it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, freshManifest, MANIFEST, ROOT } from '../bin/dist.mjs';

/** Where the modules the snippet names resolve to in a process that called useBundle(). */
function resolvedInProcess(env: Record<string, string> = {}): Record<string, string> {
  const snippet = `
    import { useBundle } from './server/bin/dist.mjs';
    const command = useBundle() ?? null;
    const resolve = (s) => import.meta.resolve(s);
    console.log(JSON.stringify({
      command,
      network: resolve('@actorflow/network'),
      components: resolve('@actorflow/components'),
      flow: resolve('./components/src/flow/index.ts'),
      helper: resolve('./network/src/graph/graph.ts'),
    }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', snippet], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, string>;
}

describe('the bundled actorflow command', () => {
  it('is built by the setup and matches the sources (./run and CI run the bundle)', () => {
    assert.ok(freshManifest(), `${DIST} is missing or older than the sources: run npm run build (./run does)`);
  });

  it('takes over every module it has a twin of, including packages imported from outside it', () => {
    const where = resolvedInProcess();
    const dist = new URL(`file://${DIST}/`).href;
    assert.ok(where.command.startsWith(dist), where.command);
    assert.ok(where.network.startsWith(dist), `'@actorflow/network' resolves to ${where.network}`);
    assert.ok(where.components.startsWith(dist), where.components);
    // Component categories are registered by URL: their twins are what the process loads.
    assert.ok(where.flow.startsWith(dist), where.flow);
    // A module that is no entry point of the bundle is left as it is.
    assert.ok(where.helper.endsWith('/network/src/graph/graph.ts'), where.helper);
  });

  it('is left alone with ACTORFLOW_FROM_SOURCE set', () => {
    const where = resolvedInProcess({ ACTORFLOW_FROM_SOURCE: '1' });
    assert.equal(where.command, null);
    assert.ok(where.network.endsWith('/network/src/index.ts'), where.network);
  });
});

describe('the bundle manifest', () => {
  let root: string;
  let dist: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'af-bundle-'));
    dist = join(root, 'dist');
    mkdirSync(dist);
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const record = (path: string) => {
    const { mtimeMs, size } = statSync(path);
    return [mtimeMs, size];
  };

  it('is fresh while every input has the size and mtime it had, stale once one changes or goes', () => {
    assert.equal(freshManifest(dist, root), undefined, 'no manifest: no bundle');
    writeFileSync(join(dist, MANIFEST), JSON.stringify({ command: 'a.ts', modules: {}, inputs: { 'a.ts': record(join(root, 'a.ts')) } }));
    assert.ok(freshManifest(dist, root));

    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'a.ts'), later, later);
    assert.equal(freshManifest(dist, root), undefined, 'an input edited since the build');

    writeFileSync(join(dist, MANIFEST), JSON.stringify({ command: 'a.ts', modules: {}, inputs: { 'gone.ts': [0, 0] } }));
    assert.equal(freshManifest(dist, root), undefined, 'an input deleted since the build');
  });
});
