// NoFlo's own runtime (noflo-nodejs 0.15.3 with noflo-core 0.6.1) as a reference FBP runtime on
// 127.0.0.1: a child process in a temporary project directory, no registry pings, no mDNS, no
// browser (peers.md §1.8). Used by the differential test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface NofloRuntime {
  url: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
/** How long noflo-nodejs may take to load its components and listen. */
const START_TIMEOUT_MS = 60_000;

/** A port free right now on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startNoflo(secret: string): Promise<NofloRuntime> {
  const nodeModules = dirname(dirname(require.resolve('noflo-core/package.json')));
  const bin = join(dirname(require.resolve('noflo-nodejs/package.json')), 'bin', 'noflo-nodejs');
  const dir = await mkdtemp(join(tmpdir(), 'actorflow-noflo-'));
  // A project that depends on noflo-core: the component loader lists the components it brings.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'noflo-reference', version: '1.0.0', dependencies: { 'noflo-core': '0.6.1' } }));
  await symlink(nodeModules, join(dir, 'node_modules'), 'dir');
  const port = await freePort();
  const child = spawn(process.execPath, [
    bin, '--host', '127.0.0.1', '--port', String(port), '--base-dir', dir, '--open', 'false', '--mdns', 'false',
    '--registry-ping', '0', '--registry', 'http://127.0.0.1:9', '--ide', 'http://127.0.0.1:9', '--secret', secret,
    '--permissions', 'protocol:component,protocol:runtime,protocol:graph,protocol:network',
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const close = async () => {
    child.kill('SIGTERM');
    await exited(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening at')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`noflo-nodejs exited (${code}) before listening:\n${output}`)));
      setTimeout(() => reject(new Error(`noflo-nodejs did not start listening within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS).unref();
    });
  } catch (err) {
    await close();
    throw err;
  }
  return { url: `ws://127.0.0.1:${port}/`, close };
}
