// @actorflow/network: graph model, messages, actor API, runtime and thread placement.
export * from './errors.ts';
export * from './port-types.ts';
export * from './suggest.ts';
export * from './graph/types.ts';
export { Graph, formatRef, mergeMetadata, type GraphListener, type GraphOptions } from './graph/graph.ts';
export * from './messages/flow.ts';
export { messageSize } from './messages/size.ts';
export {
  toTyped, fromTyped, toPlainJson, MessageError, MARKER, MAX_MESSAGE_DEPTH,
  type TypedMessage, type TypedErrorData, type JsonValue,
} from './messages/typed-json.ts';
export { encodeMessage, decodeMessage, encodeMessages, decodeMessages } from './messages/codec.ts';
export * from './actor/types.ts';
export { defineActor, isActorDefinition, resolvePorts } from './actor/define.ts';
export * from './actor/registry.ts';
export * from './runtime/events.ts';
