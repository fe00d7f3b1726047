// Components made from source code over the protocol (component:source) and their code, for
// component:getsource. Creating them is allowed only when the server is configured with the
// languages it accepts; a component that came with the server can never be replaced this way.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { extname } from 'node:path';
import type { ComponentDefinition, ComponentRegistry } from '@actorflow/network';
import { FbpError } from './protocol.ts';

/** Turns source code into a component (script components of @actorflow/script). */
export interface ComponentCompiler {
  /** Languages accepted by component:source, e.g. `javascript`, `python`. */
  readonly languages: readonly string[];
  /** Builds the component named `name` from `code`; rejects with an error saying what is wrong and where. */
  compile(name: string, language: string, code: string): Promise<ComponentDefinition>;
}

export interface ComponentSource {
  name: string;
  library: string;
  language: string;
  code: string;
  tests?: string;
}

const LANGUAGES_BY_EXTENSION: Record<string, string> = {
  '.ts': 'typescript', '.mts': 'typescript', '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.py': 'python',
};

export class SourceComponents {
  readonly #registry: ComponentRegistry;
  readonly #compiler: ComponentCompiler | null;
  /** Components created over the protocol, by full name. */
  readonly #created = new Map<string, ComponentSource>();

  constructor(registry: ComponentRegistry, compiler: ComponentCompiler | null) {
    this.#registry = registry;
    this.#compiler = compiler;
  }

  /** Whether component:source is available (a compiler with at least one language). */
  get enabled(): boolean {
    return (this.#compiler?.languages.length ?? 0) > 0;
  }

  /**
   * Compiles and registers `library/name` (replacing the previous version when it was created the
   * same way; networks already running keep the version they started with). Returns its full name.
   */
  async define(source: ComponentSource): Promise<string> {
    const compiler = this.#compiler;
    if (!compiler || !this.enabled) throw new FbpError('this server does not create components from source; set ACTORFLOW_FBP_SOURCE_LANGUAGES to enable component:source');
    const language = source.language.toLowerCase();
    if (!compiler.languages.includes(language)) {
      throw new FbpError(`component:source: language '${source.language}' is not accepted; this server accepts ${compiler.languages.join(', ')}`);
    }
    if (source.name.includes('/')) throw new FbpError(`component:source: name '${source.name}' must not contain '/'; give the library prefix as \`library\``);
    const full = source.library ? `${source.library}/${source.name}` : source.name;
    const existing = this.#registry.has(full);
    if (existing && !this.#created.has(full)) {
      throw new FbpError(`component '${full}' came with the server and cannot be replaced over the protocol; choose another name or library`);
    }
    let definition: ComponentDefinition;
    try {
      definition = await compiler.compile(full, language, source.code);
    } catch (err) {
      throw new FbpError(`component:source: '${full}' does not compile: ${(err as Error).message}`);
    }
    if (existing) this.#registry.replace(definition);
    else this.#registry.register(definition);
    this.#created.set(full, { ...source, language });
    return full;
  }

  /** The source of a component: created over the protocol, or the module file it was loaded from. */
  async source(full: string): Promise<ComponentSource | undefined> {
    const created = this.#created.get(full);
    if (created) return created;
    const module = this.#registry.source(full)?.module;
    if (!module?.startsWith('file:')) return undefined;
    const path = fileURLToPath(module);
    const slash = full.lastIndexOf('/');
    return {
      name: full.slice(slash + 1), library: slash < 0 ? '' : full.slice(0, slash),
      language: LANGUAGES_BY_EXTENSION[extname(path)] ?? 'text', code: await readFile(path, 'utf8'),
    };
  }
}
