// The few WebAssembly JS API types the engine needs. The project compiles against ES2024 + Node
// types, which do not declare the WebAssembly namespace; this gives typed access to the global.

/** A compiled module (WebAssembly.Module). */
export interface WasmModule {
  readonly __wasmModule: unique symbol;
}

export interface WasmDescriptor {
  module?: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

/** WebAssembly.Memory, as far as the engine uses it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: {
    imports(module: WasmModule): (WasmDescriptor & { module: string })[];
    exports(module: WasmModule): WasmDescriptor[];
  };
}

/** The global WebAssembly object. */
export const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
