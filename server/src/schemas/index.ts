// Every shared schema, registered once with fastify (serialisation, OpenAPI components) and with
// the validators (REST bodies, WebSocket frames).
import { ErrorEnvelopeSchema, ProblemSchema } from './common.ts';
import { ComponentSchema } from './component.ts';
import { ExecutionSchema, ExecutionSummarySchema, RunMetadataSchema, StoredEventSchema, WorkflowAcceptedSchema, WorkflowRequestSchema } from './execution.ts';
import { GraphDocumentSchema, GraphValidationSchema } from './graph.ts';

export const SHARED_SCHEMAS: readonly Record<string, unknown>[] = [
  ProblemSchema, ErrorEnvelopeSchema, GraphDocumentSchema, GraphValidationSchema, ComponentSchema,
  RunMetadataSchema, WorkflowRequestSchema, WorkflowAcceptedSchema, ExecutionSummarySchema, ExecutionSchema, StoredEventSchema,
];
