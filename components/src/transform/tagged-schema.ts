// JSON Schema for a list item tagged by one field (`{ op: 'set', path, value }`): the tag picks
// which fields are required, unknown fields are rejected, and every violation names the field.
import type { JsonSchema } from '@actorflow/network';

export interface Variant {
  description: string;
  required?: readonly string[];
  properties?: Record<string, JsonSchema>;
}

/**
 * A schema for objects whose `tag` field selects one of `variants`. A field may mean different
 * things in different variants (`to` of rename is a path, `to` of case a case name): each
 * variant's field schemas apply only under its tag.
 */
export function taggedSchema(tag: string, variants: Record<string, Variant>, common: Record<string, JsonSchema> = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    [tag]: { enum: Object.keys(variants), description: Object.entries(variants).map(([k, v]) => `${k}: ${v.description}`).join('; ') },
    ...common,
  };
  for (const v of Object.values(variants)) {
    for (const [name, schema] of Object.entries(v.properties ?? {})) properties[name] ??= { description: (schema as { description?: string }).description ?? '' };
  }
  return {
    type: 'object',
    required: [tag],
    additionalProperties: false,
    properties,
    allOf: Object.entries(variants).filter(([, v]) => v.required?.length || v.properties).map(([k, v]) => ({
      if: { properties: { [tag]: { const: k } }, required: [tag] },
      then: { ...(v.required?.length ? { required: v.required } : {}), ...(v.properties ? { properties: v.properties } : {}) },
    })),
  };
}
