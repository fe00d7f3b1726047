// Templates: text with `${expression}` holes (JavaScript template-literal syntax, without the
// backticks). `\${` writes a literal `${`. A template compiles to one expression that joins its
// parts; a hole's value is written as text (null/undefined as '', objects as JSON).
import { ExpressionError } from './errors.ts';

/** The in-sandbox helper that turns a hole's value into text (defined by the expression runtime). */
export const TEMPLATE_STRING_HELPER = '__actorflowTemplateString';

/** Compiles template text into an expression source that evaluates to the filled-in string. */
export function templateToExpression(text: string): string {
  const parts: string[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('\\${', i)) {
      literal += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = holeEnd(text, i + 2);
      const expression = text.slice(i + 2, end).trim();
      if (expression === '') throw new ExpressionError('EXPRESSION_SYNTAX', `empty \${} at column ${i + 1} of template`, 'put an expression inside ${...}, or write \\${ for a literal ${', { expression: text, column: i + 1 });
      if (literal) parts.push(JSON.stringify(literal));
      literal = '';
      parts.push(`${TEMPLATE_STRING_HELPER}((${expression}\n))`);
      i = end + 1;
    } else {
      literal += text[i++];
    }
  }
  if (literal || parts.length === 0) parts.push(JSON.stringify(literal));
  return parts.join(' + ');
}

/** Index of the `}` closing a hole that starts at `from`, skipping nested braces and string literals. */
function holeEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      i = stringEnd(text, i);
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new ExpressionError('EXPRESSION_SYNTAX', `unclosed \${ at column ${from - 1} of template`, 'close it with }', { expression: text, column: from - 1 });
}

function stringEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}
