// @actorflow/script: sandboxed script actors (JavaScript on isolated-vm, Python in a sandboxed
// process or a Docker container, WebAssembly plugins on Extism), inline expressions (QuickJS),
// and discovery of `*.actor.*` script files.
import type { ComponentRegistry } from '@actorflow/network';
import { ScriptActor, createScriptActor, type ScriptComponentOptions } from './script-actor.ts';

export * from './engine.ts';
export {
  ScriptActor, createScriptActor, defineScriptComponent, defaultScriptFactories, SCRIPT_CONFIG_SCHEMA,
  type ScriptComponentOptions, type ScriptComponentSpec, type ScriptFactories, type ScriptNodeConfig,
} from './script-actor.ts';
export { javascriptEngineFactory, JavaScriptEngine, nodeSnapshotDisabled, type FetchGrant, type JavaScriptGrants } from './javascript/index.ts';
export { wasmEngineFactory, WasmEngine } from './wasm/index.ts';
export { pythonEngineFactory, createPythonEngineFactory, PythonEngine, type PythonEngineOptions, type PythonEngineFactory } from './python/index.ts';
export {
  discoverActors, watchActors,
  type DiscoverOptions, type DiscoveredActor, type DiscoveryProblem, type DiscoveryResult, type WatchOptions, type ActorWatchEvent, type ActorWatcher,
} from './discovery/index.ts';
export {
  createExpressionEngine, ExpressionError,
  type ExpressionEngine, type ExpressionEngineOptions, type ExpressionErrorCode, type CompiledExpression, type CompiledTemplate, type Scope,
} from './expression/index.ts';

/**
 * Registers the script components (`script/Script`). With default options the component is
 * registered with its module, so nodes placed on worker threads (metadata `thread`) load it there.
 */
export function registerScriptComponents(registry: ComponentRegistry, options: ScriptComponentOptions = {}): string[] {
  if (options.factories === undefined && options.baseDir === undefined) {
    registry.register(ScriptActor, { module: new URL('./script-actor.ts', import.meta.url).href, exportName: 'ScriptActor' });
  } else {
    registry.register(createScriptActor(options));
  }
  return ['script/Script'];
}
