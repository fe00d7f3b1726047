// Example plugin: state through the host. Counts messages on `increment`, `reset` sets it back to 0.
import { JSON } from 'assemblyscript-json/assembly';
import { ActorContext, ActorResult, getState, port, ports, setState, writeMetadata } from './lib/actor';

export function process(): i32 {
  const ctx = ActorContext.read();
  const stored = getState('count');
  let count: i64 = stored.isInteger ? (stored as JSON.Integer).valueOf() : 0;
  if (ctx.has('reset')) count = 0;
  else count += 1;
  setState('count', JSON.Value.Integer(count));
  return new ActorResult().output('count', 'Integer', JSON.Value.Integer(count)).write();
}

export function get_metadata(): i32 {
  return writeMetadata('wasm/Counter', 'Counts messages; reset starts over',
    ports([port('increment', 'Any', 'counts one', false), port('reset', 'Any', 'back to zero', false)]),
    ports([port('count', 'Integer', 'the count so far', false)]));
}
