// Debug components: structured logs and packet descriptions, through the network's events.
export { Log, Inspect } from './log.ts';
