// The network subprotocol: start, stop and watch the network of a graph. A started network is a
// run of the server's engine (see network-session.ts); its state frames (started, status, stopped)
// go to every client, the one who asked getting them as its reply.
import type { HostedGraph } from './hosted-graph.ts';
import { NetworkSession } from './network-session.ts';
import { edgeId } from './protocol.ts';
import type { Command, FbpRuntime } from './runtime.ts';

function status(graph: HostedGraph): { graph: string; running: boolean; started: boolean } {
  return { graph: graph.id, running: graph.session?.running ?? false, started: graph.started };
}

export async function networkCommand(rt: FbpRuntime, cmd: Command): Promise<void> {
  const { payload } = cmd.request;
  const graph = rt.requireGraph(payload);
  switch (cmd.request.command) {
    case 'start': {
      if (graph.started) {
        cmd.reply('started', { time: new Date().toISOString(), ...status(graph) });
        return;
      }
      const session = new NetworkSession({
        engine: rt.engine, graphId: graph.id, graph: graph.graph, sink: graph, timeoutMs: rt.limits.runTimeoutMs, request: cmd.target,
      });
      graph.session = session;
      await session.submitted;
      return;
    }
    case 'stop':
      if (graph.started) await graph.session!.stop(cmd.target);
      else cmd.reply('stopped', { time: new Date().toISOString(), ...status(graph) });
      return;
    case 'getstatus':
      cmd.reply('status', status(graph));
      return;
    case 'debug':
      graph.debug = payload.enable as boolean;
      cmd.reply('status', { ...status(graph), debug: graph.debug });
      return;
    case 'edges': {
      const edges = payload.edges as { src: { node: string; port: string; index?: number }; tgt: { node: string; port: string; index?: number } }[];
      graph.watchedEdges = new Set(edges.map((e) => edgeId(e.src, e.tgt)));
      cmd.reply('edges', { graph: graph.id, edges });
      return;
    }
  }
}
