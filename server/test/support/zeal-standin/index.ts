// The Zeal stand-in and its test material (test support, not product code).
export { ZealStandIn, type StandInWorkflow, type StandInFaults, type RecordedMessage, type RecordedRequest, type TraceSessionRecord } from './standin.ts';
export { ZealObserver, type Observed } from './observer.ts';
export * from './fixtures.ts';
