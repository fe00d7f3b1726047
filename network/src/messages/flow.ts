// The Flow signal ("bang"): a message that carries no data, only the fact that it was sent.

/** The type of the one Flow value. */
export interface Flow {
  readonly __flow: true;
}

class FlowSignal implements Flow {
  readonly __flow = true as const;
  toJSON(): string {
    return 'flow';
  }
}

/** The Flow signal. There is exactly one; compare with `===` or `isFlow`. */
export const FLOW: Flow = Object.freeze(new FlowSignal());

export function isFlow(value: unknown): value is Flow {
  return value === FLOW;
}
