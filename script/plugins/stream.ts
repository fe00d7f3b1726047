// Example plugin: streaming. Sends each word of `text` on `word` as it goes, then the count on `count`.
import { JSON } from 'assemblyscript-json/assembly';
import { ActorContext, ActorResult, fail, port, ports, sendOutput, writeMetadata } from './lib/actor';

export function process(): i32 {
  const ctx = ActorContext.read();
  const text = ctx.input('text');
  if (text === null || !text.isString) return fail('stream: inport text needs a string');
  const words = (text as JSON.Str).valueOf().split(' ');
  let count: i64 = 0;
  for (let i = 0; i < words.length; i++) {
    if (words[i].length == 0) continue;
    sendOutput('word', JSON.Value.String(words[i]));
    count++;
  }
  return new ActorResult().output('count', 'Integer', JSON.Value.Integer(count)).write();
}

export function get_metadata(): i32 {
  return writeMetadata('wasm/Words', 'Streams the words of a text, then their count',
    ports([port('text', 'String', 'the text to split', true)]),
    ports([port('word', 'String', 'one word per message', false), port('count', 'Integer', 'how many words', false)]));
}
