// Which Actorflow component a Zeal template id stands for. Pluggable: registry component names,
// `<namespace>/<name>` (the ids Zeal gives the templates we register), and alias tables (e.g. the
// component library mapping Reflow's `tpl_*` templates onto its components).
import type { ComponentRegistry } from '@actorflow/network';

export interface TemplateResolution {
  component: string;
  /** How it was found: 'alias', 'namespace' (`<ns>/<name>`) or 'name' (a component name as is). */
  via: 'alias' | 'namespace' | 'name';
}

export class TemplateResolver {
  readonly #registry: ComponentRegistry;
  readonly #namespace: string;
  readonly #aliases = new Map<string, string>();

  constructor(registry: ComponentRegistry, namespace: string, aliases?: Readonly<Record<string, string>>) {
    this.#registry = registry;
    this.#namespace = namespace;
    if (aliases) this.addAliases(aliases);
  }

  /** Maps template ids (e.g. `tpl_http_request`) to component names. Later tables win. */
  addAliases(aliases: Readonly<Record<string, string>>): void {
    for (const [templateId, component] of Object.entries(aliases)) this.#aliases.set(templateId, component);
  }

  /** The component for a template id, or undefined. Aliases first, then `<ns>/<name>`, then the bare name. */
  resolve(templateId: string): TemplateResolution | undefined {
    const alias = this.#aliases.get(templateId);
    if (alias !== undefined && this.#registry.has(alias)) return { component: alias, via: 'alias' };
    const prefix = `${this.#namespace}/`;
    if (templateId.startsWith(prefix) && this.#registry.has(templateId.slice(prefix.length))) {
      return { component: templateId.slice(prefix.length), via: 'namespace' };
    }
    if (this.#registry.has(templateId)) return { component: templateId, via: 'name' };
    return undefined;
  }

  /** A hint for an unresolved template id: near misses, and how to map it. */
  hint(templateId: string): string {
    const prefix = `${this.#namespace}/`;
    const bare = templateId.startsWith(prefix) ? templateId.slice(prefix.length) : templateId;
    const alias = this.#aliases.get(templateId);
    if (alias !== undefined) return `its alias names component '${alias}', which is not registered`;
    const near = this.#registry.suggest(bare);
    const also = near.length > 0 ? `did you mean ${near.map((n) => `'${prefix}${n}'`).join(' or ')}? ` : '';
    return `${also}use a template this server registered (ids '${prefix}<component>'), or map the id to a component with an alias`;
  }
}
