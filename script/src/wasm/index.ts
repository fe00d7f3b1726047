// The WebAssembly runtime: Extism plugins with Reflow's actor ABI (see engine.ts).
import { DEFAULT_LIMITS, type ScriptEngineFactory, type ScriptMetadata, type ScriptSource } from '../engine.ts';
import { WasmEngine } from './engine.ts';

export { WasmEngine } from './engine.ts';

export const wasmEngineFactory: ScriptEngineFactory = {
  runtime: 'wasm',
  create: (options) => new WasmEngine(options),
  /** Instantiates the plugin and reads its get_metadata() (a plugin without one gets empty metadata). */
  async describe(source: ScriptSource): Promise<ScriptMetadata> {
    const engine = new WasmEngine({ nodeId: 'describe', source, isolation: 'sandbox', limits: { ...DEFAULT_LIMITS }, config: {} });
    try {
      return (await engine.metadata()) ?? { name: '', inports: {}, outports: {} };
    } finally {
      await engine.dispose();
    }
  },
};
