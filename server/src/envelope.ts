// Every REST response is Reflow's envelope `{success, data, error, timestamp}` (timestamp in
// epoch milliseconds). Failures add a stable `code`, a `hint`, the `problems` found in bad input
// and the request id, so a client can both show a message and act on the code.
import type { Problem } from '@actorflow/network';

export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  error: null;
  timestamp: number;
}

export interface ErrorEnvelope {
  success: false;
  data: null;
  /** What went wrong, for people. */
  error: string;
  /** Stable error code, for programs (see errors.ts). */
  code: string;
  /** How to fix it. */
  hint: string;
  /** Every problem found in the request, each with a JSON path. */
  problems?: Problem[];
  request_id?: string;
  timestamp: number;
}

export function ok<T>(data: T): SuccessEnvelope<T> {
  return { success: true, data, error: null, timestamp: Date.now() };
}

export function failure(code: string, error: string, hint: string, problems?: Problem[], requestId?: string): ErrorEnvelope {
  const envelope: ErrorEnvelope = { success: false, data: null, error, code, hint, timestamp: Date.now() };
  if (problems) envelope.problems = problems;
  if (requestId) envelope.request_id = requestId;
  return envelope;
}

/** JSON Schema of a success envelope around `data`. */
export function envelopeSchema(data: Record<string, unknown>, description?: string): Record<string, unknown> {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    required: ['success', 'data', 'error', 'timestamp'],
    properties: {
      success: { type: 'boolean', enum: [true] },
      data,
      error: { type: 'null' },
      timestamp: { type: 'integer', description: 'Epoch milliseconds' },
    },
  };
}
