// Generates docs/components.md from the component metadata: every component of the library with
// its description, ports, config (a table from the JSON Schema) and an example node (the config
// schema's first `examples` entry), plus the Zeal template table. Run it after changing a
// component:  node components/scripts/gen-docs.ts   (a test fails while the file is out of date)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ComponentRegistry, type ComponentInfo, type JsonSchema, type PortInfo, type PortType } from '@actorflow/network';
import { registerComponents, zealTemplates } from '../src/index.ts';

/** Where the generated document lives. */
export const DOC_PATH = fileURLToPath(new URL('../../docs/components.md', import.meta.url));

type Schema = Record<string, unknown>;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function portType(type: PortType): string {
  if (type.type === 'array') return type.value ? `array<${portType(type.value)}>` : 'array';
  if (type.type === 'object') return type.value ? `object<${type.value}>` : 'object';
  if (type.type === 'option') return `option<${portType(type.value)}>`;
  return type.type;
}

function portTable(ports: PortInfo[], kind: 'in' | 'out'): string[] {
  if (ports.length === 0) return [`_No ${kind}ports._`, ''];
  const rows = ports.map((p) => {
    const flags = [p.required ? 'required' : '', p.addressable ? 'addressable' : ''].filter(Boolean).join(', ');
    return kind === 'in'
      ? `| \`${p.name}\` | ${portType(p.type)} | ${flags} | ${cell(p.description ?? '')} |`
      : `| \`${p.name}\` | ${portType(p.type)}${p.addressable ? ' (addressable)' : ''} | ${cell(p.description ?? '')} |`;
  });
  const head = kind === 'in' ? ['| Inport | Type | | Description |', '|---|---|---|---|'] : ['| Outport | Type | Description |', '|---|---|---|'];
  return [...head, ...rows, ''];
}

/** A short type description of a property schema: `integer ≥ 1`, `"drop" \| "queue"`, `array of object`. */
function schemaType(s: Schema): string {
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (Array.isArray(alternatives)) return alternatives.map(schemaType).join(' or ');
  const t = Array.isArray(s.type) ? s.type.join(' or ') : typeof s.type === 'string' ? s.type : 'any';
  const bounds: string[] = [];
  if (typeof s.minimum === 'number') bounds.push(`≥ ${s.minimum}`);
  if (typeof s.maximum === 'number') bounds.push(`≤ ${s.maximum}`);
  if (typeof s.minItems === 'number' && s.minItems > 0) bounds.push(`${s.minItems}+ items`);
  if (t === 'array' && typeof s.items === 'object' && s.items !== null) {
    return `array of ${schemaType(s.items as Schema)}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
  }
  return bounds.length ? `${t} ${bounds.join(', ')}` : t;
}

function configTable(config: JsonSchema | undefined): string[] {
  const schema = (typeof config === 'object' ? config : {}) as Schema;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const names = Object.keys(properties);
  if (names.length === 0) return ['_No configuration._', ''];
  const required = new Set(Array.isArray(schema.required) ? schema.required as string[] : []);
  const rows = names.map((name) => {
    const p = properties[name];
    const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
    return `| \`${name}\` | ${cell(schemaType(p))} | ${required.has(name) ? 'yes' : ''} | ${cell(def)} | ${cell(String(p.description ?? ''))} |`;
  });
  return ['| Config | Type | Required | Default | Description |', '|---|---|---|---|---|', ...rows, ''];
}

/** The example config of a component: the first `examples` entry of its config schema. */
export function exampleConfig(info: ComponentInfo): unknown {
  const examples = (typeof info.config === 'object' ? (info.config as Schema).examples : undefined) as unknown[] | undefined;
  return Array.isArray(examples) && examples.length > 0 ? examples[0] : undefined;
}

function example(info: ComponentInfo): string[] {
  const metadata = exampleConfig(info);
  const hasConfig = Object.keys(((info.config ?? {}) as Schema).properties ?? {}).length > 0;
  if (metadata === undefined && hasConfig) return ['_No example: add `examples` to the config schema._', ''];
  const id = info.name.split('/')[1].replace(/^./, (c) => c.toLowerCase());
  return ['Example node (a `processes` entry of a graph):', '', '```json', JSON.stringify({ [id]: { component: info.name, metadata: metadata ?? {} } }, null, 2), '```', ''];
}

function componentSection(info: ComponentInfo): string[] {
  return [
    `### ${info.name}`, '',
    info.description, '',
    `Category \`${info.category}\` · icon \`${info.icon}\``, '',
    ...portTable(info.inports, 'in'),
    ...portTable(info.outports, 'out'),
    ...configTable(info.config),
    ...example(info),
  ];
}

function templateTable(): string[] {
  const rows = Object.values(zealTemplates).map((t) => {
    const ins = Object.entries(t.ports.inports).map(([z, p]) => `\`${z}\`→${p}`).join(', ');
    const outs = Object.entries(t.ports.outports).map(([z, s]) => `${s.port}${s.index === undefined ? '' : `[${s.index}]`}→\`${z}\``).join(', ');
    return `| \`${t.id}\` | \`${t.component}\` | \`${t.target}\` | ${ins} | ${outs} |`;
  });
  return [
    '## Zeal templates', '',
    "Reflow's Zeal template ids and the components that run them (`zealTemplateAliases` in `@actorflow/components`). A node's",
    '`propertyValues` are its config; the template port ids are the component\'s ports (Zeal\'s hyphenated ids such as `data-in` also match',
    'underscored names such as `data_in`).', '',
    '| Template | Component | Runs on | Inports (template → component) | Outports (component → template) |',
    '|---|---|---|---|---|',
    ...rows, '',
  ];
}

/** What holds for every component, before the reference. */
const GUIDE = [
  '## Conventions', '',
  '- **Errors.** A config that breaks its schema is rejected when the graph is loaded (`INVALID_GRAPH` listing every problem with its',
  '  JSON path, e.g. `$.processes.n.metadata.cases`). What only running can tell (an expression\'s syntax, a cron pattern\'s ranges) fails',
  '  the network\'s start with `INVALID_CONFIG` naming the node and the field. A packet a component cannot handle fails the firing with',
  '  `INVALID_INPUT` (or the expression engine\'s `EXPRESSION_*` codes, with the operation and item): it goes to the node\'s `error` port',
  '  when one is connected, otherwise it is an `ActorFailed` event and the run fails (or continues, with `onError: continue`).',
  '- **Expressions and templates** run in the sandboxed expression engine of `@actorflow/script` (QuickJS: no I/O, a deadline and a',
  '  memory limit per evaluation). Per-packet expressions see `data` (the packet); operations on array items see `item`, `index` and',
  '  `data` (the whole input); templates are text with `${…}` holes over the same names. Field paths are `a.b[0].c`.',
  '- **Time.** Timed components (`flow/Batch`, `flow/Window`, `time/Delay`, `time/Throttle`, `time/Debounce`) take packets as fast as',
  '  they come while more are queued, and wait for their next deadline only when their inbox is empty — so a run never ends while',
  '  they hold packets, and what they hold goes out before it ends. Time is the time the node takes a packet: packets that arrive while',
  '  it waits are taken right after.',
  '- **Zeal templates** (`zeal/*`) run Reflow\'s template ids with the templates\' port ids and property values; see the table at the end.',
  '',
];

/** The whole document for the components `registerComponents` provides. */
export async function renderComponentsDoc(): Promise<string> {
  const registry = new ComponentRegistry();
  const names = new Set(await registerComponents(registry));
  const infos = registry.list().filter((c) => names.has(c.name));
  const categories = [...new Set(infos.map((c) => c.category))];
  const lines = [
    '# Components', '',
    '<!-- Generated by components/scripts/gen-docs.ts from the component metadata. Do not edit: run `node components/scripts/gen-docs.ts`. -->', '',
    `The component library (\`@actorflow/components\`): ${infos.length} components. Register them with`,
    '`registerComponents(registry)`; every config below is checked against its JSON Schema when a graph is loaded.', '',
    ...categories.map((cat) => `- **${cat}**: ${infos.filter((c) => c.category === cat).map((c) => `[${c.name}](#${c.name.replace(/\//g, '').toLowerCase()})`).join(', ')}`),
    '',
    ...GUIDE,
  ];
  for (const cat of categories) {
    lines.push(`## ${cat}`, '');
    for (const info of infos.filter((c) => c.category === cat)) lines.push(...componentSection(info));
  }
  lines.push(...templateTable());
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(DOC_PATH, await renderComponentsDoc());
  console.log(`wrote ${DOC_PATH}`);
}
