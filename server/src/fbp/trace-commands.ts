// The trace subprotocol: record a graph's network events (start, stop, clear) and hand the
// recording over as a Flowtrace (dump). Recording may begin before the network starts.
import { TraceRecorder, DEFAULT_TRACE_EVENTS } from './flowtrace.ts';
import { FbpError, RUNTIME_TYPE } from './protocol.ts';
import type { Command, FbpRuntime } from './runtime.ts';

export function traceCommand(rt: FbpRuntime, cmd: Command): void {
  const { payload } = cmd.request;
  const graph = rt.requireGraph(payload);
  if (cmd.request.command === 'start') {
    const buffersize = typeof payload.buffersize === 'number' ? payload.buffersize : DEFAULT_TRACE_EVENTS;
    if (!graph.trace || graph.trace.capacity !== buffersize) graph.trace = new TraceRecorder(buffersize);
    graph.trace.recording = true;
    rt.broadcast('trace', 'start', { graph: graph.id, buffersize: graph.trace.capacity }, cmd.target);
    return;
  }
  const trace = graph.trace;
  if (!trace) throw new FbpError(`trace:${cmd.request.command}: graph '${graph.id}' has no trace; start one with trace:start`);
  switch (cmd.request.command) {
    case 'stop':
      trace.recording = false;
      rt.broadcast('trace', 'stop', { graph: graph.id }, cmd.target);
      return;
    case 'clear':
      trace.clear();
      rt.broadcast('trace', 'clear', { graph: graph.id }, cmd.target);
      return;
    case 'dump': {
      const document = trace.dump(graph.id, graph.graph, { type: RUNTIME_TYPE, label: rt.label, runtime: rt.id });
      cmd.reply('dump', { graph: graph.id, type: 'flowtrace.json', flowtrace: JSON.stringify(document) });
      return;
    }
  }
}
