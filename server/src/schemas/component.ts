// JSON Schema of the component palette (the registry's ComponentInfo).

const PortSchema = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: { type: 'string' },
    type: { type: 'object', description: 'Reflow port type, e.g. `{"type":"string"}` or `{"type":"array","value":{"type":"integer"}}`.', additionalProperties: true },
    schema: { description: 'JSON Schema of the messages on this port.' },
    description: { type: 'string' },
    required: { type: 'boolean' },
    default: {},
    addressable: { type: 'boolean' },
  },
} as const;

export const ComponentSchema = {
  $id: 'Component',
  type: 'object',
  required: ['name', 'kind', 'description', 'category', 'icon', 'tags', 'inports', 'outports'],
  properties: {
    name: { type: 'string', description: 'Registry name, e.g. `core/Repeat`.' },
    kind: { type: 'string', enum: ['actor', 'subgraph'] },
    description: { type: 'string' },
    category: { type: 'string' },
    icon: { type: 'string' },
    version: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    inports: { type: 'array', items: PortSchema },
    outports: { type: 'array', items: PortSchema },
    config: { description: 'JSON Schema of the node configuration (node metadata).' },
  },
} as const;
