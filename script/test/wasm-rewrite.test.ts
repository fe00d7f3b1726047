import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { INTERRUPT_EXPORT, ModuleRewriteError, prepareModule } from '../src/wasm/rewrite.ts';
import { wasmApi } from '../src/wasm/webassembly.ts';
import { FOREVER, assemble, plugin } from './wasm-fixtures.ts';

function memoryLimits(module: Uint8Array): { min: number; max?: number; shared: boolean }[] {
  // Reads the memory section of a module (enough for these tests).
  let p = 8;
  while (p < module.length) {
    const id = module[p++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = module[p++];
      size |= (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (id === 5) {
      const out = [];
      let q = p + 1;
      for (let i = 0; i < module[p]; i++) {
        const flags = module[q++];
        const min = module[q++];
        const max = flags & 1 ? module[q++] : undefined;
        out.push({ min, ...(max !== undefined ? { max } : {}), shared: (flags & 2) !== 0 });
      }
      return out;
    }
    p += size;
  }
  return [];
}

describe('plugin module rewrite', () => {
  it("caps the plugin's memory and adds the shared interrupt memory", () => {
    const out = prepareModule(assemble({ functions: [[]], exports: { process: 0 }, memory: 2 }), { maxPages: 100 });
    assert.deepEqual(memoryLimits(out), [{ min: 2, max: 100, shared: false }, { min: 1, max: 1, shared: true }]);
  });

  it('lowers a larger declared maximum to the cap, and keeps a smaller one', () => {
    assert.deepEqual(memoryLimits(prepareModule(assemble({ functions: [[]], memory: 1, memoryMax: 120 }), { maxPages: 16 }))[0], { min: 1, max: 16, shared: false });
    assert.deepEqual(memoryLimits(prepareModule(assemble({ functions: [[]], memory: 1, memoryMax: 8 }), { maxPages: 16 }))[0], { min: 1, max: 8, shared: false });
  });

  it('keeps a built plugin valid and exports the interrupt memory; moves the start function to an export', async () => {
    const out = prepareModule(readFileSync(plugin('multiply')), { maxPages: 256 });
    const module = await wasmApi.compile(out);
    const exports = wasmApi.Module.exports(module).map((e) => `${e.name}:${e.kind}`);
    assert.ok(exports.includes(`${INTERRUPT_EXPORT}:memory`));
    assert.ok(exports.includes('process:function'));
    const started = prepareModule(assemble({ functions: [FOREVER, []], exports: { process: 1 }, start: 0, memory: 1 }), { maxPages: 16 });
    const names = wasmApi.Module.exports(await wasmApi.compile(started)).map((e) => e.name);
    assert.ok(names.includes('__actorflow_start'));
  });

  it('renames the init exports Extism would run during instantiation', async () => {
    const out = prepareModule(assemble({ functions: [[], []], exports: { process: 0, _initialize: 1 }, memory: 1 }), { maxPages: 16 });
    const names = wasmApi.Module.exports(await wasmApi.compile(out)).map((e) => e.name);
    assert.ok(names.includes('__actorflow__initialize') && !names.includes('_initialize'));
  });

  it('refuses what it cannot prepare, saying why', () => {
    assert.throws(() => prepareModule(new TextEncoder().encode('#!/bin/sh\necho hi'), { maxPages: 16 }), ModuleRewriteError);
    assert.throws(() => prepareModule(assemble({ functions: [[]], memory: 32 }), { maxPages: 16 }), /needs 32 pages \(2048 KiB\) of memory at start, over the cap of 16 pages/);
    assert.throws(() => prepareModule(assemble({ functions: [[0xfb, 0x00, 0x00]], memory: 1 }), { maxPages: 16 }), /instruction 0xfb, which the sandbox cannot meter/);
  });
});
