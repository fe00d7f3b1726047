// The zod 3 schemas Zeal's server validates with (zeal.md §1.2, §1.3, §2, §3), reproduced from
// the protocol description so the stand-in accepts and refuses exactly what Zeal does.
// zod 3 objects strip unknown keys, as Zeal relies on.
import { z } from 'zod';

export const authMessage = z.object({
  type: z.literal('auth'),
  workflowId: z.string(),
  metadata: z.record(z.any()).optional(),
});

export const runtimeEventTypes = [
  'node.executing', 'node.completed', 'node.failed', 'node.warning',
  'execution.started', 'execution.completed', 'execution.failed',
  'connection.state', 'workflow.published', 'workflow.unpublished',
  'stream.opened', 'stream.closed', 'stream.error',
] as const;

export const runtimeEvent = z.object({
  type: z.enum(runtimeEventTypes),
  workflowId: z.string(),
  timestamp: z.string(),
  nodeId: z.string().optional(),
  graphId: z.string().optional(),
  data: z.any().optional(),
  metadata: z.any().optional(),
  streamId: z.number().optional(),
  port: z.string().optional(),
  contentType: z.string().optional(),
  sizeHint: z.number().optional(),
  totalBytes: z.number().optional(),
  error: z.string().optional(),
});
export type RuntimeEventInput = z.infer<typeof runtimeEvent>;

export const visualStateUpdate = z.object({
  type: z.literal('visual.state.update'),
  elements: z.array(z.object({
    id: z.string(),
    elementType: z.enum(['node', 'connection']),
    state: z.enum(['idle', 'pending', 'running', 'success', 'error', 'warning']),
    progress: z.number().optional(),
    message: z.string().optional(),
    highlight: z.boolean().optional(),
    color: z.string().optional(),
  })),
});

const templatePort = z.object({
  id: z.string(),
  label: z.string(),
  type: z.enum(['input', 'output']),
  position: z.enum(['left', 'right', 'top', 'bottom']),
  dataType: z.string().optional(),
  required: z.boolean().optional(),
  multiple: z.boolean().optional(),
});

export const nodeTemplate = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string(),
  subtitle: z.string().optional(),
  category: z.string(),
  subcategory: z.string().optional(),
  description: z.string(),
  icon: z.string(),
  variant: z.string().optional(),
  shape: z.enum(['rectangle', 'circle', 'diamond']).optional(),
  size: z.enum(['small', 'medium', 'large']).optional(),
  ports: z.array(templatePort),
  properties: z.record(z.object({
    type: z.enum(['string', 'number', 'boolean', 'select', 'code-editor']),
    label: z.string().optional(),
    description: z.string().optional(),
    defaultValue: z.any().optional(),
    options: z.array(z.any()).optional(),
    validation: z.object({
      required: z.boolean().optional(),
      min: z.number().optional(),
      max: z.number().optional(),
      pattern: z.string().optional(),
    }).optional(),
  })).optional(),
  propertyRules: z.object({
    triggers: z.array(z.string()),
    rules: z.array(z.object({ when: z.string(), updates: z.record(z.any()) })),
  }).optional(),
  runtime: z.object({
    executor: z.string(),
    version: z.string().optional(),
    requiredEnvVars: z.array(z.string()).optional(),
    capabilities: z.array(z.string()).optional(),
  }).optional(),
});
export type NodeTemplateInput = z.infer<typeof nodeTemplate>;

export const registerTemplates = z.object({
  namespace: z.string(),
  templates: z.array(nodeTemplate),
  webhookUrl: z.string().optional(),
});

export const registerCategories = z.object({
  categories: z.array(z.object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/),
    displayName: z.string(),
    description: z.string().optional(),
    icon: z.string().optional(),
    subcategories: z.array(z.object({ name: z.string(), displayName: z.string(), description: z.string().optional() })).optional(),
  })).min(1),
});

export const createTraceSession = z.object({
  workflowId: z.string(),
  workflowVersionId: z.string().optional(),
  executionId: z.string(),
  metadata: z.object({
    trigger: z.string().optional(),
    environment: z.string().optional(),
    tags: z.array(z.string()).optional(),
  }).optional(),
});

export const traceEvent = z.object({
  timestamp: z.number(),
  nodeId: z.string(),
  portId: z.string().optional(),
  eventType: z.enum(['input', 'output', 'error', 'log']),
  data: z.object({
    size: z.number(),
    type: z.string(),
    preview: z.any().optional(),
    fullData: z.any().optional(),
  }),
  duration: z.number().optional(),
  metadata: z.object({
    cpuUsage: z.number().optional(),
    memoryUsage: z.number().optional(),
    custom: z.record(z.any()).optional(),
  }).optional(),
  error: z.object({
    message: z.string(),
    stack: z.string().optional(),
    code: z.string().optional(),
  }).optional(),
});
export type TraceEventInput = z.infer<typeof traceEvent>;

export const submitTraceEvents = z.object({ events: z.array(traceEvent) });

export const completeTraceSession = z.object({
  status: z.enum(['success', 'error', 'cancelled']),
  summary: z.object({
    totalNodes: z.number(),
    successfulNodes: z.number(),
    failedNodes: z.number(),
    totalDuration: z.number(),
    totalDataProcessed: z.number(),
  }).optional(),
  error: z.object({
    message: z.string(),
    nodeId: z.string().optional(),
    stack: z.string().optional(),
  }).optional(),
});
export type TraceCompletionInput = z.infer<typeof completeTraceSession>;
