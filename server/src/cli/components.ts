// `actorflow components`: the palette, as a table or JSON.
import { createRegistry } from '../registry.ts';
import { table } from './output.ts';

export async function componentsCommand(options: { category?: string; json?: boolean }): Promise<number> {
  const all = (await createRegistry()).list();
  const list = options.category ? all.filter((c) => c.category === options.category) : all;
  if (options.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  const rows = [['name', 'category', 'inports', 'outports', 'description'], ...list.map((c) => [
    c.name, c.category, c.inports.map((p) => p.name).join(','), c.outports.map((p) => p.name).join(','), c.description,
  ])];
  process.stdout.write(`${table(rows)}\n${list.length} components\n`);
  return 0;
}
