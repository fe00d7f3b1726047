// Zeal template components: Reflow's template ids as components with the templates' ports and
// property values (specs.ts, scripts.ts, integration.ts). `zealTemplates` describes them; the package entry exports the
// alias table (template id → component) the Zeal bridge resolves templates with.
import { describeTemplate, zealTemplate, type ZealTemplate } from './adapter.ts';
import { INTEGRATION_TEMPLATE_SPECS } from './integration.ts';
import { POOL_TEMPLATES } from './pools.ts';
import { SCRIPT_TEMPLATE_SPECS } from './scripts.ts';
import { LOGIC_DATA_TEMPLATE_SPECS } from './specs.ts';

const TEMPLATE_SPECS = [...LOGIC_DATA_TEMPLATE_SPECS, ...SCRIPT_TEMPLATE_SPECS, ...INTEGRATION_TEMPLATE_SPECS];

const byId = new Map(TEMPLATE_SPECS.map((spec) => [spec.id, spec]));
const make = (id: string) => zealTemplate(byId.get(id)!);

export const IfBranch = make('tpl_if_branch');
export const Switch = make('tpl_switch');
export const Loop = make('tpl_loop');
export const DataTransformer = make('tpl_data_transformer');
export const DataOperations = make('tpl_data_operations');
export const RulesEngine = make('tpl_rules_engine');
export const JavaScriptScript = make('tpl_javascript_script');
export const PythonScript = make('tpl_python_script');
export const HttpRequest = make('tpl_http_request');
export const SqlScript = make('tpl_sql_script');

export { PostgreSQL, MySQL } from './pools.ts';

/** Template id → how it runs (component, port mapping, property values → config). */
export const zealTemplates: Record<string, ZealTemplate> = Object.fromEntries([
  ...TEMPLATE_SPECS.map((spec) => [spec.id, describeTemplate(spec)] as const),
  ...POOL_TEMPLATES.map((t) => [t.id, t] as const),
]);
