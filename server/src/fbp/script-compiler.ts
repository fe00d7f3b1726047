// component:source for script components (@actorflow/script): the code is written to a file the
// FBP runtime owns, described by its runtime (the script's own `metadata`: name, ports, config)
// and defined as a component like a discovered `*.actor.*` file. It then runs sandboxed, as every
// script actor does. A script that declares no ports gets `in` and `out`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentDefinition } from '@actorflow/network';
import type { ScriptRuntime } from '@actorflow/script';
import type { ComponentCompiler } from './source-components.ts';

/** component:source languages and the script runtime and file extension of each. */
const RUNTIMES: Record<string, { runtime: ScriptRuntime; extension: string }> = {
  javascript: { runtime: 'javascript', extension: 'mjs' },
  python: { runtime: 'python', extension: 'py' },
};

/** The languages a script compiler can accept. */
export const SCRIPT_LANGUAGES: readonly string[] = Object.keys(RUNTIMES);

export class ScriptCompiler implements ComponentCompiler {
  readonly languages: readonly string[];
  #dir: Promise<string> | null = null;
  #versions = 0;

  /** `languages`: the ones allowed (a subset of SCRIPT_LANGUAGES; others are an error). */
  constructor(languages: readonly string[]) {
    const unknown = languages.filter((l) => !SCRIPT_LANGUAGES.includes(l));
    if (unknown.length) throw new Error(`component:source languages ${unknown.join(', ')} are not script languages; use some of ${SCRIPT_LANGUAGES.join(', ')}`);
    this.languages = [...languages];
  }

  async compile(name: string, language: string, code: string): Promise<ComponentDefinition> {
    const { runtime, extension } = RUNTIMES[language];
    this.#dir ??= mkdtemp(join(tmpdir(), 'actorflow-fbp-components-'));
    // Every version gets its own file: networks already running keep reading the one they started with.
    const file = join(await this.#dir, `${name.replace(/[^A-Za-z0-9_-]/g, '_')}.${++this.#versions}.actor.${extension}`);
    await writeFile(file, code);
    // The script package is loaded the first time a component is made (start-up time).
    const { defaultScriptFactories, defineScriptComponent, normalizePorts } = await import('@actorflow/script');
    const factory = defaultScriptFactories[runtime];
    const declared = factory.describe ? await factory.describe({ file }) : { name, inports: {}, outports: {} };
    const noPorts = Object.keys(declared.inports).length === 0 && Object.keys(declared.outports).length === 0;
    return defineScriptComponent({
      runtime, file,
      metadata: { ...declared, name, ...(noPorts ? { inports: normalizePorts(['in'], file), outports: normalizePorts(['out'], file) } : {}) },
    });
  }

  /** Removes the files of the components made so far. */
  async close(): Promise<void> {
    if (this.#dir) await rm(await this.#dir, { recursive: true, force: true });
  }
}
