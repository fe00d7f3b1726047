// WebAssembly test fixtures: paths of the plugins built from script/plugins/*.ts (by
// script/scripts/build.sh, which scripts/setup.sh runs), and a tiny assembler for hand-made
// modules that no compiler would produce (a looping start function, forbidden imports).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Path of a built example/fixture plugin; a clear error if the build step has not run. */
export function plugin(name: 'multiply' | 'counter' | 'stream' | 'hostile' | 'noop'): string {
  const path = fileURLToPath(new URL(`../plugins/build/${name}.wasm`, import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: build the plugins with script/scripts/build.sh (scripts/setup.sh runs it)`);
  return path;
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const str = (s: string): number[] => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];

export interface TinyModule {
  /** Function imports, all of type () -> (). */
  imports?: [module: string, name: string][];
  /** Bodies (instructions, without locals and the final `end`) of functions of type () -> (). */
  functions?: number[][];
  /** Exported functions: name -> index (imports count first). */
  exports?: Record<string, number>;
  /** Index of the start function. */
  start?: number;
  /** Memory pages (min); no memory section when absent. */
  memory?: number;
  /** Maximum memory pages. */
  memoryMax?: number;
}

/** Assembles a module whose functions all have type () -> (). */
export function assemble(m: TinyModule): Uint8Array {
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  bytes.push(...section(1, vec([[0x60, 0x00, 0x00]])));
  if (m.imports?.length) bytes.push(...section(2, vec(m.imports.map(([mod, name]) => [...str(mod), ...str(name), 0x00, 0x00]))));
  if (m.functions?.length) bytes.push(...section(3, vec(m.functions.map(() => [0x00]))));
  if (m.memory !== undefined) {
    const limits = m.memoryMax === undefined ? [0x00, ...leb(m.memory)] : [0x01, ...leb(m.memory), ...leb(m.memoryMax)];
    bytes.push(...section(5, vec([limits])));
  }
  if (m.exports) bytes.push(...section(7, vec(Object.entries(m.exports).map(([name, index]) => [...str(name), 0x00, ...leb(index)]))));
  if (m.start !== undefined) bytes.push(...section(8, leb(m.start)));
  if (m.functions?.length) bytes.push(...section(10, vec(m.functions.map((body) => { const fn = [0x00, ...body, 0x0b]; return [...leb(fn.length), ...fn]; }))));
  return new Uint8Array(bytes);
}

/** `loop br 0 end`: runs forever. */
export const FOREVER = [0x03, 0x40, 0x0c, 0x00, 0x0b];
