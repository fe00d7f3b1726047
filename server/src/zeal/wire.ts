// Zeal's wire shapes, exactly as Zeal's server code validates and emits them (see
// shared/reference/zeal.md §1–§3). Types only: builders live next to the code that sends.

/** `runtime.event` types Zeal's zod enum accepts (any other name is a VALIDATION_ERROR). */
export type RuntimeEventType =
  | 'node.executing' | 'node.completed' | 'node.failed' | 'node.warning'
  | 'execution.started' | 'execution.completed' | 'execution.failed'
  | 'connection.state' | 'workflow.published' | 'workflow.unpublished'
  | 'stream.opened' | 'stream.closed' | 'stream.error';

/**
 * The flat `runtime.event` payload (§1.3). `timestamp` is an ISO string; each type's own fields
 * go under `data`, except the stream fields, which are top level. The top-level `error` must be a
 * string (stream.error only): an object there fails Zeal's whole validation.
 */
export interface RuntimeEvent {
  type: RuntimeEventType;
  workflowId: string;
  timestamp: string;
  nodeId?: string;
  graphId?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  streamId?: number;
  port?: string;
  contentType?: string;
  sizeHint?: number;
  totalBytes?: number;
  error?: string;
}

/** `error` payload Zeal's socket sends on any failure. */
export interface ZipErrorPayload {
  code: 'AUTH_ERROR' | 'WORKFLOW_NOT_FOUND' | 'NOT_AUTHENTICATED' | 'VALIDATION_ERROR' | 'EVENT_ERROR' | 'UPDATE_ERROR' | string;
  message: string;
  details?: unknown;
}

/** A Zeal graph connection end. */
export interface ZealConnectionEnd {
  nodeId: string;
  portId: string;
}

/** A connection of a Zeal graph (§5). Its `id` is what `inputConnections`/`outputConnections` carry. */
export interface ZealConnection {
  id: string;
  source: ZealConnectionEnd;
  target: ZealConnectionEnd;
  state?: string;
  metadata?: Record<string, unknown>;
}

/** A port a Zeal node declares in `metadata.ports`. */
export interface ZealNodePort {
  id: string;
  label?: string;
  type: 'input' | 'output';
  position?: string;
  description?: string;
}

/** A node of a Zeal graph (§5): `{id, type, position, metadata}`. */
export interface ZealNode {
  id: string;
  type?: string;
  position?: { x: number; y: number };
  metadata: {
    id?: string;
    templateId?: string;
    type?: string;
    title?: string;
    ports?: ZealNodePort[];
    properties?: unknown;
    propertyValues?: Record<string, unknown>;
    requiredEnvVars?: string[];
    graphId?: string;
    [key: string]: unknown;
  };
}

/** One graph of a Zeal workflow: `main` or a subgraph. */
export interface ZealGraph {
  id: string;
  name?: string;
  namespace?: string;
  isMain?: boolean;
  nodes: ZealNode[];
  connections: ZealConnection[];
  groups?: unknown[];
}

/** A Zeal workflow (the body of `GET /api/workflows/{id}`, a snapshot, or `workflow.state` data). */
export interface ZealWorkflow {
  id?: string;
  name?: string;
  description?: string;
  graphs: ZealGraph[];
  activeGraphId?: string;
  version?: number;
  metadata?: Record<string, unknown>;
}

/** `workflow.state` (on auth, then when the stored version changes). */
export interface WorkflowStateMessage {
  id: string;
  timestamp: string;
  type: 'workflow.updated';
  workflowId: string;
  graphId?: string;
  data: { version?: number; graphs?: ZealGraph[]; metadata?: Record<string, unknown> };
  metadata?: { namespace?: string };
}

/** `control.event`: the user pressed Execute in Zeal. */
export interface ControlEventMessage {
  id: string;
  timestamp: string;
  type: 'control.execution.start' | string;
  workflowId: string;
  data: { executionId?: string; sessionId?: string; workflowId?: string; triggeredBy?: string; [key: string]: unknown };
  metadata?: Record<string, unknown>;
}

/** A typed event Zeal broadcasts to the workflow room as `zip.event` (§1.5): fields at top level. */
export interface ZipBroadcastEvent {
  id: string;
  type: string;
  timestamp: string;
  workflowId: string;
  graphId?: string;
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A trace row (`POST /api/zip/traces/{id}/events`): epoch-ms timestamp, integer duration. */
export interface TraceEvent {
  timestamp: number;
  nodeId: string;
  portId?: string;
  eventType: 'input' | 'output' | 'error' | 'log';
  data: { size: number; type: string; preview?: unknown; fullData?: unknown };
  duration?: number;
  metadata?: { cpuUsage?: number; memoryUsage?: number; custom?: Record<string, unknown> };
  error?: { message: string; stack?: string; code?: string };
}

/** The five numbers `/complete` requires whenever a summary is given. */
export interface TraceSummary {
  totalNodes: number;
  successfulNodes: number;
  failedNodes: number;
  totalDuration: number;
  totalDataProcessed: number;
}

export interface TraceCompletion {
  status: 'success' | 'error' | 'cancelled';
  summary: TraceSummary;
  error?: { message: string; nodeId?: string; stack?: string };
}

/** A template port (`POST /api/zip/templates/register`). */
export interface TemplatePort {
  id: string;
  label: string;
  type: 'input' | 'output';
  position: 'left' | 'right' | 'top' | 'bottom';
  dataType?: string;
  required?: boolean;
  multiple?: boolean;
}

/** A template property; Zeal accepts only these five property types. */
export interface TemplateProperty {
  type: 'string' | 'number' | 'boolean' | 'select' | 'code-editor';
  label?: string;
  description?: string;
  defaultValue?: unknown;
  options?: unknown[];
  validation?: { required?: boolean; min?: number; max?: number; pattern?: string };
}

/** A Zeal NodeTemplate as the register route validates it (§2). */
export interface NodeTemplate {
  id: string;
  type: string;
  title: string;
  subtitle?: string;
  category: string;
  subcategory?: string;
  description: string;
  icon: string;
  variant?: string;
  shape?: 'rectangle' | 'circle' | 'diamond';
  size?: 'small' | 'medium' | 'large';
  ports: TemplatePort[];
  properties?: Record<string, TemplateProperty>;
  runtime?: { executor: string; version?: string; requiredEnvVars?: string[]; capabilities?: string[] };
}

export interface RegisterTemplatesResponse {
  registered: number;
  templates: { id: string; globalId: string; status: 'registered' | 'error'; error?: string }[];
}

/** A palette category (`POST /api/zip/categories`); `name` is lowercase kebab-case. */
export interface TemplateCategory {
  name: string;
  displayName: string;
  description?: string;
  icon?: string;
}

export interface RegisterCategoriesResponse {
  registered: number;
  updated: number;
  categories: { name: string; status: 'created' | 'exists' | 'updated' | 'error'; subcategoriesAdded?: number; error?: string }[];
}
