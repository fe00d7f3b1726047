// Hostile fixtures for the security corpus. process() runs the attack named by the `attack`
// inport, and behaves when there is none, so the same node can show it still serves afterwards.
// `attack: 'echo'` is harmless: it returns the ActorContext it received (to test the ABI).
import { Host } from '@extism/as-pdk';
import { JSON } from 'assemblyscript-json/assembly';
import { ActorContext, ActorResult, getState, sendOutput, sendOutputRaw, setState, writeOutput } from './lib/actor';

export function process(): i32 {
  const ctx = ActorContext.read();
  const attack = ctx.input('attack');
  const name = attack !== null && attack.isString ? (attack as JSON.Str).valueOf() : '';
  if (name == 'echo') return new ActorResult().output('context', 'Object', JSON.parse(Host.inputString())).write();
  if (name == 'loop') return loop();
  if (name == 'recursion') return i32(fib(60));
  if (name == 'hog') return hog();
  if (name == 'trap') throw new Error('boom');
  if (name == 'oob') return load<i32>(0xfffffff0);
  if (name == 'huge') return huge();
  if (name == 'flood') return flood();
  if (name == 'huge_state') return hugeState();
  if (name == 'garbage') return garbage();
  if (name == 'not_result') return notResult();
  if (name == 'bad_message') return badMessage();
  if (name == 'bad_send') return badSend();
  return new ActorResult().output('ok', 'Boolean', JSON.Value.Bool(true)).write();
}

/** Never returns. */
function loop(): i32 {
  let n: i64 = 0;
  while (true) n++;
  return i32(n);
}

/** Recursion without loops: exponential time. */
function fib(n: i64): i64 {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** Grows its linear memory until something stops it. */
function hog(): i32 {
  const hoard = new Array<Uint8Array>();
  while (true) hoard.push(new Uint8Array(1 << 20));
  return hoard.length;
}

/** Returns 256 KiB of output. */
function huge(): i32 {
  Host.output(new Uint8Array(256 << 10));
  return 0;
}

/** Streams without end through __send_output. */
function flood(): i32 {
  while (true) sendOutput('out', JSON.Value.String('spam spam spam spam spam spam spam spam'));
  return 0;
}

/** Keeps a large value in the node state. */
function hugeState(): i32 {
  setState('blob', JSON.Value.String('x'.repeat(70000)));
  getState('blob');
  return new ActorResult().write();
}

/** Returns text that is not JSON. */
function garbage(): i32 {
  writeOutput('this is not {json');
  return 0;
}

/** Returns JSON that is not an ActorResult. */
function notResult(): i32 {
  writeOutput('[1, 2, 3]');
  return 0;
}

/** Returns outputs that are not Reflow messages. */
function badMessage(): i32 {
  writeOutput('{"outputs": {"out": 42}}');
  return 0;
}

/** Passes __send_output something that is not a port map. */
function badSend(): i32 {
  sendOutputRaw('[1, 2]');
  writeOutput('{"outputs": {}}');
  return 0;
}

/** A second entry point, for tests of entryPoint. */
export function shout(): i32 {
  return new ActorResult().output('out', 'String', JSON.Value.String('HEY')).write();
}
