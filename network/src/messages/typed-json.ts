// Messages as JSON. Actorflow's messages are plain JS values (the message value model below); this
// module gives them two JSON forms:
//
// 1. The typed form `{type, data}`: lossless, for places that need type fidelity (the WASM plugin
//    ABI, REST results on request, persisted history). `toTyped(value)` / `fromTyped(json)`:
//      FLOW                       -> {type:'Flow'}
//      boolean                    -> {type:'Boolean', data:true}
//      safe integer number        -> {type:'Integer', data:42}
//      other number               -> {type:'Float', data:1.5}; NaN, ±Infinity and -0 have no JSON
//                                    number, so their data is 'NaN' | 'Infinity' | '-Infinity' | '-0'
//      string                     -> {type:'String', data:'x'}
//      null, undefined            -> {type:'Optional', data:null} (undefined is not kept: null)
//      array                      -> {type:'Array', data:[…]}
//      plain object               -> {type:'Object', data:{…}}
//      Uint8Array                 -> {type:'Stream', data:'<base64>'}
//      Error                      -> {type:'Error', data:{message, name, code?, stack?, cause?}}
//      bigint                     -> {type:'BigInt', data:'123'}
//      Date                       -> {type:'Date', data:'2024-01-31T12:00:00.123Z'} ('Invalid Date' if invalid)
//    Inside Array and Object data (and an Error's code and cause), plain JSON stays plain JSON:
//    `data` is never JSON-as-bytes (Reflow's defect). A nested value that JSON cannot hold is written
//    as a marker object `{"$af": <type>, "data": <data>}` with the same type names and data as above
//    (`{"$af":"Stream","data":"AAEC"}`, `{"$af":"Flow"}`). A nested object that would be mistaken
//    for something else, because it has a "$af" key or looks like Reflow's encoded value
//    (`{"data":[<bytes>]}`), is wrapped as `{"$af":"Object","data":{…}}`, whose data keys are taken
//    literally. So the typed form is lossless for every message value.
//
//    `fromTyped` validates and throws a MessageError (code INVALID_MESSAGE) with the JSON path of the
//    problem. Besides the form above it accepts Reflow's documents (reflow.md §2): Stream data as an
//    array of byte numbers; Error data as a plain string; Reflow's encoded values `{"data":[<bytes of
//    JSON text>]}` as the data of Object, Optional, Any and Event and as Array elements; and the
//    variants we map to the nearest plain value: Any and Event -> their value, Optional with data ->
//    its value, Encoded -> its bytes (a Uint8Array: its bitcode cannot be decoded), RemoteReference
//    -> its {network_id, actor_id, port} object, NetworkEvent -> {event_type, data}.
//
// 2. The plain form, for JSON APIs: `toPlainJson(value)` gives a JSON value (what JSON.stringify
//    can write as is): Uint8Array -> base64 string, Date -> ISO string (null if invalid), bigint ->
//    number if safe else decimal string, Error -> {message, name, code?}, FLOW -> 'flow' (Reflow's
//    plain form), NaN and ±Infinity -> null, -0 -> 0, undefined -> null. It is lossy: 'flow' and
//    FLOW, a base64 string and its bytes, cannot be told apart afterwards.
//
// The message value model (shared with ./codec.ts): null, booleans, numbers, strings, arrays, plain
// objects (prototype Object.prototype or null, from any realm), Uint8Array (Buffer and other
// subclasses included), bigint, Date, Error (its name, message, code, stack and cause; other
// properties are not part of the message), the FLOW signal, and undefined (read as null).
// Anything else (Map, Set, class instances, other typed arrays, functions, symbols), a cycle, or
// nesting deeper than MAX_MESSAGE_DEPTH is refused with a MessageError (code UNSUPPORTED_MESSAGE)
// naming the type and the path, never silently dropped.
import { types } from 'node:util';
import { ActorflowError } from '../errors.ts';
import { didYouMean } from '../suggest.ts';
import { FLOW } from './flow.ts';

/** The key of a marker object in the typed form's nested data. */
export const MARKER = '$af';
/** Messages nest at most this deep (arrays, objects and error causes). */
export const MAX_MESSAGE_DEPTH = 500;

/** A JSON value, as JSON.parse returns and JSON.stringify writes. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The data of a typed Error. `code` and `cause` are nested values (plain JSON or markers). */
export interface TypedErrorData {
  message: string;
  name: string;
  code?: JsonValue;
  stack?: string;
  cause?: JsonValue;
}

/** A message in the typed form (what `toTyped` produces). */
export type TypedMessage =
  | { type: 'Flow'; data?: undefined }
  | { type: 'Boolean'; data: boolean }
  | { type: 'Integer'; data: number }
  | { type: 'Float'; data: number | 'NaN' | 'Infinity' | '-Infinity' | '-0' }
  | { type: 'String'; data: string }
  | { type: 'Optional'; data: null }
  | { type: 'Array'; data: JsonValue[] }
  | { type: 'Object'; data: { [key: string]: JsonValue } }
  | { type: 'Stream'; data: string }
  | { type: 'Error'; data: TypedErrorData }
  | { type: 'BigInt'; data: string }
  | { type: 'Date'; data: string };

/** The type names `fromTyped` accepts: ours, and Reflow's other variants. */
const TYPE_NAMES = [
  'Flow', 'Boolean', 'Integer', 'Float', 'String', 'Optional', 'Array', 'Object', 'Stream', 'Error', 'BigInt', 'Date',
  'Any', 'Event', 'Encoded', 'RemoteReference', 'NetworkEvent',
];

/** A message could not be encoded or decoded; `path` is the JSON path of the offending value. */
export class MessageError extends ActorflowError {
  override name = 'MessageError';
  declare readonly code: 'INVALID_MESSAGE' | 'UNSUPPORTED_MESSAGE';
  readonly path: string;
  constructor(code: 'INVALID_MESSAGE' | 'UNSUPPORTED_MESSAGE', path: string, message: string, hint: string, options?: ErrorOptions) {
    super(code, `${path}: ${message}`, hint, options);
    this.path = path;
  }
}

// ---------------------------------------------------------------------------------------------
// The message value model

/** The kind of a message value that is an object (not null, not an array). */
export type ObjectKind = 'object' | 'flow' | 'binary' | 'date' | 'error';

/**
 * What kind of message value the non-array object `value` is, or undefined if it is none
 * (a Map, a Set, a class instance, …). Checks the common same-realm cases first.
 */
export function objectKind(value: object): ObjectKind | undefined {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return 'object';
  if (value === FLOW) return 'flow';
  if (value instanceof Uint8Array || types.isUint8Array(value)) return 'binary';
  if (value instanceof Date || types.isDate(value)) return 'date';
  if (value instanceof Error || isForeignError(value)) return 'error';
  // A plain object from another realm (a vm context): its prototype is that realm's Object.prototype.
  if (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]') return 'object';
  return undefined;
}

const isForeignError = (Error as { isError?: (value: unknown) => boolean }).isError ?? (() => false);

/** The parts of an Error that a message keeps. */
export interface ErrorFields {
  name: string;
  message: string;
  code?: unknown;
  stack?: string;
  cause?: unknown;
}

/** The parts of `error` that a message keeps (absent ones are left out). */
export function errorFields(error: Error): ErrorFields {
  const fields: ErrorFields = { name: String(error.name), message: String(error.message) };
  const { code } = error as { code?: unknown };
  if (code !== undefined) fields.code = code;
  if (typeof error.stack === 'string') fields.stack = error.stack;
  if (error.cause !== undefined) fields.cause = error.cause;
  return fields;
}

const STANDARD_ERRORS: Record<string, ErrorConstructor> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

/**
 * An Error rebuilt from its fields: a TypeError, RangeError, … when the name is a standard one,
 * otherwise an Error whose `name` is set (ActorflowError comes back as an Error named
 * 'ActorflowError' with its code). The stack is the original one, not the rebuilding code's.
 */
export function buildError(fields: ErrorFields): Error {
  const Constructor = Object.hasOwn(STANDARD_ERRORS, fields.name) ? STANDARD_ERRORS[fields.name] : Error;
  const { stackTraceLimit } = Error;
  Error.stackTraceLimit = 0; // the stack is replaced below: don't pay for capturing one
  let error: Error;
  try {
    error = fields.cause === undefined ? new Constructor(fields.message) : new Constructor(fields.message, { cause: fields.cause });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (error.name !== fields.name) Object.defineProperty(error, 'name', { value: fields.name, writable: true, configurable: true });
  if (fields.code !== undefined) (error as { code?: unknown }).code = fields.code;
  if (fields.stack === undefined) delete error.stack;
  else Object.defineProperty(error, 'stack', { value: fields.stack, writable: true, configurable: true });
  return error;
}

/** The UNSUPPORTED_MESSAGE error for a value outside the message value model. */
function unsupported(value: unknown, path: string): MessageError {
  const { what, hint } = describeUnsupported(value);
  return new MessageError('UNSUPPORTED_MESSAGE', path, `${what} cannot be sent as a message`, hint);
}

function describeUnsupported(value: unknown): { what: string; hint: string } {
  if (typeof value === 'function') return { what: 'a function', hint: 'functions are not data: send the value they compute' };
  if (typeof value === 'symbol') return { what: 'a symbol', hint: 'send a string instead' };
  if (types.isMap(value)) return { what: 'a Map', hint: 'send Object.fromEntries(map), or [...map] for non-string keys' };
  if (types.isSet(value)) return { what: 'a Set', hint: 'send [...set]' };
  if (ArrayBuffer.isView(value) || types.isAnyArrayBuffer(value)) {
    return { what: `a ${tagOf(value)}`, hint: 'send the bytes as a Uint8Array: new Uint8Array(buffer, byteOffset, byteLength)' };
  }
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  const what = typeof name === 'string' && name !== '' ? `a ${name} object` : `a ${tagOf(value)}`;
  return { what, hint: 'send a plain object (e.g. { ...value }), an array, or a primitive' };
}

function tagOf(value: unknown): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** Formats a path as JSON path text: `$.items[3]["odd key"]`. */
function formatPath(path: readonly (string | number)[]): string {
  let text = '$';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Sets an own property, also for the key "__proto__" (which plain assignment would not). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

// ---------------------------------------------------------------------------------------------
// Value -> JSON (both forms share one walk; a JsonForm says how each non-JSON kind is written)

interface JsonForm {
  /** A number JSON cannot write: NaN, ±Infinity or -0. */
  number(n: number): JsonValue;
  bigint(b: bigint): JsonValue;
  flow(): JsonValue;
  binary(bytes: Uint8Array): JsonValue;
  date(date: Date): JsonValue;
  error(error: Error, walk: ToJsonWalk): JsonValue;
  /** A converted plain object, before it is returned (the typed form escapes some). */
  object(converted: { [key: string]: JsonValue }): JsonValue;
}

/** One conversion's state: where it is, and the containers it is inside (to catch cycles). */
class ToJsonWalk {
  readonly path: (string | number)[] = [];
  readonly ancestors: object[] = [];
  readonly form: JsonForm;
  constructor(form: JsonForm) {
    this.form = form;
  }

  /** `value` converted with this walk's form. */
  convert(value: unknown): JsonValue {
    switch (typeof value) {
      case 'string': case 'boolean': return value;
      case 'number': return Number.isFinite(value) && !Object.is(value, -0) ? value : this.form.number(value);
      case 'undefined': return null;
      case 'bigint': return this.form.bigint(value);
      case 'object': {
        if (value === null) return null;
        if (Array.isArray(value)) {
          this.enter(value);
          const out: JsonValue[] = new Array(value.length);
          for (let i = 0; i < value.length; i++) out[i] = this.child(i, value[i]);
          this.leave();
          return out;
        }
        switch (objectKind(value)) {
          case 'object': {
            this.enter(value);
            const out: { [key: string]: JsonValue } = {};
            for (const key of Object.keys(value)) setOwn(out, key, this.child(key, (value as Record<string, unknown>)[key]));
            this.leave();
            return this.form.object(out);
          }
          case 'flow': return this.form.flow();
          case 'binary': return this.form.binary(value as Uint8Array);
          case 'date': return this.form.date(value as Date);
          case 'error': {
            this.enter(value);
            const out = this.form.error(value as Error, this);
            this.leave();
            return out;
          }
          default: throw unsupported(value, formatPath(this.path));
        }
      }
      default: throw unsupported(value, formatPath(this.path));
    }
  }

  /** The value at `key` of the current container, converted. */
  child(key: string | number, value: unknown): JsonValue {
    this.path.push(key);
    const out = this.convert(value);
    this.path.pop();
    return out;
  }

  private enter(container: object): void {
    const at = this.ancestors.indexOf(container);
    if (at >= 0) {
      throw new MessageError('UNSUPPORTED_MESSAGE', formatPath(this.path), `a cycle: this is ${formatPath(this.path.slice(0, at))} again, which contains it`, 'send a tree: copy the shared part, or refer to it by an id');
    }
    if (this.ancestors.length >= MAX_MESSAGE_DEPTH) {
      throw new MessageError('UNSUPPORTED_MESSAGE', formatPath(this.path), `nested more than ${MAX_MESSAGE_DEPTH} levels deep`, 'flatten the message');
    }
    this.ancestors.push(container);
  }

  private leave(): void {
    this.ancestors.pop();
  }
}

/** Float data for a number JSON cannot write. */
function floatData(n: number): 'NaN' | 'Infinity' | '-Infinity' | '-0' | number {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return Object.is(n, -0) ? '-0' : n;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function marker(type: string, data?: JsonValue): JsonValue {
  return data === undefined ? { [MARKER]: type } : { [MARKER]: type, data };
}

/** Whether `value` has the shape of Reflow's encoded value `{"data":[<bytes>]}`. */
function isReflowEncoded(value: unknown): value is { data: number[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'data') return false;
  const { data } = value as { data: unknown };
  return Array.isArray(data) && data.length > 0 && data.every(isByte);
}

function isByte(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 255;
}

const TYPED_FORM: JsonForm = {
  number: (n) => marker('Float', floatData(n)),
  bigint: (b) => marker('BigInt', b.toString()),
  flow: () => marker('Flow'),
  binary: (bytes) => marker('Stream', base64(bytes)),
  date: (date) => marker('Date', dateText(date)),
  error: (error, walk) => marker('Error', typedErrorData(error, walk) as unknown as JsonValue),
  object: (converted) => (Object.hasOwn(converted, MARKER) || isReflowEncoded(converted) ? marker('Object', converted) : converted),
};

function dateText(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString();
}

function typedErrorData(error: Error, walk: ToJsonWalk): TypedErrorData {
  const fields = errorFields(error);
  const data: TypedErrorData = { message: fields.message, name: fields.name };
  if ('code' in fields) data.code = walk.child('code', fields.code);
  if (fields.stack !== undefined) data.stack = fields.stack;
  if ('cause' in fields) data.cause = walk.child('cause', fields.cause);
  return data;
}

/**
 * The lossless typed form of a message (see the module comment). Throws a MessageError with code
 * UNSUPPORTED_MESSAGE and the path of the value if the message holds something outside the model.
 */
export function toTyped(value: unknown): TypedMessage {
  switch (typeof value) {
    case 'boolean': return { type: 'Boolean', data: value };
    case 'string': return { type: 'String', data: value };
    case 'number':
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? { type: 'Integer', data: value } : { type: 'Float', data: floatData(value) };
    case 'undefined': return { type: 'Optional', data: null };
    case 'object':
      if (value === null) return { type: 'Optional', data: null };
      if (Array.isArray(value)) return { type: 'Array', data: new ToJsonWalk(TYPED_FORM).convert(value) as JsonValue[] };
      if (objectKind(value) === 'object') return { type: 'Object', data: new ToJsonWalk(TYPED_FORM).convert(value) as { [key: string]: JsonValue } };
  }
  // bigint, FLOW, Uint8Array, Date, Error: the nested marker, with `type` for `$af`
  const { [MARKER]: type, data } = new ToJsonWalk(TYPED_FORM).convert(value) as { [MARKER]: string; data?: JsonValue };
  return (data === undefined ? { type } : { type, data }) as TypedMessage;
}

const PLAIN_FORM: JsonForm = {
  number: (n) => (Number.isFinite(n) ? 0 : null), // -0 -> 0; NaN, ±Infinity -> null as JSON.stringify
  bigint: (b) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString()),
  flow: () => 'flow',
  binary: base64,
  date: (date) => (Number.isNaN(date.getTime()) ? null : date.toISOString()),
  error: (error, walk) => {
    const fields = errorFields(error);
    const out: { [key: string]: JsonValue } = { message: fields.message, name: fields.name };
    if ('code' in fields) out.code = walk.child('code', fields.code);
    return out;
  },
  object: (converted) => converted,
};

/**
 * The plain JSON form of a message for JSON APIs (lossy, see the module comment). Throws a
 * MessageError (UNSUPPORTED_MESSAGE) for values outside the message model, as `toTyped` does.
 */
export function toPlainJson(value: unknown): JsonValue {
  return new ToJsonWalk(PLAIN_FORM).convert(value);
}

// ---------------------------------------------------------------------------------------------
// Typed JSON -> value

/** One decoding's state: the path being read and how deep it is. */
class FromTypedWalk {
  readonly path: (string | number)[] = [];
  private depth = 0;

  fail(message: string, hint: string): never {
    throw new MessageError('INVALID_MESSAGE', formatPath(this.path), message, hint);
  }

  /** Runs `read` with `key` appended to the path. */
  at<T>(key: string | number, read: () => T): T {
    this.path.push(key);
    const out = read();
    this.path.pop();
    return out;
  }

  /**
   * The value of the typed message `record`: its type name under `typeKey` ('type' in a document,
   * MARKER in a nested marker object), its data under 'data'.
   */
  typed(record: Record<string, unknown>, typeKey: string): unknown {
    const type = record[typeKey];
    if (typeof type !== 'string' || !TYPE_NAMES.includes(type)) {
      const hint = (typeof type === 'string' && didYouMean(type, TYPE_NAMES)) || `one of ${TYPE_NAMES.join(', ')}`;
      return this.at(typeKey, () => this.fail(typeof type === 'string' ? `unknown message type '${type}'` : `expected the type name, a string, got ${describeJson(type)}`, hint));
    }
    return this.at('data', () => this.typedData(type, record.data, typeKey === MARKER));
  }

  private typedData(type: string, data: unknown, inMarker: boolean): unknown {
    switch (type) {
      case 'Flow': return data === undefined || data === null ? FLOW : this.fail(`Flow carries no data, got ${describeJson(data)}`, 'write {"type":"Flow"}');
      case 'Boolean': return typeof data === 'boolean' ? data : this.fail(`Boolean data must be true or false, got ${describeJson(data)}`, 'e.g. {"type":"Boolean","data":true}');
      case 'Integer': return Number.isInteger(data) ? data : this.fail(`Integer data must be an integer number, got ${describeJson(data)}`, 'e.g. {"type":"Integer","data":42}; use Float for fractions, BigInt beyond 2^53');
      case 'Float': return this.float(data);
      case 'String': return typeof data === 'string' ? data : this.fail(`String data must be a string, got ${describeJson(data)}`, 'e.g. {"type":"String","data":"text"}');
      case 'Optional': return data === null || data === undefined ? null : this.reflowOrNested(data);
      case 'Any': case 'Event': return data === undefined ? this.fail(`${type} needs data`, `e.g. {"type":"${type}","data":{"a":1}}`) : this.reflowOrNested(data);
      case 'Object': return inMarker ? this.entries(data) : this.object(data);
      case 'Array': return this.array(data);
      case 'Stream': case 'Encoded': return this.bytes(type, data);
      case 'Error': return this.error(data);
      case 'BigInt': return this.bigint(data);
      case 'Date': return this.date(data);
      case 'RemoteReference': return this.object(data);
      default: return this.networkEvent(data); // 'NetworkEvent', the last of TYPE_NAMES
    }
  }

  /** A nested value: plain JSON, or a marker object. */
  nested(json: unknown): unknown {
    switch (typeof json) {
      case 'string': case 'boolean': case 'number': return json;
      case 'object':
        if (json === null) return null;
        if (Array.isArray(json)) return this.items(json, false);
        if (!isPlainRecord(json)) break;
        if (!Object.hasOwn(json, MARKER)) return this.entries(json);
        for (const key of Object.keys(json)) {
          if (key !== MARKER && key !== 'data') {
            this.at(key, () => this.fail(`a marker object has only "${MARKER}" and "data" keys`, `to send an object with a "${MARKER}" key, wrap it: {"${MARKER}":"Object","data":{…}}`));
          }
        }
        return this.typed(json, MARKER);
    }
    return this.fail(`expected a JSON value, got ${describeJson(json)}`, 'use null, a boolean, a number, a string, an array or an object');
  }

  /** The object `json` with its keys taken literally and its values read as nested values. */
  entries(json: unknown): Record<string, unknown> {
    if (!isPlainRecord(json)) return this.fail(`expected an object, got ${describeJson(json)}`, 'e.g. {"a":1}');
    this.enter();
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(json)) {
      this.path.push(key);
      setOwn(out, key, this.nested(json[key]));
      this.path.pop();
    }
    this.depth--;
    return out;
  }

  /** The items of an array, read as nested values (or as Reflow's encoded values if `reflow`). */
  private items(json: unknown[], reflow: boolean): unknown[] {
    this.enter();
    const out = new Array<unknown>(json.length);
    for (let i = 0; i < json.length; i++) {
      this.path.push(i);
      out[i] = reflow ? this.reflowOrNested(json[i]) : this.nested(json[i]);
      this.path.pop();
    }
    this.depth--;
    return out;
  }

  private enter(): void {
    if (++this.depth > MAX_MESSAGE_DEPTH) this.fail(`nested more than ${MAX_MESSAGE_DEPTH} levels deep`, 'flatten the message');
  }

  /** Data that is either Reflow's encoded value (the bytes of JSON text) or a nested value. */
  private reflowOrNested(data: unknown): unknown {
    if (!isReflowEncoded(data)) return this.nested(data);
    try {
      return JSON.parse(UTF8.decode(Uint8Array.from(data.data))) as unknown;
    } catch (err) {
      return this.fail(`Reflow's encoded value is not UTF-8 JSON text (${(err as Error).message})`, '{"data":[…]} must hold the bytes of a JSON document');
    }
  }

  private object(data: unknown): Record<string, unknown> {
    const value = this.reflowOrNested(data);
    if (isPlainRecord(value)) return value;
    return this.fail(`expected an object, got ${describeJson(value)}`, 'e.g. {"type":"Object","data":{"a":1}}');
  }

  private array(data: unknown): unknown[] {
    if (Array.isArray(data)) return this.items(data, true);
    return this.fail(`Array data must be an array, got ${describeJson(data)}`, 'e.g. {"type":"Array","data":[1,2]}');
  }

  private float(data: unknown): number {
    if (typeof data === 'number') return data;
    switch (data) {
      case 'NaN': return NaN;
      case 'Infinity': return Infinity;
      case '-Infinity': return -Infinity;
      case '-0': return -0;
    }
    return this.fail(`Float data must be a number, 'NaN', 'Infinity', '-Infinity' or '-0', got ${describeJson(data)}`, 'e.g. {"type":"Float","data":1.5}');
  }

  private bytes(type: string, data: unknown): Uint8Array {
    if (typeof data === 'string') {
      if (BASE64.test(data) && data.length % 4 !== 1) return new Uint8Array(Buffer.from(data, 'base64'));
      return this.fail(`${type} data is not valid base64`, 'use standard base64 (A-Z a-z 0-9 + /, "=" padding) or an array of byte numbers');
    }
    if (Array.isArray(data)) {
      const bad = data.findIndex((n) => !isByte(n));
      if (bad < 0) return Uint8Array.from(data as number[]);
      return this.at(bad, () => this.fail(`expected a byte (an integer 0-255), got ${describeJson(data[bad])}`, 'byte arrays hold integers 0-255'));
    }
    return this.fail(`${type} data must be a base64 string or an array of bytes, got ${describeJson(data)}`, `e.g. {"type":"${type}","data":"AAEC"}`);
  }

  private error(data: unknown): Error {
    if (typeof data === 'string') return buildError({ name: 'Error', message: data }); // Reflow's Error(String)
    if (!isPlainRecord(data)) return this.fail(`Error data must be an object or a string, got ${describeJson(data)}`, 'e.g. {"type":"Error","data":{"message":"failed","name":"Error"}}');
    const { message, name = 'Error', code, stack, cause } = data;
    if (typeof message !== 'string') return this.at('message', () => this.fail(`an Error message must be a string, got ${describeJson(message)}`, 'e.g. "message":"failed"'));
    if (typeof name !== 'string') return this.at('name', () => this.fail(`an Error name must be a string, got ${describeJson(name)}`, 'e.g. "name":"TypeError"'));
    if (stack !== undefined && typeof stack !== 'string') return this.at('stack', () => this.fail(`an Error stack must be a string, got ${describeJson(stack)}`, 'leave it out if unknown'));
    const fields: ErrorFields = { name, message };
    if (code !== undefined) fields.code = this.at('code', () => this.nested(code));
    if (stack !== undefined) fields.stack = stack;
    if (cause !== undefined) {
      this.enter();
      fields.cause = this.at('cause', () => this.nested(cause));
      this.depth--;
    }
    return buildError(fields);
  }

  private bigint(data: unknown): bigint {
    if (typeof data === 'string' && /^-?\d+$/.test(data)) return BigInt(data);
    if (Number.isSafeInteger(data)) return BigInt(data as number);
    return this.fail(`BigInt data must be a string of decimal digits, got ${describeJson(data)}`, 'e.g. {"type":"BigInt","data":"12345678901234567890"}');
  }

  private date(data: unknown): Date {
    if (data === 'Invalid Date') return new Date(NaN);
    if (typeof data === 'string') {
      const date = new Date(data);
      if (!Number.isNaN(date.getTime())) return date;
    }
    return this.fail(`Date data must be a date string, got ${describeJson(data)}`, 'use ISO 8601, e.g. "2024-01-31T12:00:00.000Z"');
  }

  /** Reflow's NetworkEvent{event_type, data}: the object, its data read as an encoded value. */
  private networkEvent(data: unknown): Record<string, unknown> {
    if (!isPlainRecord(data)) return this.fail(`NetworkEvent data must be an object, got ${describeJson(data)}`, 'e.g. {"event_type":"ActorRegistered","data":{…}}');
    if (typeof data.event_type !== 'string') return this.at('event_type', () => this.fail(`expected the event type, a string, got ${describeJson(data.event_type)}`, 'e.g. "ActorRegistered"'));
    const event: Record<string, unknown> = { event_type: data.event_type };
    if (data.data !== undefined) event.data = this.at('data', () => this.reflowOrNested(data.data));
    return event;
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && objectKind(value) === 'object';
}

/** A short description of a JSON-ish value for error messages. */
function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') return isPlainRecord(value) ? 'an object' : describeUnsupported(value).what;
  return `a ${typeof value}`;
}

/**
 * The message a typed JSON document stands for (see the module comment for the accepted forms).
 * Throws a MessageError with code INVALID_MESSAGE and the JSON path of the first problem.
 */
export function fromTyped(typed: unknown): unknown {
  const walk = new FromTypedWalk();
  if (!isPlainRecord(typed)) {
    return walk.fail(`expected a typed message {"type": …, "data": …}, got ${describeJson(typed)}`, 'e.g. {"type":"Integer","data":42}');
  }
  return walk.typed(typed, 'type');
}
