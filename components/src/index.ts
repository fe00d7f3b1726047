// @actorflow/components: the standard component library. `registerComponents` registers every
// category from its module (so worker threads can load the same code) plus the Zeal template
// components; `zealTemplateAliases` is the table the Zeal bridge resolves Reflow's template ids with.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ComponentRegistry } from '@actorflow/network';
import { zealTemplates } from './templates/index.ts';

/** The category modules, one per line. */
const CATEGORIES: readonly URL[] = [
  new URL('./flow/index.ts', import.meta.url),
  new URL('./transform/index.ts', import.meta.url),
  new URL('./logic/index.ts', import.meta.url),
  new URL('./time/index.ts', import.meta.url),
  new URL('./debug/index.ts', import.meta.url),
  new URL('./integration/index.ts', import.meta.url),
  new URL('./data/index.ts', import.meta.url),
  new URL('./media/index.ts', import.meta.url),
  new URL('./templates/index.ts', import.meta.url),
];

/**
 * Registers every component of the library; returns their names. One category per turn of the
 * event loop: a server loading the library meanwhile keeps answering requests.
 */
export async function registerComponents(registry: ComponentRegistry): Promise<string[]> {
  const names: string[] = [];
  for (const module of CATEGORIES) {
    names.push(...await registry.registerModule(module));
    await nextTurn();
  }
  return names;
}

/** Template id (e.g. `tpl_if_branch`) → the component that runs it, for the Zeal bridge's TemplateResolver. */
export const zealTemplateAliases: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.values(zealTemplates).map((t) => [t.id, t.component])),
);

export { zealTemplates };
export type { ZealTemplate, OutSource } from './templates/adapter.ts';
export type { RuleSet, RuleGroup, Rule, RuleOperator } from './logic/rule-grammar.ts';
export type { Operation } from './transform/operations.ts';
