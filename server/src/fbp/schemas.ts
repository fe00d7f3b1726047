// What each FBP command's payload must hold, as JSON Schemas checked before a command runs. A bad
// payload is answered with `<protocol>:error` naming the field, what is wrong and how to fix it.
// Unknown payload keys are ignored, as FBP clients send extras (`baseDir` in graph:clear, the
// legacy `secret`); `graph` is checked by the handlers, which FBP clients expect exact errors from.
import type { ValidateFunction } from 'ajv';
import { ajvLater, compileLater, schemaProblem } from '../validation.ts';
import { FbpError, type Subprotocol } from './protocol.ts';

const name = { type: 'string', minLength: 1 } as const;
const text = { type: 'string' } as const;
const metadata = { type: 'object' } as const;
const port = {
  type: 'object',
  required: ['node', 'port'],
  properties: {
    node: name,
    port: name,
    index: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+$' }, { type: 'null' }] },
  },
} as const;

function payload(required: readonly string[], properties: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', required, properties };
}

/** Payload schemas by `protocol:command`; a command missing here is unknown to this runtime. */
const PAYLOADS: Record<string, Record<string, unknown>> = {
  'runtime:getruntime': payload([], {}),
  'runtime:packet': payload(['port', 'event'], { port: name, event: { enum: ['connect', 'begingroup', 'data', 'endgroup', 'disconnect'] }, type: text, schema: text }),

  'graph:clear': payload(['id'], { id: name, name: text, main: { type: 'boolean' }, library: text, icon: text, description: text }),
  'graph:addnode': payload(['id', 'component'], { id: name, component: name, metadata }),
  'graph:removenode': payload(['id'], { id: name }),
  'graph:renamenode': payload(['from', 'to'], { from: name, to: name }),
  'graph:changenode': payload(['id', 'metadata'], { id: name, metadata }),
  'graph:addedge': payload(['src', 'tgt'], { src: port, tgt: port, metadata }),
  'graph:removeedge': payload(['src', 'tgt'], { src: port, tgt: port }),
  'graph:changeedge': payload(['src', 'tgt', 'metadata'], { src: port, tgt: port, metadata }),
  'graph:addinitial': payload(['src', 'tgt'], { src: { type: 'object', required: ['data'] }, tgt: port, metadata }),
  'graph:removeinitial': payload(['tgt'], { tgt: port }),
  'graph:addinport': payload(['public', 'node', 'port'], { public: name, node: name, port: name, metadata }),
  'graph:removeinport': payload(['public'], { public: name }),
  'graph:renameinport': payload(['from', 'to'], { from: name, to: name }),
  'graph:addoutport': payload(['public', 'node', 'port'], { public: name, node: name, port: name, metadata }),
  'graph:removeoutport': payload(['public'], { public: name }),
  'graph:renameoutport': payload(['from', 'to'], { from: name, to: name }),
  'graph:addgroup': payload(['name', 'nodes'], { name, nodes: { type: 'array', items: name }, metadata }),
  'graph:removegroup': payload(['name'], { name }),
  'graph:renamegroup': payload(['from', 'to'], { from: name, to: name }),
  'graph:changegroup': payload(['name', 'metadata'], { name, metadata }),

  'component:list': payload([], {}),
  'component:getsource': payload(['name'], { name }),
  'component:source': payload(['name', 'language', 'code'], { name, language: name, library: text, code: text, tests: text }),

  'network:start': payload([], {}),
  'network:stop': payload([], {}),
  'network:getstatus': payload([], {}),
  'network:debug': payload(['enable'], { enable: { type: 'boolean' } }),
  'network:edges': payload(['edges'], { edges: { type: 'array', maxItems: 10_000, items: { type: 'object', required: ['src', 'tgt'], properties: { src: port, tgt: port } } } }),

  'trace:start': payload([], { buffersize: { type: 'integer', minimum: 1 } }),
  'trace:stop': payload([], {}),
  'trace:clear': payload([], {}),
  'trace:dump': payload(['type'], { type: { enum: ['flowtrace.json'] } }),
};

/** Checks command payloads against PAYLOADS. */
export class PayloadValidator {
  readonly #validators = new Map<string, ValidateFunction>();

  constructor() {
    const ajv = ajvLater(false, []);
    for (const [key, schema] of Object.entries(PAYLOADS)) this.#validators.set(key, compileLater(ajv, schema));
  }

  /** The commands of a subprotocol this runtime understands. */
  commands(protocol: Subprotocol): string[] {
    return [...this.#validators.keys()].filter((k) => k.startsWith(`${protocol}:`)).map((k) => k.slice(protocol.length + 1));
  }

  /** Throws FbpError when the command is unknown or its payload is invalid. */
  check(protocol: Subprotocol, command: string, data: Record<string, unknown>): void {
    const validate = this.#validators.get(`${protocol}:${command}`);
    if (!validate) {
      throw new FbpError(`${protocol}:${command} is not a command of the FBP protocol this runtime speaks; ${protocol} commands: ${this.commands(protocol).join(', ')}`);
    }
    if (validate(data)) return;
    const problems = (validate.errors ?? []).map((e) => schemaProblem(e, 'payload'));
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).map((p) => `${p.path} ${p.message}`).join('; ')})` : '';
    throw new FbpError(`${protocol}:${command}: ${first.path} ${first.message}; ${first.hint}${more}`);
  }
}
