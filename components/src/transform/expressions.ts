// Expressions and templates in component configs (map/filter/sort expressions, rule conditions,
// message templates), evaluated by the sandboxed expression engine of @actorflow/script. One
// engine serves every node of the process: it is created on first use and compiled expressions
// are cached per source. The engine (QuickJS, ~2 MB) is loaded only when a node uses expressions.
import type { CompiledExpression, CompiledTemplate, ExpressionEngine } from '@actorflow/script';
import { configError, reason, type NodeRef } from './errors.ts';

let shared: Promise<ExpressionEngine> | undefined;

/** The process-wide expression engine. */
export function expressionEngine(): Promise<ExpressionEngine> {
  shared ??= import('@actorflow/script').then((script) => script.createExpressionEngine());
  return shared;
}

/** Compiles the expression of config field `field`; a syntax error becomes INVALID_CONFIG for that field. */
export function compileExpression(engine: ExpressionEngine, node: NodeRef, field: string, source: string): CompiledExpression {
  try {
    return engine.compile(source);
  } catch (error) {
    throw configError(node, field, reason(error), 'fix the expression (JavaScript syntax; the names it can use are listed in the component docs)', error);
  }
}

/** Compiles the `${...}` template of config field `field`. */
export function compileTemplate(engine: ExpressionEngine, node: NodeRef, field: string, text: string): CompiledTemplate {
  try {
    return engine.compileTemplate(text);
  } catch (error) {
    throw configError(node, field, reason(error), 'fix the template: text with ${expression} holes', error);
  }
}
