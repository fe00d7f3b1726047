// Reflow's actor plugin ABI, host side: the ActorContext a plugin's process() receives and the
// ActorResult it returns, with messages in the typed {type, data} form carrying plain JSON data
// (the network's toTyped/fromTyped, not Reflow's JSON-as-bytes). A Go SDK result (a base64
// string of the JSON) is accepted too.
import { fromTyped, MessageError, toTyped } from '@actorflow/network';
import { ScriptError } from '../engine.ts';

/** The node facts a plugin sees in ActorContext.config. */
export interface ActorConfig {
  nodeId: string;
  component: string;
  config: Record<string, unknown>;
}

/** ActorContext JSON: {payload: {port: {type, data}}, config: {node_id, component, resolved_env, config, namespace}, state}. */
export function encodeActorContext(inputs: Record<string, unknown>, actor: ActorConfig, state: Record<string, unknown>): string {
  const payload: Record<string, unknown> = {};
  for (const [port, value] of Object.entries(inputs)) payload[port] = toTyped(value);
  return JSON.stringify({
    payload,
    config: { node_id: actor.nodeId, component: actor.component, resolved_env: {}, config: actor.config, namespace: null },
    state,
  });
}

function invalid(message: string, hint = 'return {"outputs": {"port": {"type": "Integer", "data": 42}}, "state"?: {...}}'): ScriptError {
  return new ScriptError('SCRIPT_INVALID_OUTPUT', message, hint);
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${what} is not JSON: ${excerpt(text)}`, 'write JSON text as the plugin output');
  }
}

/** Decodes an ActorResult into plain output values and the state that replaces the old one (if given). */
export function decodeActorResult(text: string): { outputs: Record<string, unknown>; state?: Record<string, unknown> } {
  let result = parseJson(text, 'the plugin output');
  if (typeof result === 'string') {
    const decoded = Buffer.from(result, 'base64').toString('utf8'); // Go SDK: base64 of the JSON
    result = parseJson(decoded, 'the plugin output (a base64 string)');
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) throw invalid(`the plugin output is not an ActorResult object: ${excerpt(text)}`);
  const { outputs, state } = result as { outputs?: unknown; state?: unknown };
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) throw invalid('the ActorResult has no "outputs" object');
  const plain: Record<string, unknown> = {};
  for (const [port, message] of Object.entries(outputs)) {
    try {
      plain[port] = fromTyped(message);
    } catch (error) {
      if (!(error instanceof MessageError)) throw error;
      throw invalid(`outputs.${port}: ${error.message.replace(/^\$/, 'message')}`, 'each output is a {"type": ..., "data": ...} message');
    }
  }
  if (state === undefined || state === null) return { outputs: plain };
  if (typeof state !== 'object' || Array.isArray(state)) throw invalid('the ActorResult "state" must be an object (it replaces the node state)');
  return { outputs: plain, state: state as Record<string, unknown> };
}

/** Decodes what a plugin passes to __send_output: {port: plain value}. */
export function decodeSendOutput(text: string): Record<string, unknown> {
  const message = parseJson(text, '__send_output\'s argument');
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw invalid(`__send_output expects an object of port -> value, got ${excerpt(text)}`, 'send {"port": value}');
  }
  return message as Record<string, unknown>;
}
