import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './support/server.ts';
import { upperGraph } from './support/graphs.ts';

describe('history retention', () => {
  it('deletes the oldest finished runs beyond the configured count when the server starts, keeping their graphs only while used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-retention-'));
    try {
      let s = await startServer({ retentionMaxRuns: 0 }, { dir });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await s.request('POST', '/workflows?wait=true', { graph_json: upperGraph(), input: { text: `r${i}` } })).body.data.id);
      await s.close();
      s = await startServer({ retentionMaxRuns: 2 }, { dir });
      try {
        const listed = (await s.request('GET', '/workflows')).body.data.executions.map((e: { id: string }) => e.id);
        assert.deepEqual(listed, [ids[3], ids[2]]);
        assert.equal((await s.request('GET', `/workflows/${ids[0]}`)).status, 404);
        const kept = await s.request('GET', `/workflows/${ids[3]}?include=graph`);
        assert.deepEqual(kept.body.data.graph, upperGraph());
      } finally {
        await s.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
