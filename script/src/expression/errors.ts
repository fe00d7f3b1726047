// Errors of inline expressions and templates.
import { ActorflowError } from '@actorflow/network';

export type ExpressionErrorCode =
  | 'EXPRESSION_SYNTAX' // the expression does not parse
  | 'EXPRESSION_ERROR' // it threw (ReferenceError for an unknown name, TypeError, stack overflow...)
  | 'EXPRESSION_TIMEOUT' // it ran past the per-evaluation deadline
  | 'EXPRESSION_MEMORY' // it passed the memory limit
  | 'EXPRESSION_INVALID_RESULT'; // its value has no JSON form (a function, symbol, bigint, cycle)

/** An expression failed; `expression` is its text, `column` (1-based) where, when known. */
export class ExpressionError extends ActorflowError {
  override name = 'ExpressionError';
  declare readonly code: ExpressionErrorCode;
  readonly expression: string;
  declare readonly column?: number;
  constructor(code: ExpressionErrorCode, message: string, hint: string, details: { expression: string; column?: number; cause?: unknown }) {
    super(code, message, hint, details.cause === undefined ? undefined : { cause: details.cause });
    this.expression = details.expression;
    if (details.column !== undefined) this.column = details.column;
  }
}
