// The FBP protocol conformance suite (`fbp-test` of fbp-protocol 0.9.8) against a real Actorflow
// server on 127.0.0.1. Starts the server in this process (in-memory history, a protocol secret),
// writes the suite's fbp-config.json to a temporary PROJECT_HOME, runs `fbp-test --reporter json`,
// prints every test and the line `N passed, N failed`, and exits with the number of failures.
//
//   node server/test/fbp-conformance/run.ts
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildServer } from '../../src/app.ts';

const SECRET = 'conformance-secret-0123456789';

interface MochaTest {
  fullTitle: string;
  err?: { message?: string };
}

interface MochaReport {
  stats: { passes: number; failures: number; pending: number };
  passes: MochaTest[];
  failures: MochaTest[];
}

/** fbp-test runs `./node_modules/.bin/_mocha` of its working directory: the install root of fbp-protocol. */
function suiteRoot(): { root: string; bin: string } {
  const pkg = createRequire(import.meta.url).resolve('fbp-protocol/package.json');
  const root = dirname(dirname(dirname(pkg)));
  if (!existsSync(join(root, 'node_modules', '.bin', '_mocha'))) {
    throw new Error(`fbp-test needs ${join(root, 'node_modules/.bin/_mocha')} (mocha, a dependency of fbp-protocol); run npm install`);
  }
  return { root, bin: join(dirname(pkg), 'bin', 'fbp-test') };
}

/** Runs fbp-test against ws://127.0.0.1:<port>/ and returns mocha's JSON report. */
export async function runFbpTest(port: number, secret: string): Promise<MochaReport> {
  const { root, bin } = suiteRoot();
  const home = await mkdtemp(join(tmpdir(), 'actorflow-fbp-test-'));
  try {
    // No `command`: the runtime is already running.
    await writeFile(join(home, 'fbp-config.json'), JSON.stringify({ name: 'actorflow', host: '127.0.0.1', port, collection: 'core', version: '0.8' }));
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, '--reporter', 'json'], {
        cwd: root, env: { ...process.env, PROJECT_HOME: home, FBP_PROTOCOL_SECRET: secret }, stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      child.once('error', reject);
      child.once('close', () => resolve(text));
    });
    // The harness prints its own lines before mocha's JSON report.
    const start = output.indexOf('{');
    if (start < 0) throw new Error(`fbp-test printed no report:\n${output}`);
    return JSON.parse(output.slice(start)) as MochaReport;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const app = await buildServer({ config: { db: ':memory:', logLevel: 'warn', fbpSecret: SECRET } });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the server has no TCP address');
    const report = await runFbpTest(address.port, SECRET);
    for (const test of report.passes) process.stdout.write(`  ok    ${test.fullTitle}\n`);
    for (const test of report.failures) process.stdout.write(`  FAIL  ${test.fullTitle}: ${test.err?.message ?? ''}\n`);
    process.stdout.write(`fbp-test: ${report.stats.passes} passed, ${report.stats.failures} failed\n`);
    return report.stats.failures;
  } finally {
    await app.close();
  }
}

if (import.meta.main) process.exitCode = await main();
