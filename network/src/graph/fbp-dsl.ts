// The `.fbp` DSL: parsed with the npm `fbp` parser (1.8.0) into FBP JSON, then read like any graph
// document; written by our own serializer (fbp's serialize() crashes on metadata without a label
// and drops `[index]`). The DSL cannot express everything a graph holds: `writeFbp` lists what it
// leaves out instead of dropping it silently.
import { createRequire } from 'node:module';
import { ValidationError, type Problem } from '../errors.ts';
import type { Graph } from './graph.ts';
import { readGraphDocument } from './json.ts';
import { nodePath, pathIndex, pathKey } from './json-path.ts';
import { describeValue, isRecord, problem } from './problems.ts';
import type { Metadata } from './types.ts';

interface FbpSyntaxError extends Error {
  location: { start: { offset: number; line: number; column: number } };
}

interface FbpParser {
  parse(text: string, options: { caseSensitive: boolean; validateContents: boolean }): unknown;
  SyntaxError: new (...args: never[]) => FbpSyntaxError;
}

const fbp = createRequire(import.meta.url)('fbp') as FbpParser;

export interface ParseFbpOptions {
  /** Keep port names as written (default false: lower-cased, as the DSL's convention has them upper case). */
  caseSensitive?: boolean;
}

/**
 * Parses `.fbp` text into a Graph. Never throws on bad input: a syntax error is a problem with its
 * line and column; every other problem (undeclared nodes, duplicate connections, …) is reported
 * with the line of the statement it comes from.
 */
export function parseFbp(text: string, options: ParseFbpOptions = {}): { graph: Graph; problems: Problem[] } {
  let doc: unknown;
  try {
    doc = fbp.parse(text, { caseSensitive: options.caseSensitive ?? false, validateContents: false });
  } catch (error) {
    const { graph } = readGraphDocument({}, 'fbp');
    if (error instanceof fbp.SyntaxError) {
      const { line, column } = error.location.start;
      const source = text.split(/\r\n|\r|\n/)[line - 1] ?? '';
      return {
        graph,
        problems: [problem('FBP_SYNTAX', `line ${line}, column ${column}`, `.fbp syntax error: ${error.message}`,
          `check the statement at line ${line}: ${JSON.stringify(source.trim())}; the form is: Source(lib/Comp) OUT -> IN Target(lib/Comp), 'value' -> IN Node`)],
      };
    }
    return { graph, problems: [problem('FBP_INVALID', '$', `.fbp text could not be read: ${(error as Error).message}`, 'check the .fbp text')] };
  }
  const { graph, problems } = readGraphDocument(doc, 'fbp');
  const locate = locator(text);
  // Problems are found in the parsed JSON form; report them at the line of the statement instead.
  return { graph, problems: problems.map((p) => ({ ...p, path: locate(p.path) ?? p.path })) };
}

/**
 * Maps JSON paths of the parsed document to lines: connection i is the i-th `->` arrow of the text
 * (the parser emits one connection per arrow, in order); a process is where `Name(` first appears;
 * an exported port is its INPORT=/OUTPORT= line.
 */
function locator(text: string): (path: string) => string | undefined {
  const arrows: number[] = [];
  const lineStarts = [0];
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') lineStarts.push(i + 1);
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#') while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    else if (c === '-' && text[i + 1] === '>') arrows.push(i);
  }
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const at = (offset: number) => `line ${lineOf(offset)}`;
  return (path) => {
    const connection = /^\$\.connections\[(\d+)\]/.exec(path);
    if (connection) return Number(connection[1]) < arrows.length ? at(arrows[Number(connection[1])]) : undefined;
    const process = /^\$\.processes(?:\.([A-Za-z_$][\w$]*)|\["((?:[^"\\]|\\.)*)"\])/.exec(path);
    if (process) {
      const name = process[1] ?? JSON.parse(`"${process[2]}"`) as string;
      const found = new RegExp(`(^|[^\\w-])${escapeRegExp(name)}\\(`, 'm').exec(text);
      return found ? at(found.index + found[1].length) : undefined;
    }
    const exported = /^\$\.(inports|outports)(?:\.([\w$]+)|\["((?:[^"\\]|\\.)*)"\])/.exec(path);
    if (exported) {
      const keyword = exported[1] === 'inports' ? 'INPORT' : 'OUTPORT';
      const name = exported[2] ?? JSON.parse(`"${exported[3]}"`) as string;
      const found = new RegExp(`^\\s*${keyword}=[^\\n]*:${escapeRegExp(name)}\\s*$`, 'im').exec(text);
      return found ? at(found.index) : undefined;
    }
    return undefined;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ------------------------------------------------------------------ writing

// What the parser's grammar accepts (fbp 1.8.0, grammar/fbp.peg).
const NODE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const PORT_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const COMPONENT = /^[A-Za-z0-9/_-]+$/;
const META_WORD = /^[A-Za-z0-9/_]+$/;
const ANNOTATION_KEY = /^[A-Za-z0-9_-]+$/;
const ANNOTATION_VALUE = /^[A-Za-z0-9_. -]*[A-Za-z0-9_.-]$/;

/**
 * Writes a graph as `.fbp` text, and lists what the DSL cannot carry: errors for what would not
 * parse back (names outside the DSL's character sets, an index on an exported port), warnings for
 * what is left out (metadata of connections, IIPs, exported ports and groups; node metadata other
 * than simple words and x/y; non-string properties).
 */
export function writeFbp(graph: Graph): { text: string; problems: Problem[] } {
  const problems: Problem[] = [];
  const lines: string[] = [];
  const lost = (path: string, what: string) => problems.push(problem('FBP_LOSSY', path, `${what} cannot be written in .fbp and is left out`, 'export JSON to keep it', 'warning'));
  const invalid = (path: string, what: string, hint: string) => problems.push(problem('FBP_UNREPRESENTABLE', path, `${what} cannot be written in .fbp`, hint));
  const port = (name: string, path: string): string => {
    if (!PORT_NAME.test(name)) invalid(path, `port name '${name}'`, 'use letters, digits, _ and . only, starting with a letter or _');
    return graph.caseSensitive ? name : name.toUpperCase();
  };
  const ref = (r: { port: string; index?: number }, path: string) => `${port(r.port, path)}${r.index === undefined ? '' : `[${r.index}]`}`;

  writeProperties(graph, lines, lost);
  for (const [kind, keyword] of [['inports', 'INPORT'], ['outports', 'OUTPORT']] as const) {
    for (const p of graph[kind].values()) {
      const path = pathKey(`$.${kind}`, p.name);
      if (p.index !== undefined) invalid(`${path}.index`, `exported ${kind.slice(0, -1)} '${p.name}' on slot [${p.index}]`, 'export the whole port, or write JSON');
      if (Object.keys(p.metadata).length > 0) lost(`${path}.metadata`, `metadata of exported ${kind.slice(0, -1)} '${p.name}'`);
      lines.push(`${keyword}=${p.node}.${port(p.port, path)}:${port(p.name, path)}`);
    }
  }
  for (const node of graph.nodes.values()) {
    const path = nodePath(node.id);
    if (!NODE_NAME.test(node.id)) invalid(path, `node id '${node.id}'`, 'use letters, digits, _ and -, starting with a letter or _');
    if (!COMPONENT.test(node.component)) invalid(`${path}.component`, `component name '${node.component}'`, 'use letters, digits, /, _ and -');
    lines.push(`${node.id}(${node.component}${nodeMetadata(node.metadata, path, lost)})`);
  }
  graph.edges.forEach((e, i) => {
    const path = pathIndex('$.connections', i);
    if (Object.keys(e.metadata).length > 0) lost(`${path}.metadata`, `metadata of connection ${e.src.node} -> ${e.tgt.node}`);
    lines.push(`${e.src.node} ${ref(e.src, path)} -> ${ref(e.tgt, path)} ${e.tgt.node}`);
  });
  graph.initials.forEach((iip, i) => {
    const path = pathIndex('$.connections', graph.edges.length + i);
    if (Object.keys(iip.metadata).length > 0) lost(`${path}.metadata`, `metadata of the IIP to ${iip.tgt.node}`);
    const literal = iipLiteral(iip.data);
    if (literal === undefined) {
      invalid(`${path}.data`, `IIP value ${describeValue(iip.data)}`, 'give a JSON value');
      return;
    }
    if (!isPlainJson(iip.data)) lost(`${path}.data`, `the exact value of the IIP to ${iip.tgt.node} (${describeValue(iip.data)}: not plain JSON)`);
    lines.push(`${literal} -> ${ref(iip.tgt, path)} ${iip.tgt.node}`);
  });
  graph.groups.forEach((g, i) => lost(pathIndex('$.groups', i), `group '${g.name}'`));
  return { text: `${lines.join('\n')}\n`, problems };
}

/**
 * Writes a graph as `.fbp` text. Throws a ValidationError when the graph cannot be written so
 * that it parses back (see `writeFbp`, which also lists what the DSL leaves out).
 */
export function toFbp(graph: Graph): string {
  const { text, problems } = writeFbp(graph);
  if (problems.some((p) => p.severity === 'error')) throw new ValidationError(`graph${graph.name ? ` '${graph.name}'` : ''} as .fbp`, problems);
  return text;
}

/** `# @key value` annotations: `@runtime` for environment.type, strings in the DSL's character set. */
function writeProperties(graph: Graph, lines: string[], lost: (path: string, what: string) => void): void {
  for (const [key, value] of Object.entries(graph.properties)) {
    const path = pathKey('$.properties', key);
    if (key === 'environment' && isRecord(value) && Object.keys(value).length === 1 && typeof value.type === 'string' && ANNOTATION_VALUE.test(value.type)) {
      lines.push(`# @runtime ${value.type}`);
    } else if (key !== 'runtime' && ANNOTATION_KEY.test(key) && typeof value === 'string' && ANNOTATION_VALUE.test(value)) {
      lines.push(`# @${key} ${value}`);
    } else {
      lost(path, `property '${key}' (${describeValue(value)})`);
    }
  }
}

/** `:key=value,…` for the metadata the DSL can carry (words; x and y as whole numbers). */
function nodeMetadata(metadata: Metadata, path: string, lost: (path: string, what: string) => void): string {
  const items: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    const coordinate = (key === 'x' || key === 'y') && Number.isInteger(value) && (value as number) >= 0;
    const word = key !== 'x' && key !== 'y' && typeof value === 'string' && META_WORD.test(value);
    if (META_WORD.test(key) && (coordinate || word)) items.push(`${key}=${String(value)}`);
    else lost(pathKey(`${path}.metadata`, key), `metadata '${key}' (${describeValue(value)})`);
  }
  return items.length ? `:${items.join(',')}` : '';
}

/** Whether JSON carries `value` unchanged: finite numbers, strings, booleans, null, arrays and plain objects of them. */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (!isRecord(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.values(value).every(isPlainJson);
}

/**
 * An IIP literal the parser reads back as the same value: 'single-quoted' for plain strings, JSON
 * otherwise. `true`, `false` and `null` are preceded by a tab: bare, the parser takes them for node names.
 */
function iipLiteral(data: unknown): string | undefined {
  if (typeof data === 'string' && !/['\\]/.test(data) && ![...data].some((c) => c < ' ')) return `'${data}'`;
  if (data === true || data === false || data === null) return `\t${String(data)}`;
  if (typeof data === 'number' && !Number.isFinite(data)) return undefined;
  try {
    return JSON.stringify(data); // undefined for undefined and functions
  } catch {
    return undefined; // bigint, cycles
  }
}
