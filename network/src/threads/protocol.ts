// What the main thread and a worker thread say to each other about one partition of a network.
import type { MessagePort } from 'node:worker_threads';
import type { ComponentSource } from '../actor/registry.ts';
import type { InPortSpec, OutPortSpec } from '../actor/types.ts';
import type { PortRef } from '../graph/types.ts';
import type { EventInterest } from '../runtime/event-hub.ts';
import type { ErrorInfo } from '../runtime/events.ts';
import type { NodeSettings } from '../runtime/node-runner.ts';
import type { ConnectionStats, NodeStats, OverflowPolicy } from '../runtime/types.ts';

/** One end of a cross-thread connection, as seen from the thread that holds it. */
export interface LinkSpec {
  id: string;
  /** 'egress': this thread sends (from an outport at `ref`); 'ingress': it receives (into the inport at `ref`). */
  role: 'egress' | 'ingress';
  from: PortRef;
  to: PortRef;
  capacity: number;
  policy: OverflowPolicy;
}

/** A node to instantiate in a worker: its component is loaded from `source`. */
export interface PartitionNode {
  id: string;
  component: string;
  source: ComponentSource;
  config: Record<string, unknown>;
  env: Record<string, string | undefined>;
  ports: { inports: Record<string, InPortSpec>; outports: Record<string, OutPortSpec> };
  settings: NodeSettings;
}

/** Everything a worker needs to run its part of a network. */
export interface PartitionSpec {
  networkId: string;
  thread: string;
  nodes: PartitionNode[];
  edges: { src: PortRef; tgt: PortRef; capacity: number; policy: OverflowPolicy }[];
  initials: { tgt: PortRef; data: unknown }[];
  links: LinkSpec[];
  /** Exported outports fed by nodes of this partition. */
  exports: { name: string; ref: PortRef }[];
  timing: boolean;
  batch: number;
  window: number;
  interest: EventInterest;
}

/** The task piscina runs: the spec plus its ports (transferred). */
export interface PartitionTask {
  spec: PartitionSpec;
  control: MessagePort;
  links: Record<string, MessagePort>;
}

export type ToWorker =
  | { type: 'setup' }
  | { type: 'activate' }
  | { type: 'interest'; interest: EventInterest }
  | { type: 'stop'; graceMs: number };

export type FromWorker =
  | { type: 'built' }
  | { type: 'setup-done' }
  | { type: 'status'; idle: true; sent: Record<string, number>; received: Record<string, number>; messages: number; stats?: Record<string, NodeStats>; connections?: ConnectionStats[] }
  | { type: 'events'; batch: Uint8Array; dropped: number }
  | { type: 'failure'; actorId: string; component: string; error: ErrorInfo; phase: string; handled: boolean }
  | { type: 'outputs'; batch: Uint8Array }
  | { type: 'stopped'; stats: Record<string, NodeStats>; connections: ConnectionStats[]; messages: number };

/** Credit returned by a receiving link end. */
export interface CreditMessage {
  credit: number;
}
