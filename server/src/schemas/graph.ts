// JSON Schemas of graph documents and of graph validation. The schema checks the document's
// outline only; the graph reader of @actorflow/network checks everything else and reports each
// problem with its path (unknown components and ports, dangling edges, bad IIPs, …).

export const GraphDocumentSchema = {
  $id: 'GraphDocument',
  type: 'object',
  description: 'A flow graph in Reflow\'s JSON form (processes / connections with from/to) or FBP\'s (src/tgt with process/port).',
  properties: {
    caseSensitive: { type: 'boolean', description: 'When false (default), port names are lower-cased.' },
    properties: { type: 'object', description: 'Graph properties: name, description, version, …', additionalProperties: true },
    processes: {
      type: 'object',
      description: 'Nodes by id: `{id, component, metadata}`; metadata is the node\'s configuration.',
      additionalProperties: { type: 'object', additionalProperties: true },
    },
    connections: {
      type: 'array',
      description: 'Edges `{from, to, metadata}` (or `{src, tgt}`); an entry with `data` is an initial packet (IIP).',
      items: { type: 'object', additionalProperties: true },
    },
    inports: { type: 'object', description: 'Exported inports by public name.', additionalProperties: { type: 'object', additionalProperties: true } },
    outports: { type: 'object', description: 'Exported outports by public name.', additionalProperties: { type: 'object', additionalProperties: true } },
    groups: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
  additionalProperties: true,
} as const;

export const GraphValidationSchema = {
  $id: 'GraphValidation',
  type: 'object',
  required: ['valid', 'problems', 'summary'],
  properties: {
    valid: { type: 'boolean', description: 'True when the graph has no error (warnings allowed).' },
    problems: { type: 'array', items: { $ref: 'Problem#' } },
    summary: {
      type: 'object',
      required: ['name', 'nodes', 'edges', 'initials', 'inports', 'outports'],
      properties: {
        name: { type: ['string', 'null'] },
        nodes: { type: 'integer' },
        edges: { type: 'integer' },
        initials: { type: 'integer' },
        inports: { type: 'array', items: { type: 'string' } },
        outports: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;
