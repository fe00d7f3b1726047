// The binary encoding of messages, for crossing threads and processes: msgpack (@msgpack/msgpack)
// with extension types for what msgpack lacks. Every value of the message value model
// (./typed-json.ts) round-trips exactly:
// - JSON values as msgpack's own types (numbers keep -0, NaN and ±Infinity); Uint8Array as msgpack
//   binary. Decoded binary is a Uint8Array *view into the decoded bytes* (no copy): do not reuse or
//   overwrite those bytes afterwards (transfer a fresh buffer, or copy out of a ring first); a small
//   view keeps its whole batch buffer alive. Buffer and other Uint8Array subclasses come back as
//   plain Uint8Array.
// - Date as msgpack's timestamp extension (-1), millisecond-exact; an invalid Date stays invalid.
// - FLOW, bigint (any size, not only 64 bits), Error (name, message, code, stack and cause,
//   recursively; rebuilt as the standard class for standard names, see `buildError`) and objects
//   with an own "__proto__" key (which msgpack decoders refuse) as extensions 64-68 below.
// - undefined becomes null (in arrays and object values too), as msgpack has no undefined.
// - Map, Set, class instances, other typed arrays, functions, symbols and cycles are refused with a
//   MessageError (UNSUPPORTED_MESSAGE) naming the type and the path (a batch's paths start with the
//   message's index, `$[3].items[0]`), never silently dropped or flattened. Map and Set are not
//   encoded: the typed JSON form could not carry them either, and a message must mean the same
//   in-process, across threads and as JSON.
// - Bytes that are not a valid encoding decode to a MessageError (INVALID_MESSAGE), never a crash.
//
// Speed: one Encoder and one Decoder per thread are reused (module state is per thread). They are
// not reentrant, and encoding an Error encodes its fields with a second encoder from inside the
// first (a getter in a message could even call `encodeMessage`), so instances are taken from a stack by
// nesting level: every level has its own. The extension types are one dispatch function (msgpack's
// ExtensionCodec would try each registered encoder in turn for every object), fixed-size extension
// data goes through a scratch buffer, and only a failed encoding pays for diagnosis: the value is
// walked again (by toTyped) to name the offending type and path.
import { Decoder, Encoder, ExtData, EXT_TIMESTAMP } from '@msgpack/msgpack';
import type { ExtensionCodecType } from '@msgpack/msgpack';
import { FLOW } from './flow.ts';
import { MAX_MESSAGE_DEPTH, MessageError, buildError, errorFields, objectKind, toTyped } from './typed-json.ts';
import type { ErrorFields } from './typed-json.ts';

/** msgpack extension type numbers of the message encoding (wire format version 1). */
const EXT_FLOW = 64; //              no data
const EXT_BIGINT = 65; //            8 bytes int64 big-endian, or 1 sign byte (0/1) + big-endian magnitude (>= 8 bytes)
const EXT_ERROR = 66; //             a nested encoding of {name, message, code?, stack?, cause?}
const EXT_INVALID_DATE = 67; //      no data
const EXT_PROTO_KEY_OBJECT = 68; //  a nested encoding of [key, value, key, value, …]

/** Errors nested in errors (cause chains) deeper than this are refused. */
const MAX_NESTING = 64;
/** An encoder whose buffer grew past this is dropped after use, so one huge message doesn't pin its memory. */
const MAX_KEPT_BUFFER = 4 << 20;

const NO_DATA = new Uint8Array(0);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Thrown inside the encoder for a value outside the model; the outermost call explains it. */
class UnsupportedValue extends Error {}

const messageExtensions: ExtensionCodecType<undefined> = {
  // Called by the encoder for every value that is not null, a boolean, a number or a string.
  tryToEncode(value: unknown): ExtData | null {
    if (typeof value === 'object' && value !== null) {
      if (Array.isArray(value)) return null;
      if (Object.getPrototypeOf(value) === Object.prototype) return Object.hasOwn(value, '__proto__') ? encodeProtoKeyObject(value) : null;
      switch (objectKind(value)) {
        case 'binary': return null; // msgpack bin
        case 'date': return encodeDate(value as Date);
        case 'flow': return new ExtData(EXT_FLOW, NO_DATA);
        case 'error': return new ExtData(EXT_ERROR, encodeNested(errorFields(value as Error)));
        case 'object': return Object.hasOwn(value, '__proto__') ? encodeProtoKeyObject(value) : null;
        default: throw new UnsupportedValue();
      }
    }
    if (typeof value === 'bigint') return new ExtData(EXT_BIGINT, encodeBigInt(value));
    throw new UnsupportedValue(); // functions, symbols
  },

  decode(data: Uint8Array, type: number): unknown {
    switch (type) {
      case EXT_TIMESTAMP: return decodeDate(data);
      case EXT_FLOW: return FLOW;
      case EXT_BIGINT: return decodeBigInt(data);
      case EXT_ERROR: return decodeError(data);
      case EXT_INVALID_DATE: return new Date(NaN);
      case EXT_PROTO_KEY_OBJECT: return decodeProtoKeyObject(data);
    }
    throw invalid(`unknown msgpack extension type ${type}`);
  },
};

// Extension data is copied into the encoder's buffer as soon as tryToEncode returns, so fixed-size
// data is written into one scratch buffer instead of a fresh ArrayBuffer per value.
const scratch = new DataView(new ArrayBuffer(12));
const SCRATCH_8 = new Uint8Array(scratch.buffer, 0, 8);
const SCRATCH_12 = new Uint8Array(scratch.buffer, 0, 12);
const INVALID_DATE = new ExtData(EXT_INVALID_DATE, NO_DATA);

/** A Date as msgpack's timestamp extension: timestamp 64 from 1970 to 2514, timestamp 96 otherwise. */
function encodeDate(date: Date): ExtData {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return INVALID_DATE;
  const sec = Math.floor(ms / 1000);
  const nsec = (ms - sec * 1000) * 1e6;
  if (sec >= 0 && sec < 2 ** 34) {
    scratch.setUint32(0, nsec * 4 + Math.floor(sec / 2 ** 32)); // nsec30 | sec34's top 2 bits
    scratch.setUint32(4, sec >>> 0);
    return new ExtData(EXT_TIMESTAMP, SCRATCH_8);
  }
  const high = Math.floor(sec / 2 ** 32);
  scratch.setUint32(0, nsec);
  scratch.setInt32(4, high);
  scratch.setUint32(8, sec - high * 2 ** 32);
  return new ExtData(EXT_TIMESTAMP, SCRATCH_12);
}

/** A Date from msgpack's timestamp extension (32, 64 or 96 bits). */
function decodeDate(data: Uint8Array): Date {
  switch (data.length) {
    case 4: return new Date(uint32(data, 0) * 1000);
    case 8: {
      const high = uint32(data, 0);
      return new Date(((high & 3) * 2 ** 32 + uint32(data, 4)) * 1000 + (high >>> 2) / 1e6);
    }
    case 12: return new Date(((uint32(data, 4) | 0) * 2 ** 32 + uint32(data, 8)) * 1000 + uint32(data, 0) / 1e6);
  }
  throw invalid(`a timestamp extension of ${data.length} bytes is malformed`);
}

function uint32(data: Uint8Array, at: number): number {
  return data[at] * 2 ** 24 + ((data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]);
}

function encodeBigInt(value: bigint): Uint8Array {
  if (value >= INT64_MIN && value <= INT64_MAX) {
    scratch.setBigInt64(0, value);
    return SCRATCH_8;
  }
  const negative = value < 0n;
  const hex = (negative ? -value : value).toString(16);
  const magnitude = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  const out = new Uint8Array(1 + magnitude.length);
  out[0] = negative ? 1 : 0;
  out.set(magnitude, 1);
  return out;
}

function decodeBigInt(data: Uint8Array): bigint {
  if (data.length === 8) return new DataView(data.buffer, data.byteOffset, 8).getBigInt64(0);
  if (data.length < 9 || data[0] > 1) throw invalid(`a bigint extension of ${data.length} bytes is malformed`);
  const magnitude = BigInt(`0x${Buffer.from(data.buffer, data.byteOffset + 1, data.length - 1).toString('hex')}`);
  return data[0] === 1 ? -magnitude : magnitude;
}

function decodeError(data: Uint8Array): Error {
  const fields = decodeNested(data) as Partial<ErrorFields> | null;
  if (fields === null || typeof fields !== 'object' || typeof fields.name !== 'string' || typeof fields.message !== 'string'
    || (fields.stack !== undefined && typeof fields.stack !== 'string')) {
    throw invalid('an Error extension is malformed');
  }
  return buildError(fields as ErrorFields);
}

function encodeProtoKeyObject(object: object): ExtData {
  const flat: unknown[] = [];
  for (const key of Object.keys(object)) flat.push(key, (object as Record<string, unknown>)[key]);
  return new ExtData(EXT_PROTO_KEY_OBJECT, encodeNested(flat));
}

function decodeProtoKeyObject(data: Uint8Array): Record<string, unknown> {
  const flat = decodeNested(data);
  if (!Array.isArray(flat) || flat.length % 2 !== 0) throw invalid('an object extension is malformed');
  const object: Record<string, unknown> = {};
  for (let i = 0; i < flat.length; i += 2) {
    Object.defineProperty(object, String(flat[i]), { value: flat[i + 1], enumerable: true, writable: true, configurable: true });
  }
  return object;
}

function invalid(message: string): MessageError {
  return new MessageError('INVALID_MESSAGE', '$', message, 'decode only bytes made by encodeMessage/encodeMessages of the same wire format version');
}

// ---------------------------------------------------------------------------------------------
// Encoder and decoder stacks (one instance per nesting level, reused)

/** msgpack's Encoder, except that -0 is written as a float (msgpack writes it as the integer 0). */
class MessageEncoder extends Encoder {}
interface EncoderInternals {
  encodeNumber(n: number): void;
  encodeNumberAsFloat(n: number): void;
}
{
  const base = Encoder.prototype as unknown as EncoderInternals;
  if (typeof base.encodeNumber !== 'function' || typeof base.encodeNumberAsFloat !== 'function') {
    throw new Error('@msgpack/msgpack changed its Encoder internals (encodeNumber): update network/src/messages/codec.ts');
  }
  const encodeNumber = base.encodeNumber;
  (MessageEncoder.prototype as unknown as EncoderInternals).encodeNumber = function (this: EncoderInternals, n: number): void {
    if (n === 0 && 1 / n < 0) this.encodeNumberAsFloat(n);
    else encodeNumber.call(this, n);
  };
}

const encoders: (MessageEncoder | undefined)[] = [];
const decoders: (Decoder | undefined)[] = [];
let encoding = 0;
let decoding = 0;

/** `value` encoded by the encoder of the current nesting level. */
function encodeNested(value: unknown): Uint8Array {
  if (encoding >= MAX_NESTING) throw new UnsupportedValue(`errors nested more than ${MAX_NESTING} deep`);
  const level = encoding++;
  try {
    const encoder = (encoders[level] ??= new MessageEncoder({ extensionCodec: messageExtensions, maxDepth: MAX_MESSAGE_DEPTH + 1 }));
    const bytes = encoder.encode(value);
    if (bytes.length > MAX_KEPT_BUFFER) encoders[level] = undefined;
    return bytes;
  } finally {
    encoding--;
  }
}

/** `bytes` decoded by the decoder of the current nesting level. */
function decodeNested(bytes: Uint8Array | ArrayBuffer): unknown {
  if (decoding >= MAX_NESTING) throw invalid(`errors nested more than ${MAX_NESTING} deep`);
  const level = decoding++;
  try {
    return (decoders[level] ??= new Decoder({ extensionCodec: messageExtensions })).decode(bytes);
  } finally {
    decoding--;
  }
}

/** Why encoding `value` failed, as a MessageError with the path of the offending value. */
function explainEncodeFailure(err: unknown, value: unknown): Error {
  if (err instanceof MessageError) return err;
  try {
    toTyped(value); // walks the value the same way and throws the precise error
  } catch (precise) {
    if (precise instanceof MessageError) return precise;
    return precise as Error; // e.g. a getter in the message threw: that error is the cause
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new MessageError('UNSUPPORTED_MESSAGE', '$', `the message cannot be encoded: ${reason}`, 'a message holds JSON data, Uint8Array, bigint, Date, Error and FLOW', { cause: err });
}

function explainDecodeFailure(err: unknown): Error {
  if (err instanceof MessageError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new MessageError('INVALID_MESSAGE', '$', `the bytes are not a valid message encoding: ${reason}`, 'decode only bytes made by encodeMessage/encodeMessages, whole and unchanged', { cause: err });
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * One message as msgpack bytes: a fresh, exactly sized buffer (transferable). Throws a
 * MessageError (UNSUPPORTED_MESSAGE, with the path) for values outside the message model.
 */
export function encodeMessage(value: unknown): Uint8Array<ArrayBuffer> {
  try {
    return encodeNested(value) as Uint8Array<ArrayBuffer>;
  } catch (err) {
    throw explainEncodeFailure(err, value);
  }
}

/** The message `encodeMessage` produced. Binary values in it are views into `bytes` (see the module comment). */
export function decodeMessage(bytes: Uint8Array | ArrayBuffer): unknown {
  try {
    return decodeNested(bytes);
  } catch (err) {
    throw explainDecodeFailure(err);
  }
}

/**
 * A batch of messages (the cross-thread link sends up to 256 at a time) as one msgpack array:
 * a fresh, exactly sized buffer (transferable). Errors as `encodeMessage`, with `$[i]` paths.
 */
export function encodeMessages(values: readonly unknown[]): Uint8Array<ArrayBuffer> {
  return encodeMessage(values);
}

/** The batch `encodeMessages` produced. Throws INVALID_MESSAGE if `bytes` hold no batch. */
export function decodeMessages(bytes: Uint8Array | ArrayBuffer): unknown[] {
  const values = decodeMessage(bytes);
  if (Array.isArray(values)) return values;
  throw new MessageError('INVALID_MESSAGE', '$', 'expected a batch of messages (a msgpack array)', 'use decodeMessage for bytes made by encodeMessage, decodeMessages for bytes made by encodeMessages');
}
