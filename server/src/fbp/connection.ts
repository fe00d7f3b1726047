// One FBP client connection: parses its frames into requests (envelope checks, secret from the top
// level or the payload) and sends frames through a bounded Outbox, so a client that reads slowly
// never slows a network: replies are never dropped, network events are dropped (and counted) when
// the client is behind, and a client that stays behind is disconnected.
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { Outbox, type OutboxOptions } from '../ws/outbox.ts';
import { FbpError, SUBPROTOCOLS, type FbpFrame, type FbpRequest, type Subprotocol } from './protocol.ts';

export class FbpConnection {
  readonly socket: WebSocket;
  readonly log: FastifyBaseLogger;
  /** True once the client presented the runtime's secret (always true when none is configured). */
  authorized: boolean;
  readonly #outbox: Outbox;

  constructor(socket: WebSocket, log: FastifyBaseLogger, outbox: OutboxOptions, authorized: boolean) {
    this.socket = socket;
    this.log = log;
    this.authorized = authorized;
    this.#outbox = new Outbox(socket, outbox);
  }

  /** Sends a reply or state change (never dropped). */
  send(frame: FbpFrame): void {
    this.#outbox.control(JSON.stringify(frame));
  }

  /** Sends an already serialised event frame; dropped when the client is behind. */
  event(text: string): void {
    this.#outbox.event(text);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one text frame as an FBP request. Throws FbpError (reported on `protocol` when the frame
 * names a known one, else on `runtime`) for anything that is not a well-formed envelope.
 */
export function parseRequest(text: string): FbpRequest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FbpError(`the frame is not valid JSON (${(err as Error).message}); send one JSON object {protocol, command, payload} per text frame`, { protocol: 'runtime' });
  }
  if (!isRecord(data)) throw new FbpError('the frame is not a JSON object; send {protocol, command, payload}', { protocol: 'runtime' });
  const { protocol, command, payload, secret, requestId } = data;
  if (typeof protocol !== 'string' || !(SUBPROTOCOLS as readonly string[]).includes(protocol)) {
    throw new FbpError(`unknown protocol ${JSON.stringify(protocol ?? null)}; use one of ${SUBPROTOCOLS.join(', ')}`, { protocol: 'runtime' });
  }
  const sub = protocol as Subprotocol;
  if (typeof command !== 'string' || command === '') throw new FbpError(`${protocol}: the frame has no command; send {protocol, command, payload}`, { protocol: sub });
  if (payload !== undefined && !isRecord(payload)) throw new FbpError(`${protocol}:${command}: payload must be an object`, { protocol: sub });
  if (secret !== undefined && typeof secret !== 'string') throw new FbpError(`${protocol}:${command}: secret must be a string`, { protocol: sub });
  if (requestId !== undefined && typeof requestId !== 'string') throw new FbpError(`${protocol}:${command}: requestId must be a string`, { protocol: sub });
  const body: Record<string, unknown> = { ...(payload ?? {}) };
  // Protocol 0.8 carries the secret at the top level; older clients (and fbp-test) in the payload.
  const inPayload = typeof body.secret === 'string' ? body.secret : undefined;
  delete body.secret;
  return { protocol: sub, command, payload: body, secret: secret ?? inPayload, requestId };
}
