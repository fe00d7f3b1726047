// debug/Log and debug/Inspect: structured logging of packets through the network's events
// (each line is an ActorLog event: actorId, level, message, data).
import { defineActor, type LogLevel } from '@actorflow/network';
import type { CompiledTemplate } from '@actorflow/script';
import { ERROR_PORT, evaluationError } from '../transform/errors.ts';
import { compileTemplate, expressionEngine } from '../transform/expressions.ts';
import { summarize } from './summary.ts';

interface LogState {
  message?: CompiledTemplate;
}

export const Log = defineActor({
  name: 'debug/Log',
  description: 'Logs each packet as an ActorLog event (level, message, data) and forwards it unchanged. The message is a template '
    + 'over `data` (default: a summary of the packet); the event data is the packet or its summary (type, size, preview).',
  category: 'debug',
  icon: 'scroll-text',
  inports: { in: { description: 'Any packet', required: true } },
  outports: { out: { description: 'The same packet' }, error: ERROR_PORT },
  config: {
    type: 'object',
    examples: [{ level: 'info', message: 'order ${data.id}: ${data.status}' }],
    properties: {
      level: { enum: ['debug', 'info', 'warn', 'error'], default: 'info', description: 'Log level' },
      message: { type: 'string', minLength: 1, description: 'Template of the log message over `data`, e.g. `order ${data.id}: ${data.status}`' },
      data: { enum: ['summary', 'value', 'none'], default: 'summary', description: 'Event data: a summary of the packet, the packet itself, or nothing' },
    },
  },
  state: (): LogState => ({}),
  async setup(ctx) {
    if (ctx.config.message !== undefined) ctx.state.message = compileTemplate(await expressionEngine(), ctx, 'message', ctx.config.message as string);
  },
  process(input, ctx) {
    const value = input.in;
    const summary = ctx.config.data !== 'value' || ctx.state.message === undefined ? summarize(value, 120) : undefined;
    let message: string;
    try {
      message = ctx.state.message ? ctx.state.message({ data: value }) : `${summary!.type} (${summary!.size} B): ${typeof summary!.preview === 'string' ? summary!.preview : JSON.stringify(summary!.preview)}`;
    } catch (error) {
      throw evaluationError('message template', error);
    }
    const data = ctx.config.data === 'value' ? value : ctx.config.data === 'summary' ? summary : undefined;
    ctx.log[ctx.config.level as LogLevel](message, data);
    ctx.emit('out', value);
  },
});

export const Inspect = defineActor({
  name: 'debug/Inspect',
  description: 'Describes each packet — type, size, length, first keys and a bounded preview — on `info` (and as a debug ActorLog), '
    + 'and forwards the packet unchanged on `out`.',
  category: 'debug',
  icon: 'search',
  inports: { in: { description: 'Any packet', required: true } },
  outports: {
    out: { description: 'The same packet' },
    info: { type: 'object', description: '`{ type, size, length?, keys?, preview }`' },
  },
  config: {
    type: 'object',
    examples: [{ maxPreview: 200 }],
    properties: { maxPreview: { type: 'integer', minimum: 0, maximum: 100_000, default: 200, description: 'Longest preview text, in characters' } },
  },
  process(input, ctx) {
    const summary = summarize(input.in, ctx.config.maxPreview as number);
    ctx.log.debug(`${summary.type}, ${summary.size} B`, summary);
    ctx.emit('info', summary);
    ctx.emit('out', input.in);
  },
});
