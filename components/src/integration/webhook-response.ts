// integration/WebhookResponse: what a webhook-triggered run replies to its caller. It turns a
// message into an HTTP reply {status, headers, body} (body encoded, Content-Type set) that the
// server sends back when the run's exported outport carries it. `toWebhookReply` is the same
// conversion as a function, for servers and tests.
import { defineActor, isFlow } from '@actorflow/network';
import { checkInput, describe, invalidInput } from './checks.ts';
import { encodeBody, type BodyType } from './http-body.ts';

/** An HTTP reply, ready to send: lower-case header names, the body as text or bytes. */
export interface WebhookReply {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** How to build a reply: defaults for what the message does not say. */
export interface WebhookReplyOptions {
  status: number;
  headers: Record<string, string>;
  bodyType: BodyType;
  /** 'body': the message is the body; 'reply': the message is {status?, headers?, body?}. */
  inputAs: 'body' | 'reply';
}

const headersSchema = { type: 'object', additionalProperties: { type: 'string' }, description: 'Header name -> value' };
const statusSchema = { type: 'integer', minimum: 100, maximum: 599, description: 'HTTP status code' };

/** What the `in` port accepts with inputAs 'reply'. */
const REPLY_SCHEMA = {
  type: 'object',
  properties: { status: statusSchema, headers: headersSchema, body: { description: 'Reply body' } },
  additionalProperties: false,
};

/** Headers the HTTP server owns: a reply may not set them. */
const SERVER_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);
/** Statuses whose replies carry no body. */
const NO_BODY_STATUS = new Set([204, 205, 304]);

/** Builds the HTTP reply for `message` (INVALID_INPUT when it cannot be one). */
export function toWebhookReply(message: unknown, options: WebhookReplyOptions): WebhookReply {
  let status = options.status;
  const sets: Record<string, string>[] = [options.headers];
  let body: unknown = isFlow(message) ? undefined : message; // a bang only triggers the reply
  if (options.inputAs === 'reply') {
    checkInput(REPLY_SCHEMA, message, 'the webhook reply');
    const reply = message as { status?: number; headers?: Record<string, string>; body?: unknown };
    status = reply.status ?? status;
    if (reply.headers) sets.push(reply.headers);
    body = reply.body;
  }
  const headers = new Headers();
  for (const set of sets) {
    for (const [name, value] of Object.entries(set)) {
      if (SERVER_HEADERS.has(name.toLowerCase())) {
        throw invalidInput(`a webhook reply may not set the ${name} header`, 'remove it: the server sets framing headers itself');
      }
      try {
        headers.set(name, value);
      } catch {
        throw invalidInput(`header ${JSON.stringify(name)} is not a valid HTTP header`, 'header names are tokens (letters, digits, -) and values have no line breaks; the value is not shown, it may be a secret');
      }
    }
  }
  let encoded: string | Uint8Array = '';
  if (NO_BODY_STATUS.has(status)) {
    if (options.inputAs === 'reply' && body !== undefined && body !== null) {
      throw invalidInput(`a ${status} reply has no body, but this one has ${describe(body)}`, 'leave the body out, or use another status such as 200');
    }
  } else if (body !== undefined && body !== null) {
    encoded = encodeBody(body, options.bodyType, headers);
  }
  return { status, headers: Object.fromEntries(headers), body: encoded };
}

export const WebhookResponse = defineActor({
  name: 'integration/WebhookResponse',
  description: 'Builds the HTTP reply of a webhook-triggered run: the message becomes the body (JSON, text or bytes, with its Content-Type), or, '
    + 'with inputAs "reply", the message is {status?, headers?, body?}. Export `reply` as the run\'s outport: the server answers the webhook with it.',
  category: 'integration',
  icon: 'reply',
  inports: {
    in: { description: "The reply's body, or a whole reply {status?, headers?, body?} (inputAs: 'reply')" },
  },
  outports: {
    reply: { type: 'object', description: '{status, headers, body}: lower-case header names, body a string or bytes (Uint8Array)' },
    error: { type: 'object', description: 'Messages that cannot be a reply (code INVALID_INPUT)' },
  },
  config: {
    type: 'object',
    properties: {
      status: { ...statusSchema, default: 200, description: 'Status of the reply (a reply message may override it); 204, 205 and 304 replies carry no body, so a message only triggers them' },
      headers: { ...headersSchema, default: {}, description: 'Headers of every reply (Content-Type is set from the body unless given)' },
      bodyType: { enum: ['auto', 'json', 'text', 'binary'], default: 'auto', description: "Body encoding: 'auto' (bytes as is, strings as text, anything else as JSON), 'json', 'text' or 'binary'" },
      inputAs: { enum: ['body', 'reply'], default: 'body', description: "What a message is: the body, or a reply object {status?, headers?, body?}" },
    },
    additionalProperties: false,
  },
  process(input, ctx) {
    ctx.emit('reply', toWebhookReply(input.in, ctx.config as WebhookReplyOptions) as unknown as Record<string, any>);
  },
});
