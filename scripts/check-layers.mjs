// Enforces the package layering: dependencies point one way
//   network <- script <- components;  network <- api-actors;  codegen -> network;  all <- server
// and nobody reaches into another package's files (only its entry points: `@actorflow/<pkg>` and
// the subpaths its package.json exports, such as `@actorflow/network/testing`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const allowed = {
  network: [],
  script: ['network'],
  components: ['network', 'script'],
  'api-actors': ['network'],
  codegen: ['network'],
  server: ['network', 'script', 'components', 'api-actors', 'codegen'],
};
const root = new URL('..', import.meta.url).pathname;
const entries = Object.fromEntries(Object.keys(allowed).map((pkg) => [pkg, Object.keys(JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8')).exports ?? {})]));
const problems = [];
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield p;
  }
}

for (const pkg of Object.keys(allowed)) {
  for (const file of sources(join(root, pkg))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      const where = `${relative(root, file)}: imports '${spec}'`;
      const own = spec.match(/^@actorflow\/([^/]+)(\/.*)?$/);
      if (own) {
        if (own[2] && !entries[own[1]]?.includes(`.${own[2]}`)) problems.push(`${where}: import the package entry '@actorflow/${own[1]}' (or a subpath its package.json exports), not its files`);
        else if (own[1] !== pkg && !allowed[pkg].includes(own[1]))
          problems.push(`${where}: ${pkg} may depend only on ${allowed[pkg].join(', ') || 'nothing'} (layering)`);
      } else if (spec.startsWith('.')) {
        const target = relative(root, join(file, '..', spec)).split('/')[0];
        if (target !== pkg && target in allowed) problems.push(`${where}: reaches into ${target}/ by path; import '@actorflow/${target}'`);
      }
    }
  }
}
if (problems.length) {
  console.error(`Layering check failed (${problems.length}):\n  ` + problems.join('\n  '));
  process.exit(1);
}
console.log('layering: ok');
