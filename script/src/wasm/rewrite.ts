// Rewrites a plugin's WebAssembly module before it is instantiated, so it can run on the calling
// thread (fast) and still be stopped:
//
// - Memory cap: the module's own memory gets `max = maxPages` (Extism's memory options do not
//   limit a plugin's linear memory; deps.md §3.4).
// - Interrupt checks: a one-page shared memory is added and exported as INTERRUPT_EXPORT; at every
//   function entry and loop head the code compares its words 0 (tripped token) and 1 (current call
//   token) and traps with `unreachable` when they are equal. The watchdog thread writes the token
//   when a call passes its deadline (see watchdog.ts).
// - Memory exhaustion: every `memory.grow` is followed by a call to an added function that sets
//   word 2 (MEMORY_EXHAUSTED_WORD) when the grow failed, so the host can tell "out of memory" from
//   other traps.
// - Initialization: the start function and the `_initialize` / `_start` / `hs_init` exports that
//   Extism would run inside createPlugin (beyond any deadline) are exported under INIT_EXPORTS
//   names instead; the engine runs them itself, under the watchdog.
//
// Supports the MVP instruction set plus sign-extension, non-trapping conversions, bulk memory,
// reference types, multi-value, tail calls, SIMD, threads and legacy/new exception handling; a
// module using anything else (GC, memory64) is refused with a precise error.

/** The export holding the interrupt words. */
export const INTERRUPT_EXPORT = '__actorflow_interrupt';
/** Index of the Int32 word set to 1 when a memory.grow failed. */
export const MEMORY_EXHAUSTED_WORD = 2;
/** Initialization functions, in the order the engine runs them (when present). */
export const INIT_EXPORTS = ['__actorflow_start', '__actorflow__initialize', '__actorflow__start', '__actorflow_hs_init'] as const;
const RENAMED_INIT: Record<string, string> = { _initialize: '__actorflow__initialize', _start: '__actorflow__start', hs_init: '__actorflow_hs_init' };

/** A module that cannot be prepared (not wasm, or uses something the rewriter does not know). */
export class ModuleRewriteError extends Error {
  override name = 'ModuleRewriteError';
}

class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }
  byte(): number {
    if (this.pos >= this.bytes.length) throw new ModuleRewriteError('unexpected end of the module');
    return this.bytes[this.pos++];
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new ModuleRewriteError('malformed LEB128 number');
    }
  }
  /** Skips a signed or unsigned LEB128 number of any width. */
  skipLeb(): void {
    while (this.byte() & 0x80) { /* continuation bytes */ }
  }
  skip(n: number): void {
    this.pos += n;
  }
  name(): string {
    const length = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }
}

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function name(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  return [...u32(bytes.length), ...bytes];
}

interface Section {
  id: number;
  body: Uint8Array;
}

/** Canonical order of the known sections (custom sections, id 0, stay where they are). */
const SECTION_RANK: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };
const SECTION = { type: 1, import: 2, function: 3, memory: 5, export: 7, start: 8, code: 10 } as const;

/** Caps the memory, adds interrupt checks and moves initialization out of instantiation. */
export function prepareModule(wasm: Uint8Array, options: { maxPages: number }): Uint8Array {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new ModuleRewriteError('not a WebAssembly module (bad magic number)');
  }
  if (wasm[4] !== 1 || wasm[5] !== 0 || wasm[6] !== 0 || wasm[7] !== 0) throw new ModuleRewriteError('not a WebAssembly 1.0 binary module');
  const sections = readSections(wasm);
  const imported = countImports(sections.find((s) => s.id === SECTION.import));
  if (imported.memories > 0) throw new ModuleRewriteError('the module imports its memory; plugins must define their own');

  const memory = sections.find((s) => s.id === SECTION.memory);
  const { body: memoryBody, count: definedMemories } = rewriteMemories(memory?.body, options.maxPages);
  const interruptIndex = definedMemories; // appended after the module's own memories
  upsert(sections, SECTION.memory, memoryBody);

  const startIndex = sections.findIndex((s) => s.id === SECTION.start);
  let startFunction: number | undefined;
  if (startIndex >= 0) {
    startFunction = new Reader(sections[startIndex].body).u32();
    sections.splice(startIndex, 1);
  }
  upsert(sections, SECTION.export, rewriteExports(sections.find((s) => s.id === SECTION.export)?.body, interruptIndex, startFunction));

  // The grow watcher: a new type (i32) -> i32 and a new function, appended so no index moves.
  const types = sections.find((s) => s.id === SECTION.type);
  const typeIndex = types ? new Reader(types.body).u32() : 0;
  upsert(sections, SECTION.type, appendToVector(types?.body, [0x60, 1, 0x7f, 1, 0x7f]));
  const functions = sections.find((s) => s.id === SECTION.function);
  const growWatcher = imported.functions + (functions ? new Reader(functions.body).u32() : 0);
  upsert(sections, SECTION.function, appendToVector(functions?.body, u32(typeIndex)));
  const code = sections.find((s) => s.id === SECTION.code);
  const instrumented = instrumentCode(code?.body, interruptCheck(interruptIndex), [0x10, ...u32(growWatcher)]);
  upsert(sections, SECTION.code, appendToVector(instrumented, sizedBody(growWatcherBody(interruptIndex))));

  const out: number[] = [...wasm.subarray(0, 8)];
  for (const section of sections) out.push(section.id, ...u32(section.body.length), ...section.body);
  return new Uint8Array(out);
}

function readSections(wasm: Uint8Array): Section[] {
  const r = new Reader(wasm, 8);
  const sections: Section[] = [];
  while (r.pos < wasm.length) {
    const id = r.byte();
    const size = r.u32();
    if (r.pos + size > wasm.length) throw new ModuleRewriteError(`section ${id} runs past the end of the module`);
    sections.push({ id, body: wasm.subarray(r.pos, r.pos + size) });
    r.skip(size);
  }
  return sections;
}

/** Replaces the section with `id`, or inserts it at its canonical place. */
function upsert(sections: Section[], id: number, body: Uint8Array): void {
  const existing = sections.find((s) => s.id === id);
  if (existing) {
    existing.body = body;
    return;
  }
  const at = sections.findIndex((s) => s.id !== 0 && SECTION_RANK[s.id] > SECTION_RANK[id]);
  sections.splice(at < 0 ? sections.length : at, 0, { id, body });
}

function skipValType(r: Reader): void {
  const t = r.byte();
  if (t === 0x63 || t === 0x64) r.skipLeb(); // (ref null? heaptype)
}

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

/** Appends one entry to a section that is a vector (count + entries). */
function appendToVector(body: Uint8Array | undefined, entry: number[]): Uint8Array {
  if (!body) return new Uint8Array([1, ...entry]);
  const r = new Reader(body);
  const count = r.u32();
  return new Uint8Array([...u32(count + 1), ...body.subarray(r.pos), ...entry]);
}

function sizedBody(body: number[]): number[] {
  return [...u32(body.length), ...body];
}

/** (x: i32) -> i32: when x is -1 (memory.grow failed), sets the memory-exhausted word; returns x. */
function growWatcherBody(memory: number): number[] {
  return [
    0x00, // no locals
    0x20, 0x00, 0x41, 0x7f, 0x46, 0x04, 0x40, // if (x == -1)
    0x41, 0x00, 0x41, 0x01, 0x36, 0x42, ...u32(memory), MEMORY_EXHAUSTED_WORD * 4, // i32.store [8] = 1
    0x0b, 0x20, 0x00, 0x0b, // end; x; end
  ];
}

function countImports(section: Section | undefined): { functions: number; memories: number } {
  const counts = { functions: 0, memories: 0 };
  if (!section) return counts;
  const r = new Reader(section.body);
  for (let n = r.u32(); n > 0; n--) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0x00) {
      counts.functions++;
      r.u32();
    } else if (kind === 0x01) {
      skipValType(r);
      skipLimits(r);
    } else if (kind === 0x02) {
      counts.memories++;
      skipLimits(r);
    } else if (kind === 0x03) {
      skipValType(r);
      r.byte();
    } else if (kind === 0x04) {
      r.byte();
      r.u32();
    } else throw new ModuleRewriteError(`unknown import kind ${kind}`);
  }
  return counts;
}

/** Caps each memory's maximum and appends the one-page shared interrupt memory. */
function rewriteMemories(body: Uint8Array | undefined, maxPages: number): { body: Uint8Array; count: number } {
  const out: number[] = [];
  let count = 0;
  if (body) {
    const r = new Reader(body);
    count = r.u32();
    for (let i = 0; i < count; i++) {
      const flags = r.byte();
      if (flags & ~3) throw new ModuleRewriteError('64-bit memories are not supported');
      const min = r.u32();
      const max = flags & 1 ? r.u32() : undefined;
      if (min > maxPages) {
        throw new ModuleRewriteError(`the module needs ${min} pages (${min * 64} KiB) of memory at start, over the cap of ${maxPages} pages (limits.memoryMb)`);
      }
      out.push(flags | 1, ...u32(min), ...u32(Math.min(max ?? maxPages, maxPages)));
    }
  }
  out.push(0x03, 1, 1); // shared, min 1, max 1
  return { body: new Uint8Array([...u32(count + 1), ...out]), count };
}

/** Adds the interrupt export, exports the start function, and renames the init exports Extism would run. */
function rewriteExports(body: Uint8Array | undefined, interruptIndex: number, startFunction: number | undefined): Uint8Array {
  const entries: number[][] = [];
  if (body) {
    const r = new Reader(body);
    for (let n = r.u32(); n > 0; n--) {
      const exported = r.name();
      const kind = r.byte();
      const index = r.u32();
      const renamed = kind === 0x00 && RENAMED_INIT[exported] ? RENAMED_INIT[exported] : exported;
      entries.push([...name(renamed), kind, ...u32(index)]);
    }
  }
  entries.push([...name(INTERRUPT_EXPORT), 0x02, ...u32(interruptIndex)]);
  if (startFunction !== undefined) entries.push([...name(INIT_EXPORTS[0]), 0x00, ...u32(startFunction)]);
  return new Uint8Array([...u32(entries.length), ...entries.flat()]);
}

/** `if (interrupt[0] == interrupt[1]) unreachable` on the interrupt memory. */
function interruptCheck(memory: number): number[] {
  const memarg = (offset: number) => [0x42, ...u32(memory), offset]; // align 2^2 | multi-memory flag, memidx, offset
  return [0x41, 0x00, 0x28, ...memarg(0), 0x41, 0x00, 0x28, ...memarg(4), 0x46, 0x04, 0x40, 0x00, 0x0b];
}

/** Adds `check` at every function entry and loop head, and `afterGrow` after every memory.grow. */
function instrumentCode(body: Uint8Array | undefined, check: number[], afterGrow: number[]): Uint8Array | undefined {
  if (!body) return undefined;
  const r = new Reader(body);
  const functions = r.u32();
  const out: number[] = [...u32(functions)];
  for (let f = 0; f < functions; f++) {
    const size = r.u32();
    const end = r.pos + size;
    const start = r.pos;
    for (let groups = r.u32(); groups > 0; groups--) {
      r.u32();
      skipValType(r);
    }
    const fn: number[] = [...body.subarray(start, r.pos), ...check];
    let copied = r.pos;
    while (r.pos < end) {
      const op = body[r.pos];
      skipInstruction(r, f);
      if (op === 0x03 || op === 0x40) {
        fn.push(...body.subarray(copied, r.pos), ...(op === 0x03 ? check : afterGrow));
        copied = r.pos;
      }
    }
    fn.push(...body.subarray(copied, end));
    out.push(...u32(fn.length), ...fn);
  }
  return new Uint8Array(out);
}

function skipBlockType(r: Reader): void {
  const b = r.bytes[r.pos];
  if (b === 0x40 || (b >= 0x6a && b <= 0x7f) || b === 0x63 || b === 0x64) skipValType(r);
  else r.skipLeb(); // s33 type index
}

function skipMemarg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // memory index (multi-memory)
  r.skipLeb(); // offset
}

/** Moves past one instruction (opcode and immediates); throws for instructions it does not know. */
function skipInstruction(r: Reader, fn: number): void {
  const op = r.byte();
  if ((op >= 0x45 && op <= 0xc4) || [0x00, 0x01, 0x05, 0x0a, 0x0b, 0x0f, 0x19, 0x1a, 0x1b, 0xd1, 0xd3, 0xd4].includes(op)) return;
  switch (op) {
    case 0x02: case 0x03: case 0x04: case 0x06: skipBlockType(r); return;
    case 0x07: case 0x08: case 0x09: case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x14: case 0x15: case 0x18:
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0x3f: case 0x40:
    case 0xd2: case 0xd5: case 0xd6:
      r.u32();
      return;
    case 0x0e: for (let n = r.u32(); n >= 0; n--) r.u32(); return; // br_table: n labels + default
    case 0x11: case 0x13: r.u32(); r.u32(); return;
    case 0x1c: for (let n = r.u32(); n > 0; n--) skipValType(r); return;
    case 0x1f: {
      skipBlockType(r);
      for (let n = r.u32(); n > 0; n--) {
        const kind = r.byte();
        if (kind === 0x00 || kind === 0x01) r.u32();
        r.u32();
      }
      return;
    }
    case 0x41: case 0x42: r.skipLeb(); return;
    case 0x43: r.skip(4); return;
    case 0x44: r.skip(8); return;
    case 0xd0: r.skipLeb(); return;
    case 0xfc: return skipPrefixedFC(r, fn);
    case 0xfd: return skipPrefixedFD(r);
    case 0xfe: {
      const sub = r.u32();
      if (sub === 0x03) r.byte();
      else skipMemarg(r);
      return;
    }
    default:
      if (op >= 0x28 && op <= 0x3e) return skipMemarg(r);
      throw new ModuleRewriteError(`function #${fn} uses instruction 0x${op.toString(16)}, which the sandbox cannot meter (GC and other proposals are not supported)`);
  }
}

function skipPrefixedFC(r: Reader, fn: number): void {
  const sub = r.u32();
  if (sub <= 7) return;
  if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
    r.u32();
    r.u32();
  } else if (sub === 9 || sub === 11 || sub === 13 || sub === 15 || sub === 16 || sub === 17) {
    r.u32();
  } else {
    throw new ModuleRewriteError(`function #${fn} uses instruction 0xfc ${sub}, which the sandbox does not know`);
  }
}

function skipPrefixedFD(r: Reader): void {
  const sub = r.u32();
  if (sub <= 11 || sub === 92 || sub === 93) skipMemarg(r);
  else if (sub >= 84 && sub <= 91) {
    skipMemarg(r);
    r.byte();
  } else if (sub === 12 || sub === 13) r.skip(16);
  else if (sub >= 21 && sub <= 34) r.byte();
}
