// @ts-check
// The bundled `actorflow` command (server/dist, built by server/scripts/bundle.mjs): whether it is
// up to date with the sources, and switching this thread's module loading over to it.
// Plain JavaScript, type-checked through JSDoc: it runs before any TypeScript loads.
import { readFileSync, statSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root, and the bundle's folder and manifest file (in that folder). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = fileURLToPath(new URL('../dist', import.meta.url));
export const MANIFEST = 'manifest.json';

/**
 * @typedef {object} Manifest
 * @property {string} command the command's source module (relative to the root)
 * @property {Record<string, string>} modules each entry point's source (relative to the root) → its bundled twin (relative to dist/)
 * @property {Record<string, [number, number]>} inputs every source the bundle was built from → [mtime ms, size]
 */

/**
 * The bundle's manifest, if the bundle is there and built from the sources as they are now (every
 * input has the size and mtime it had); undefined otherwise.
 * @param {string} [dist] the bundle's folder
 * @param {string} [root] the folder the manifest's paths are relative to
 * @returns {Manifest | undefined}
 */
export function freshManifest(dist = DIST, root = ROOT) {
  /** @type {Manifest} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dist, MANIFEST), 'utf8'));
    for (const [input, [mtimeMs, size]] of Object.entries(manifest.inputs)) {
      const now = statSync(join(root, input));
      if (now.mtimeMs !== mtimeMs || now.size !== size) return undefined;
    }
  } catch {
    return undefined; // no bundle, or an input is gone
  }
  return manifest;
}

/**
 * If the bundle is up to date (and ACTORFLOW_FROM_SOURCE is not set), makes this thread load the
 * bundled twin of every module the bundle has one for, whoever imports it (the bundle itself, an
 * actor file importing '@actorflow/network', registerModule), and returns the URL of the bundled
 * command; otherwise returns undefined and changes nothing.
 * @returns {string | undefined}
 */
export function useBundle() {
  if (process.env.ACTORFLOW_FROM_SOURCE) return undefined;
  const manifest = freshManifest();
  if (!manifest) return undefined;
  const root = pathToFileURL(ROOT);
  const dist = pathToFileURL(`${DIST}/`);
  const twins = new Map(Object.entries(manifest.modules).map(([source, twin]) => [new URL(source, root).href, new URL(twin, dist).href]));
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      const twin = twins.get(resolved.url);
      return twin ? { ...resolved, url: twin, format: 'module' } : resolved;
    },
  });
  return twins.get(new URL(manifest.command, root).href);
}
