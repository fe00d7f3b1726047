// Example plugin: a stateless transform. out = value * factor (factor from the node config, default 2).
import { JSON } from 'assemblyscript-json/assembly';
import { ActorContext, ActorResult, fail, port, ports, writeMetadata } from './lib/actor';

export function process(): i32 {
  const ctx = ActorContext.read();
  const value = ctx.input('value');
  if (value === null || !(value.isInteger || value.isFloat)) return fail('multiply: inport value needs a number');
  const factor = ctx.configNumber('factor', 2);
  return new ActorResult().output('out', 'Float', JSON.Value.Float(ctx.number('value', 0) * factor)).write();
}

export function get_metadata(): i32 {
  return writeMetadata('wasm/Multiply', 'Multiplies a number by config.factor (default 2)',
    ports([port('value', 'Float', 'the number to multiply', true)]),
    ports([port('out', 'Float', 'value * factor', false)]));
}
