// Emitters: time/Interval (every N ms) and time/Cron (on a cron schedule, with croner). Each is a
// long-running source: it keeps the network running until it has sent `count` / `maxRuns`
// packets, or the network stops.
import { defineActor, type ActorContext } from '@actorflow/network';
import { Cron as CronJob } from 'croner';
import { configError } from '../transform/errors.ts';

/** A tick: what the emitters send (unless a fixed `payload` is configured). */
export interface Tick {
  /** 1-based number of this tick. */
  count: number;
  /** When it fired (ISO 8601). */
  firedAt: string;
}

function tick(ctx: ActorContext<any>, count: number): unknown {
  return ctx.config.payload !== undefined ? ctx.config.payload : { count, firedAt: new Date().toISOString() } satisfies Tick;
}

/** Resolves after `ms`, or at once when `signal` aborts (then returns false). */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve(true);
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}

const PAYLOAD = { description: 'Value sent on each tick (default: `{ count, firedAt }`)' } as const;

export const Interval = defineActor({
  name: 'time/Interval',
  description: 'Sends a tick every `intervalMs` (the first one at once with `immediate`), `count` times or until the network stops.',
  category: 'time',
  icon: 'clock',
  outports: { out: { description: 'A tick: `{ count, firedAt }` or the configured payload' } },
  config: {
    type: 'object',
    examples: [{ intervalMs: 1000, count: 10 }],
    required: ['intervalMs'],
    properties: {
      intervalMs: { type: 'integer', minimum: 1, description: 'Time between ticks, in milliseconds' },
      count: { type: 'integer', minimum: 1, description: 'Ticks to send before stopping (default: no limit)' },
      immediate: { type: 'boolean', default: false, description: 'Send the first tick at once instead of after one interval' },
      payload: PAYLOAD,
    },
  },
  async run(ctx) {
    const { intervalMs, count, immediate } = ctx.config as { intervalMs: number; count?: number; immediate: boolean };
    const start = Date.now();
    for (let n = 1; count === undefined || n <= count; n++) {
      // Scheduled against the start time, so ticks do not drift with processing time.
      const due = start + (immediate ? n - 1 : n) * intervalMs;
      if (!(await wait(Math.max(0, due - Date.now()), ctx.signal))) return;
      if (!ctx.emit('out', tick(ctx, n))) await ctx.drained();
    }
  },
});

export const Cron = defineActor({
  name: 'time/Cron',
  description: 'Sends a tick on a cron schedule (croner syntax: 5 fields, or 6 with seconds first; `@hourly` style names), '
    + 'in `timezone`, `maxRuns` times or until the network stops.',
  category: 'time',
  icon: 'calendar-clock',
  outports: { out: { description: 'A tick: `{ count, firedAt }` or the configured payload' } },
  config: {
    type: 'object',
    examples: [{ pattern: '0 */5 * * * *', timezone: 'Europe/Amsterdam' }],
    required: ['pattern'],
    properties: {
      pattern: {
        type: 'string',
        pattern: '^(@(yearly|annually|monthly|weekly|daily|hourly))$|^\\S+(\\s+\\S+){4,6}$',
        description: 'Cron pattern, e.g. `*/5 * * * *` (every 5 minutes) or `*/2 * * * * *` (every 2 seconds)',
      },
      timezone: { type: 'string', minLength: 1, description: 'IANA time zone the pattern is read in (default: the server\'s)' },
      maxRuns: { type: 'integer', minimum: 1, description: 'Ticks to send before stopping (default: no limit)' },
      payload: PAYLOAD,
    },
  },
  setup(ctx) {
    // croner checks the pattern (ranges, names) and the time zone; a mistake fails the start with the reason.
    try {
      new CronJob(ctx.config.pattern as string, { paused: true, ...(ctx.config.timezone ? { timezone: ctx.config.timezone as string } : {}) }).stop();
    } catch (error) {
      throw configError(ctx, 'pattern', `not a valid schedule: ${(error as Error).message}`, 'use 5 fields (minute hour day month weekday) or 6 with seconds first, e.g. "0 */2 * * *"', error);
    }
  },
  run(ctx) {
    const { pattern, timezone, maxRuns } = ctx.config as { pattern: string; timezone?: string; maxRuns?: number };
    return new Promise<void>((resolve) => {
      let count = 0;
      const job = new CronJob(pattern, { ...(timezone ? { timezone } : {}), ...(maxRuns ? { maxRuns } : {}), protect: true }, () => {
        count++;
        ctx.emit('out', tick(ctx, count));
        if (maxRuns !== undefined && count >= maxRuns) finish();
      });
      const finish = () => {
        job.stop();
        ctx.signal.removeEventListener('abort', finish);
        resolve();
      };
      ctx.signal.addEventListener('abort', finish, { once: true });
      if (job.nextRun() === null) finish();
    });
  },
});
