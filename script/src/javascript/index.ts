// The JavaScript runtime: isolated-vm isolates (see engine.ts for the contracts, grants.ts for
// what a script may be granted).
import { DEFAULT_LIMITS, type ScriptEngineFactory, type ScriptMetadata, type ScriptSource } from '../engine.ts';
import { JavaScriptEngine } from './engine.ts';

export { JavaScriptEngine, nodeSnapshotDisabled } from './engine.ts';
export type { FetchGrant, JavaScriptGrants } from './grants.ts';

export const javascriptEngineFactory: ScriptEngineFactory = {
  runtime: 'javascript',
  create: (options) => new JavaScriptEngine(options),
  /** Loads the script in a throwaway isolate and reads its `metadata` (a script without one gets empty metadata). */
  async describe(source: ScriptSource): Promise<ScriptMetadata> {
    const engine = new JavaScriptEngine({ nodeId: 'describe', source, isolation: 'sandbox', limits: { ...DEFAULT_LIMITS }, config: {} });
    try {
      return (await engine.metadata()) ?? { name: '', inports: {}, outports: {} };
    } finally {
      await engine.dispose();
    }
  },
};
