// Builds server/dist: the `actorflow` command with the workspace packages and the pure-JavaScript
// dependencies it loads, bundled by esbuild into a few dozen ES modules. Started from there,
// the server reads ~40 files instead of ~900 TypeScript and CommonJS modules (about a quarter
// of its cold start). server/bin/actorflow.mjs uses the bundle only while it matches the
// sources (dist/manifest.json records every input's size and mtime) and runs from the sources
// otherwise; scripts/setup.sh runs this whenever the bundle is out of date.
//
// What stays true in the bundle:
// - every module keeps its own `import.meta.url` (and every bundled CommonJS file its
//   `__dirname`/`__filename`), so worker threads, `createRequire` and file lookups see the source
//   tree as before;
// - modules loaded by URL at run time (component categories registered with registerModule,
//   found as `new URL('./x.ts', import.meta.url)` in the sources) and the packages' entry points
//   are entry points of the bundle: the launcher maps their source URLs to their bundled twins, so
//   a user's actor importing '@actorflow/network' shares the bundle's one copy of it;
// - packages with native code, WebAssembly or worker files of their own stay external.
//
//   node server/scripts/bundle.mjs [--if-stale]
import { readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIST, freshManifest, MANIFEST, ROOT } from '../bin/dist.mjs';

const PACKAGES = ['network', 'script', 'components', 'server'];
const COMMAND = 'server/src/cli/commands.ts';
/** Loaded from node_modules as they are: native addons, WebAssembly, worker files, optional peers. */
const EXTERNAL = [
  'isolated-vm', 'quickjs-emscripten', 'quickjs-emscripten-core', '@jitl/*', '@extism/extism', 'piscina',
  'sharp', 'pg', 'pg-native', 'mysql2', 'mysql2/*', 'dockerode', 'socket.io-client', 'undici', 'music-metadata', 'file-type',
  'fbp', 'bufferutil', 'utf-8-validate', 'pino-pretty',
];

if (process.argv.includes('--if-stale') && freshManifest()) process.exit(0);
const esbuild = await import('esbuild').catch(() => null);
if (!esbuild) {
  // A production install without devDependencies: the command runs from the sources.
  process.stderr.write('server: not bundling the actorflow command: esbuild is not installed (a devDependency)\n');
  process.exit(0);
}

/** The package entry points (package.json "exports") and the modules loaded by URL. */
function entryPoints() {
  const entries = new Set([join(ROOT, COMMAND)]);
  for (const pkg of PACKAGES) {
    const { exports = {} } = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8'));
    for (const target of Object.values(exports)) entries.add(join(ROOT, pkg, target));
    for (const file of sourceFiles(join(ROOT, pkg, 'src'))) {
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/new URL\('(\.{1,2}\/[^']+\.(?:ts|mjs))', import\.meta\.url\)/g)) {
        entries.add(join(dirname(file), target));
      }
    }
  }
  return [...entries];
}

function sourceFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Keeps each module's own location: import.meta.url, and __dirname/__filename in CommonJS dependencies. */
const keepLocations = {
  name: 'keep-locations',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mjs|cjs|js)$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      if (!/import\.meta\.url|\b__(dirname|filename)\b/.test(source)) return undefined;
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href))
        .replace(/\b__dirname\b/g, JSON.stringify(dirname(path)))
        .replace(/\b__filename\b/g, JSON.stringify(path));
      return { contents, loader: path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

const started = performance.now();
const staging = `${DIST}.${process.pid}.tmp`; // several checkouts' setups may build at once
rmSync(staging, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: entryPoints(),
  absWorkingDir: ROOT,
  outdir: staging,
  outbase: ROOT,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  external: EXTERNAL,
  plugins: [keepLocations],
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS calls require(): give it the real one.
  banner: { js: "import { createRequire as __actorflowCreateRequire } from 'node:module'; const require = __actorflowCreateRequire(import.meta.url);" },
});

const modules = {};
const inputs = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (output.entryPoint) modules[output.entryPoint] = relative(staging, join(ROOT, file));
}
for (const input of [...Object.keys(result.metafile.inputs), 'package-lock.json', relative(ROOT, fileURLToPath(import.meta.url))]) {
  if (input.includes('node_modules/')) continue;
  const { mtimeMs, size } = statSync(join(ROOT, input));
  inputs[input] = [mtimeMs, size];
}
writeFileSync(join(staging, MANIFEST), JSON.stringify({ command: COMMAND, modules, inputs }));
rmSync(DIST, { recursive: true, force: true });
try {
  renameSync(staging, DIST);
} catch (err) {
  // Another build of the same sources finished first: keep its bundle.
  rmSync(staging, { recursive: true, force: true });
  if (!freshManifest()) throw err;
}
process.stderr.write(`server: bundled the actorflow command into ${relative(ROOT, DIST)} (${Object.keys(result.metafile.outputs).length} files, ${Math.round(performance.now() - started)} ms)\n`);
