// Time components: delays, emitters on an interval or a cron schedule, throttling and debouncing.
export { Delay } from './delay.ts';
export { Interval, Cron } from './sources.ts';
export { Throttle, Debounce } from './rate.ts';
