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
export * from './runtime/types.ts';
export { Network, DEFAULT_CAPACITY } from './runtime/network.ts';
export { EventHub, type EventSink, type EventListener, type SubscribeOptions, type Subscription } from './runtime/event-hub.ts';
export { registerCoreComponents } from './core/index.ts';
export { readGraph, readGraphJson, loadGraph, toGraphJson, sourcePath, type GraphJson, type FbpGraphJson, type ReflowEdge, type ReflowConnection, type ReflowProcess, type ReflowGroup, type FbpPortRef, type FbpConnection, type ReadGraphOptions, type LoadGraphOptions, type ToGraphJsonOptions } from './graph/json.ts';
export { parseFbp, writeFbp, toFbp, type ParseFbpOptions } from './graph/fbp-dsl.ts';
export { GraphHistory, type HistoryState, type GraphHistoryOptions } from './graph/history.ts';
export { analyzeGraph, type GraphAnalysis, type TypeMismatch } from './graph/analysis.ts';
export { validateGraph, type ValidateOptions } from './graph/validate.ts';
export { resolveNodeConfig, validateValue, RESERVED_METADATA_KEYS, type NodeConfig, type Env } from './actor/config.ts';
