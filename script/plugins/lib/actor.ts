// Reflow's actor plugin ABI for AssemblyScript plugins (Extism PDK underneath):
//   export function process(): i32      input: ActorContext JSON, output: ActorResult JSON
//   export function get_metadata(): i32 output: {component, description, inports, outports, config_schema?}
// ActorContext = { payload: { port: { type, data } }, config: { node_id, component, resolved_env, config, namespace }, state }
// ActorResult  = { outputs: { port: { type, data } }, state? }   (a returned state replaces the old one)
// Host functions (namespace extism:host/user): __send_output({port: value}), __get_state(key) -> value,
// __set_state(key, value); every argument and result is JSON text in Extism memory.
import { Host, LogLevel, Memory } from '@extism/as-pdk';
import { error_set, length } from '@extism/as-pdk/lib/env';
import { JSON } from 'assemblyscript-json/assembly';

@external('extism:host/user', '__send_output')
declare function hostSendOutput(message: u64): void;
@external('extism:host/user', '__get_state')
declare function hostGetState(key: u64): u64;
@external('extism:host/user', '__set_state')
declare function hostSetState(key: u64, value: u64): void;

/** The context of one call, parsed from the plugin input. */
export class ActorContext {
  payload: JSON.Obj = new JSON.Obj();
  config: JSON.Obj = new JSON.Obj();
  nodeId: string = '';

  constructor(root: JSON.Obj) {
    const payload: JSON.Obj | null = root.getObj('payload');
    if (payload !== null) this.payload = payload;
    const actorConfig: JSON.Obj | null = root.getObj('config');
    if (actorConfig !== null) {
      const nodeConfig: JSON.Obj | null = actorConfig.getObj('config');
      if (nodeConfig !== null) this.config = nodeConfig;
      const id: JSON.Str | null = actorConfig.getString('node_id');
      if (id !== null) this.nodeId = id.valueOf();
    }
  }

  static read(): ActorContext {
    const value = JSON.parse(Host.inputString());
    return new ActorContext(value.isObj ? value as JSON.Obj : new JSON.Obj());
  }

  /** Whether a message arrived on `port` (a Flow message has no data, but it is there). */
  has(port: string): bool {
    return this.payload.has(port);
  }

  /** The `data` of the message on `port`, or null when the port has none (or it carries none, like Flow). */
  input(port: string): JSON.Value | null {
    const message: JSON.Obj | null = this.payload.getObj(port);
    if (message === null) return null;
    return message.get('data');
  }

  /** A number input (Integer or Float), or `fallback`. */
  number(port: string, fallback: f64): f64 {
    const v = this.input(port);
    if (v === null) return fallback;
    if (v.isInteger) return f64((v as JSON.Integer).valueOf());
    if (v.isFloat) return (v as JSON.Float).valueOf();
    return fallback;
  }

  /** A number from the node config, or `fallback`. */
  configNumber(key: string, fallback: f64): f64 {
    const v = this.config.get(key);
    if (v === null) return fallback;
    if (v.isInteger) return f64((v as JSON.Integer).valueOf());
    if (v.isFloat) return (v as JSON.Float).valueOf();
    return fallback;
  }
}

/** The ActorResult being built: outputs in Reflow's {type, data} form. */
export class ActorResult {
  outputs: JSON.Obj = new JSON.Obj();

  output(port: string, type: string, data: JSON.Value): ActorResult {
    const message = new JSON.Obj();
    message.set('type', type);
    message.set('data', data);
    this.outputs.set(port, message);
    return this;
  }

  /** Writes the result as the plugin output; returns 0 for process() to return. */
  write(): i32 {
    const result = new JSON.Obj();
    result.set('outputs', this.outputs);
    writeOutput(result.stringify());
    return 0;
  }
}

/** Sends {port: value} right away (streaming), before process() returns. */
export function sendOutput(port: string, value: JSON.Value): void {
  const message = new JSON.Obj();
  message.set(port, value);
  hostSendOutput(allocate(message.stringify()).offset);
}

/** Sends already-encoded JSON text ({"port": value, ...}) to __send_output. */
export function sendOutputRaw(json: string): void {
  hostSendOutput(allocate(json).offset);
}

/** The node state's value under `key` (null when unset). */
export function getState(key: string): JSON.Value {
  const offset = hostGetState(allocate(key).offset);
  if (offset == 0) return new JSON.Null();
  return JSON.parse(new Memory(offset, length(offset)).toString());
}

export function setState(key: string, value: JSON.Value): void {
  hostSetState(allocate(key).offset, allocate(value.stringify()).offset);
}

/** Fails the call with `message`; returns 1 for process() to return. */
export function fail(message: string): i32 {
  error_set(allocate(message).offset);
  return 1;
}

/** Output as UTF-8 (as-pdk's outputString sizes the buffer in UTF-16 units). */
export function writeOutput(text: string): void {
  Host.output(Uint8Array.wrap(String.UTF8.encode(text)));
}

function allocate(text: string): Memory {
  return Memory.allocateBytes(Uint8Array.wrap(String.UTF8.encode(text)));
}

/**
 * AssemblyScript's abort(), wired with `--use abort=lib/actor/actorAbort`: logs the message with
 * its file and line as an error (a trap follows, which loses error_set's text in some hosts).
 */
export function actorAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  let text = message === null ? 'abort' : changetype<string>(message);
  text += ' (' + (fileName === null ? '?' : changetype<string>(fileName)) + ':' + line.toString() + ':' + column.toString() + ')';
  Host.log(LogLevel.Error, text);
  error_set(allocate(text).offset);
}

/** Writes get_metadata's answer. */
export function writeMetadata(component: string, description: string, inports: JSON.Arr, outports: JSON.Arr): i32 {
  const meta = new JSON.Obj();
  meta.set('component', component);
  meta.set('description', description);
  meta.set('inports', inports);
  meta.set('outports', outports);
  writeOutput(meta.stringify());
  return 0;
}

/** A port description for get_metadata. */
export function port(name: string, portType: string, description: string, required: bool): JSON.Obj {
  const p = new JSON.Obj();
  p.set('name', name);
  p.set('port_type', portType);
  p.set('description', description);
  p.set('required', required);
  return p;
}

/** A JSON array of port descriptions. */
export function ports(list: JSON.Obj[]): JSON.Arr {
  const arr = new JSON.Arr();
  for (let i = 0; i < list.length; i++) arr.push(list[i]);
  return arr;
}
