// Shared pieces of the CLI commands: reading graph files, printing problems and tables.
import { readFileSync } from 'node:fs';
import type { Problem } from '@actorflow/network';

/** Bad command-line usage (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A graph file's content: parsed JSON for .json, text for .fbp (or anything not JSON). */
export function readGraphFile(path: string | undefined): unknown {
  if (!path) throw new UsageError('missing the graph file argument');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (path.endsWith('.fbp')) return text;
  try {
    return JSON.parse(text);
  } catch (err) {
    if (path.endsWith('.json')) throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`);
    return text;
  }
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `  ${p.severity === 'error' ? 'error  ' : 'warning'} ${p.path}: ${p.message}\n          ${p.hint}`).join('\n');
}

/** A plain text table (first row: headers). */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}

/** A value as short JSON for a summary line. */
export function short(value: unknown, max = 120): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
