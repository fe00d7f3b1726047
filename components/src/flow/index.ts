// Flow control components: routing, iteration, gating, combining and grouping packets.
export { Branch } from './branch.ts';
export { Switch } from './switch.ts';
export { Loop } from './loop.ts';
export { Gate } from './gate.ts';
export { Merge, Zip, Join } from './combine.ts';
export { Split } from './split.ts';
export { Batch, Window } from './windows.ts';
