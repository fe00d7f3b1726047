// Every error Actorflow raises carries a stable `code`, a message saying what and where, and a
// `hint` saying how to fix it. Codes are part of the public API (the server returns them).

export class ActorflowError extends Error {
  override name = 'ActorflowError';
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string, options?: ErrorOptions) {
    super(hint ? `${message} (${hint})` : message, options);
    this.code = code;
    this.hint = hint;
  }
}

export type GraphErrorCode =
  | 'INVALID_ID' | 'INVALID_COMPONENT' | 'DUPLICATE_NODE' | 'UNKNOWN_NODE'
  | 'DUPLICATE_EDGE' | 'UNKNOWN_EDGE' | 'UNKNOWN_INITIAL'
  | 'DUPLICATE_PORT' | 'UNKNOWN_PORT'
  | 'DUPLICATE_GROUP' | 'UNKNOWN_GROUP'
  | 'NO_TRANSACTION';

/** A graph mutation was given bad arguments. */
export class GraphError extends ActorflowError {
  override name = 'GraphError';
  declare readonly code: GraphErrorCode;
  constructor(code: GraphErrorCode, message: string, hint: string) {
    super(code, message, hint);
  }
}

/** One problem found in a graph document or against the registry. */
export interface Problem {
  /** Stable code, e.g. UNKNOWN_COMPONENT, UNKNOWN_PORT, DUPLICATE_NODE, DANGLING_EDGE. */
  code: string;
  /** JSON path into the graph document, e.g. `$.processes.dbl.component`. */
  path: string;
  message: string;
  hint: string;
  severity: 'error' | 'warning';
}

/** A graph (or config) failed validation; `problems` lists every problem found, not just the first. */
export class ValidationError extends ActorflowError {
  override name = 'ValidationError';
  readonly problems: Problem[];
  constructor(what: string, problems: Problem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    const lines = errors.slice(0, 20).map((p) => `  ${p.path}: ${p.message} (${p.hint})`);
    const more = errors.length > 20 ? `\n  … and ${errors.length - 20} more` : '';
    super('INVALID_GRAPH', `${what} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}${more}`, '');
    this.problems = problems;
  }
}

/** defineActor was given a bad spec. */
export class ActorDefinitionError extends ActorflowError {
  override name = 'ActorDefinitionError';
  constructor(message: string, hint: string) {
    super('INVALID_ACTOR', message, hint);
  }
}

/** The component registry refused an operation. */
export class RegistryError extends ActorflowError {
  override name = 'RegistryError';
}

/** An actor's firing did not settle within its timeout. */
export class TimeoutError extends ActorflowError {
  override name = 'TimeoutError';
  constructor(what: string, ms: number) {
    super('TIMEOUT', `${what} did not finish within ${ms} ms`, 'raise metadata.timeoutMs or make the actor faster');
  }
}

/** A connection with the `error` overflow policy was full. */
export class ChannelFullError extends ActorflowError {
  override name = 'ChannelFullError';
  constructor(edge: string, capacity: number) {
    super('CHANNEL_FULL', `connection ${edge} is full (capacity ${capacity})`, "raise metadata.capacity, or use policy 'block' or 'drop-oldest'");
  }
}

/** The network is not in a state that allows the call. */
export class NetworkStateError extends ActorflowError {
  override name = 'NetworkStateError';
}
