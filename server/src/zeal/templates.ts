// Registers every registry component as a Zeal node template (§2): id, type, title, category,
// description, icon, ports, and properties derived from the config JSON Schema. Categories go to
// `/api/zip/categories` first. A duplicate answer (`status:'error'` inside a 200: Zeal's store is
// a plain INSERT) counts as already registered.
import type { ComponentInfo, ComponentRegistry, JsonSchema, PortInfo, PortType } from '@actorflow/network';
import type { ZealRestClient } from './rest-client.ts';
import type { NodeTemplate, RegisterCategoriesResponse, RegisterTemplatesResponse, TemplateCategory, TemplatePort, TemplateProperty } from './wire.ts';

/** Templates per register request. */
const CHUNK = 100;

export interface TemplateRegistration {
  namespace: string;
  total: number;
  registered: number;
  /** Zeal already had them (duplicate key): they count as registered. */
  alreadyRegistered: number;
  failed: { id: string; error: string }[];
  categories: { created: number; existing: number; error?: string };
  /** Set when the registration could not be done at all (Zeal down, refused the request). */
  error?: string;
  at: number;
}

/** `flow`, `Data Processing` → Zeal's kebab-case category names. */
export function categoryName(category: string): string {
  const name = category.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (name === '') return 'other';
  return /^[a-z]/.test(name) ? name : `c-${name}`;
}

function displayName(name: string): string {
  return name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

/** `number`, `array<string>`, `object<Point>`: a port type as Zeal's `dataType` text. */
export function portTypeLabel(type: PortType): string {
  switch (type.type) {
    case 'array': return type.value ? `array<${portTypeLabel(type.value)}>` : 'array';
    case 'object': return type.value ? `object<${type.value}>` : 'object';
    case 'option': return `option<${portTypeLabel(type.value)}>`;
    default: return type.type;
  }
}

function templatePort(port: PortInfo, direction: 'input' | 'output'): TemplatePort {
  const out: TemplatePort = { id: port.name, label: port.name, type: direction, position: direction === 'input' ? 'left' : 'right', dataType: portTypeLabel(port.type) };
  if (direction === 'input') out.required = port.required === true;
  if (port.addressable) out.multiple = true;
  return out;
}

function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function schemaType(schema: Record<string, unknown>): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  return undefined;
}

/** One config property as a Zeal template property (Zeal accepts five property types). */
export function templateProperty(key: string, schema: JsonSchema, required: boolean): TemplateProperty {
  const s = typeof schema === 'object' && schema !== null ? schema as Record<string, unknown> : {};
  const type = schemaType(s);
  const prop: TemplateProperty = { type: 'code-editor', label: typeof s.title === 'string' ? s.title : humanize(key) };
  if (Array.isArray(s.enum)) {
    prop.type = 'select';
    prop.options = s.enum;
  } else if (type === 'string') prop.type = 'string';
  else if (type === 'number' || type === 'integer') prop.type = 'number';
  else if (type === 'boolean') prop.type = 'boolean';
  if (typeof s.description === 'string') prop.description = s.description;
  if (s.default !== undefined) prop.defaultValue = s.default;
  const validation: NonNullable<TemplateProperty['validation']> = {};
  if (required) validation.required = true;
  const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : typeof s.minLength === 'number' ? s.minLength : undefined;
  const max = typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : typeof s.maxLength === 'number' ? s.maxLength : undefined;
  if (min !== undefined) validation.min = min;
  if (max !== undefined) validation.max = max;
  if (typeof s.pattern === 'string') validation.pattern = s.pattern;
  if (Object.keys(validation).length > 0) prop.validation = validation;
  return prop;
}

/** Template properties from a component's config JSON Schema (its top-level `properties`). */
export function templateProperties(config: JsonSchema | undefined): Record<string, TemplateProperty> | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const props = (config as { properties?: unknown }).properties;
  if (typeof props !== 'object' || props === null) return undefined;
  const required = new Set(Array.isArray((config as { required?: unknown }).required) ? (config as { required: string[] }).required : []);
  const out: Record<string, TemplateProperty> = {};
  for (const [key, schema] of Object.entries(props as Record<string, JsonSchema>)) out[key] = templateProperty(key, schema, required.has(key));
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The Zeal template for one component. Its id is the component name; Zeal stores it as `<ns>/<name>`. */
export function templateOf(info: ComponentInfo): NodeTemplate {
  const title = info.name.slice(info.name.lastIndexOf('/') + 1) || info.name;
  const template: NodeTemplate = {
    id: info.name,
    type: info.kind,
    title,
    subtitle: info.name,
    category: categoryName(info.category),
    description: info.description || `${info.kind === 'subgraph' ? 'Subgraph' : 'Actor'} ${info.name}`,
    icon: info.icon || 'box',
    ports: [...info.inports.map((p) => templatePort(p, 'input')), ...info.outports.map((p) => templatePort(p, 'output'))],
    runtime: { executor: 'actorflow', ...(info.version ? { version: info.version } : {}), ...(info.tags.length > 0 ? { capabilities: info.tags } : {}) },
  };
  const properties = templateProperties(info.config);
  if (properties) template.properties = properties;
  return template;
}

/** The categories the templates use, as `/api/zip/categories` takes them. */
export function categoriesOf(templates: NodeTemplate[]): TemplateCategory[] {
  const names = [...new Set(templates.map((t) => t.category))].sort();
  return names.map((name) => ({ name, displayName: displayName(name), description: `Actorflow ${displayName(name).toLowerCase()} components`, icon: 'folder' }));
}

const DUPLICATE = /duplicate|unique|already exists/i;

/** Registers the registry's components (all, or the named ones) as templates in `namespace`. */
export async function registerTemplates(client: ZealRestClient, registry: ComponentRegistry, namespace: string, only?: readonly string[]): Promise<TemplateRegistration> {
  const infos = (only ? only.filter((n) => registry.has(n)).map((n) => registry.info(n)) : registry.list());
  const templates = infos.map(templateOf);
  const result: TemplateRegistration = { namespace, total: templates.length, registered: 0, alreadyRegistered: 0, failed: [], categories: { created: 0, existing: 0 }, at: Date.now() };
  if (templates.length === 0) return result;
  try {
    const cats = await client.post<RegisterCategoriesResponse>('/api/zip/categories', { categories: categoriesOf(templates) });
    for (const c of cats?.categories ?? []) {
      if (c.status === 'created') result.categories.created++;
      else if (c.status === 'exists' || c.status === 'updated') result.categories.existing++;
    }
  } catch (err) {
    // Older Zeal versions only list categories; templates still register under their names.
    result.categories.error = (err as Error).message;
  }
  for (let at = 0; at < templates.length; at += CHUNK) {
    const res = await client.post<RegisterTemplatesResponse>('/api/zip/templates/register', { namespace, templates: templates.slice(at, at + CHUNK) });
    for (const t of res?.templates ?? []) {
      if (t.status === 'registered') result.registered++;
      else if (DUPLICATE.test(t.error ?? '')) result.alreadyRegistered++;
      else result.failed.push({ id: t.id, error: t.error ?? 'unknown error' });
    }
  }
  return result;
}
