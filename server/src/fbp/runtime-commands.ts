// The runtime subprotocol: getruntime (what this runtime is and may do for this client, then the
// exported ports of every graph) and packet (a value into an exported inport of a running graph).
import type { Command, FbpRuntime } from './runtime.ts';
import { FbpError } from './protocol.ts';

export async function runtimeCommand(rt: FbpRuntime, cmd: Command): Promise<void> {
  const { payload } = cmd.request;
  switch (cmd.request.command) {
    case 'getruntime':
      cmd.reply('runtime', rt.runtimeInfo(cmd.permitted));
      if (cmd.permitted.length > 0) for (const graph of rt.graphs.values()) rt.sendPorts(graph, cmd.target);
      return;
    case 'packet': {
      const graph = rt.requireGraph(payload);
      const port = payload.port as string;
      const event = payload.event as string;
      if (event === 'begingroup' || event === 'endgroup') {
        throw new FbpError(`runtime:packet: '${event}' is not supported: Actorflow has no bracket packets; send 'data' events (group a series of values in one array or object instead)`);
      }
      if (event === 'data') {
        if (!graph.session?.started) throw new FbpError(`runtime:packet: graph '${graph.id}' is not running; start it with network:start first`);
        await graph.session.send(port, payload.payload);
      }
      // connect / disconnect carry nothing: acknowledged as they are.
      cmd.reply('packetsent', { port, event, graph: graph.id, ...(payload.payload !== undefined ? { payload: payload.payload } : {}) });
      return;
    }
  }
}
