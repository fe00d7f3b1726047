// *.actor.* discovery: script files registered as components from their own metadata, broken
// files reported (file and line) without stopping anything, and the watcher's reload loop.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ComponentRegistry, defineActor, Graph, Network } from '@actorflow/network';
import { discoverActors, watchActors, type ActorWatchEvent } from '../src/index.ts';
import { tempDir } from './harness.ts';
import { plugin } from './wasm-fixtures.ts';

const dirs: ReturnType<typeof tempDir>[] = [];
after(() => dirs.forEach((d) => d.remove()));
function folder(files: Record<string, string>): ReturnType<typeof tempDir> {
  const d = tempDir('actorflow-actors-');
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d.dir, name, '..'), { recursive: true });
    writeFileSync(join(d.dir, name), text);
  }
  return d;
}

async function runOne(registry: ComponentRegistry, component: string, inport: string, value: unknown, outport: string): Promise<unknown[]> {
  const g = new Graph({ name: 'discovered' });
  g.addNode('n', component);
  g.addInitial(value, { node: 'n', port: inport });
  g.addOutport('out', 'n', outport);
  const result = await (await Network.create(g, { registry })).run({ timeoutMs: 20_000 });
  assert.equal(result.status, 'completed', JSON.stringify(result.errors));
  return result.results.out;
}

const UPPER_JS = `export const metadata = { name: 'text/Upper', description: 'Upper-cases text', category: 'text', inports: { text: { type: 'string', required: true } }, outports: ['upper'] };
export default ({ inputs }) => ({ upper: inputs.text.toUpperCase() });
`;

describe('discovery of *.actor.* files', () => {
  it('registers JavaScript, TypeScript, Python and WebAssembly scripts with the metadata they declare', async () => {
    const d = folder({
      'upper.actor.js': UPPER_JS,
      'nested/count.actor.ts': "export const metadata: { name: string; inports: string[]; outports: string[] } = { name: 'text/Length', inports: ['text'], outports: ['length'] };\nexport default ({ inputs }: { inputs: { text: string } }) => ({ length: inputs.text.length });\n",
      'reverse.actor.py': "@actor(name='text/Reverse', inports=['text'], outports=['reversed'])\ndef process(inputs, state, config):\n    return {'reversed': inputs['text'][::-1]}\n",
      'notes.txt': 'not a script',
      'helper.js': 'export default 1',
    });
    copyFileSync(plugin('multiply'), join(d.dir, 'multiply.actor.wasm'));
    const registry = new ComponentRegistry();
    const { actors, problems } = await discoverActors(d.dir, registry);
    assert.deepEqual(problems, []);
    assert.deepEqual(actors.map((a) => [a.name, a.runtime]).sort(), [['text/Length', 'javascript'], ['text/Reverse', 'python'], ['text/Upper', 'javascript'], ['wasm/Multiply', 'wasm']]);
    const info = registry.info('text/Upper');
    assert.equal(info.description, 'Upper-cases text');
    assert.equal(info.category, 'text');
    assert.deepEqual(info.inports.map((p) => [p.name, p.type.type, p.required ?? false]), [['text', 'string', true]]);
    assert.deepEqual(info.outports.map((p) => p.name), ['upper', 'error']);
    assert.deepEqual(await runOne(registry, 'text/Upper', 'text', 'abc', 'upper'), ['ABC']);
    assert.deepEqual(await runOne(registry, 'text/Length', 'text', 'abcd', 'length'), [4]);
    assert.deepEqual(await runOne(registry, 'text/Reverse', 'text', 'abc', 'reversed'), ['cba']);
    assert.deepEqual(await runOne(registry, 'wasm/Multiply', 'value', 21, 'out'), [42]);
  });

  it('names a script without metadata after its file, with ports in and out', async () => {
    const d = folder({ 'double.actor.js': 'export default ({ inputs }) => ({ out: inputs.in * 2 });\n' });
    const registry = new ComponentRegistry();
    const { actors } = await discoverActors(d.dir, registry, { namespace: 'mine/' });
    assert.deepEqual(actors.map((a) => a.name), ['mine/double']);
    assert.deepEqual(await runOne(registry, 'mine/double', 'in', 4, 'out'), [8]);
  });

  it('hands the node config to the script, with the defaults of the schema it declares', async () => {
    const d = folder({
      'shout.actor.js': `export const metadata = { name: 'text/Shout', inports: ['text'], outports: ['out'],
        config: { type: 'object', properties: { suffix: { type: 'string', default: '!' } } } };
export default ({ inputs, config }) => ({ out: inputs.text + config.suffix + Object.keys(config).sort().join(',') });
`,
    });
    const registry = new ComponentRegistry();
    await discoverActors(d.dir, registry);
    assert.deepEqual(await runOne(registry, 'text/Shout', 'text', 'hey', 'out'), ['hey!suffix']);
    const g = new Graph({ name: 'configured' });
    g.addNode('n', 'text/Shout', { suffix: '?', limits: { timeoutMs: 500 }, retry: { attempts: 1 } });
    g.addInitial('hey', { node: 'n', port: 'text' });
    g.addOutport('out', 'n', 'out');
    const result = await (await Network.create(g, { registry })).run({ timeoutMs: 20_000 });
    assert.deepEqual(result.results.out, ['hey?suffix'], JSON.stringify(result.errors));
  });

  it('reports broken files with file and line, and registers the rest', async () => {
    const d = folder({
      'good.actor.js': UPPER_JS,
      'broken.actor.js': "export const metadata = { name: 'x/Broken' };\nexport default () => {\n  return {;\n};\n",
      'bad-meta.actor.py': "__actor_metadata__ = ['not', 'a', 'dict']\ndef process(inputs, state, config):\n    return {}\n",
      'bad-ports.actor.js': "export const metadata = { name: 'x/Ports', inports: ['ok', '1bad'] };\nexport default () => {};\n",
      'garbage.actor.wasm': 'not a wasm module',
    });
    const seen: string[] = [];
    const registry = new ComponentRegistry();
    const { actors, problems } = await discoverActors(d.dir, registry, { onProblem: (p) => seen.push(p.file) });
    assert.deepEqual(actors.map((a) => a.name), ['text/Upper']);
    assert.equal(problems.length, 4);
    const broken = problems.find((p) => p.file.endsWith('broken.actor.js'))!;
    assert.equal(broken.code, 'SCRIPT_SYNTAX');
    assert.equal(broken.line, 3);
    assert.match(broken.message, /broken\.actor\.js:3:/);
    assert.equal(problems.find((p) => p.file.endsWith('bad-meta.actor.py'))!.line, 1);
    assert.match(problems.find((p) => p.file.endsWith('bad-ports.actor.js'))!.message, /'1bad' is not a valid port name/);
    assert.match(problems.find((p) => p.file.endsWith('garbage.actor.wasm'))!.message, /not a WebAssembly module/);
    assert.equal(seen.length, 4);
  });

  it('never replaces a component it does not own, and refuses a name used by two files', async () => {
    const d = folder({
      'a.actor.js': "export const metadata = { name: 'core/Taken' };\nexport default () => {};\n",
      'b1.actor.js': "export const metadata = { name: 'x/Twice' };\nexport default () => {};\n",
      'b2.actor.js': "export const metadata = { name: 'x/Twice' };\nexport default () => {};\n",
    });
    const registry = new ComponentRegistry();
    const builtin = defineActor({ name: 'core/Taken', inports: { in: {} }, process() {} });
    registry.register(builtin);
    const { actors, problems } = await discoverActors(d.dir, registry);
    assert.equal(registry.get('core/Taken'), builtin);
    assert.deepEqual(actors.map((a) => a.name), ['x/Twice']);
    assert.match(problems.map((p) => p.message).join('\n'), /'core\/Taken' is already registered[\s\S]*'x\/Twice' is already used by b1\.actor\.js/);
  });

  it('says clearly when the folder does not exist', async () => {
    await assert.rejects(discoverActors('/nonexistent/actors', new ComponentRegistry()), /actors folder \/nonexistent\/actors does not exist/);
  });
});

describe('watching a folder of actors (dev loop)', () => {
  /** The next watcher event matching `type` and `file`. */
  function nextEvent(events: ActorWatchEvent[], waiters: (() => void)[], test: (e: ActorWatchEvent) => boolean): Promise<ActorWatchEvent> {
    return new Promise((resolve) => {
      const check = () => {
        const found = events.find(test);
        if (!found) return false;
        events.splice(events.indexOf(found), 1);
        resolve(found);
        return true;
      };
      if (!check()) waiters.push(() => void check());
    });
  }

  it('reloads a changed script, reports a broken edit while keeping the last good version, and follows additions and removals', async () => {
    const d = folder({ 'greet.actor.js': "export const metadata = { name: 'dev/Greet', inports: ['name'], outports: ['text'] };\nexport default ({ inputs }) => ({ text: 'hello ' + inputs.name });\n" });
    const registry = new ComponentRegistry();
    const events: ActorWatchEvent[] = [];
    const waiters: (() => void)[] = [];
    const watcher = await watchActors(d.dir, registry, { debounceMs: 20, onChange: (e) => { events.push(e); waiters.splice(0).forEach((w) => w()); } });
    try {
      assert.deepEqual(watcher.initial.actors.map((a) => a.name), ['dev/Greet']);
      assert.deepEqual(await runOne(registry, 'dev/Greet', 'name', 'ann', 'text'), ['hello ann']);

      d.write('greet.actor.js', "export const metadata = { name: 'dev/Greet', inports: ['name'], outports: ['text'] };\nexport default ({ inputs }) => ({ text: 'hi ' + inputs.name });\n");
      await nextEvent(events, waiters, (e) => e.type === 'replaced' && e.name === 'dev/Greet');
      assert.deepEqual(await runOne(registry, 'dev/Greet', 'name', 'ann', 'text'), ['hi ann']);

      d.write('greet.actor.js', "export const metadata = { name: 'dev/Greet', inports: ['name'], outports: ['text'] };\nexport default ({ inputs }) => {\n  return { text: 'oops' +;\n};\n");
      const problem = await nextEvent(events, waiters, (e) => e.type === 'problem');
      assert.ok(problem.type === 'problem' && problem.problem.line === 3, JSON.stringify(problem));
      assert.ok(registry.has('dev/Greet'), 'the last good version stays registered');

      d.write('extra.actor.js', 'export default ({ inputs }) => ({ out: inputs.in });\n');
      await nextEvent(events, waiters, (e) => e.type === 'added' && e.name === 'actors/extra');

      rmSync(join(d.dir, 'extra.actor.js'));
      await nextEvent(events, waiters, (e) => e.type === 'removed' && e.name === 'actors/extra');
      assert.equal(registry.has('actors/extra'), false);
    } finally {
      await watcher.close();
    }
  });
});
