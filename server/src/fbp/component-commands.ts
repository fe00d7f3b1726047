// The component subprotocol: the registry's components with their ports (list), a component's
// source (getsource: a graph as JSON, a component made over the protocol, or the module a
// component was loaded from) and, when configured, new components from source (source).
import { toGraphJson } from '@actorflow/network';
import { componentPayload, FbpError, splitComponentName } from './protocol.ts';
import type { Command, FbpRuntime } from './runtime.ts';

export async function componentCommand(rt: FbpRuntime, cmd: Command): Promise<void> {
  const { payload } = cmd.request;
  switch (cmd.request.command) {
    case 'list': {
      const components = rt.registry.list();
      for (const info of components) cmd.reply('component', componentPayload(info));
      cmd.reply('componentsready', components.length);
      return;
    }
    case 'getsource': {
      const full = payload.name as string;
      const { library, name } = splitComponentName(full);
      // A graph held by the runtime, named with or without a library prefix (unless a component has that name).
      const graph = rt.graphs.get(full) ?? (rt.registry.has(full) ? undefined : rt.graphs.get(name));
      if (graph) {
        cmd.reply('source', { name, library, language: 'json', code: JSON.stringify(toGraphJson(graph.graph, { form: 'fbp' })) });
        return;
      }
      if (!rt.registry.has(full)) throw new FbpError(rt.registry.unknown(full).message);
      const source = await rt.sources.source(full);
      if (!source) throw new FbpError(`component '${full}' has no source this runtime can show: it was built in code, not loaded from a module file`);
      cmd.reply('source', { name: source.name, library: source.library, language: source.language, code: source.code, ...(source.tests !== undefined ? { tests: source.tests } : {}) });
      return;
    }
    case 'source': {
      const full = await rt.sources.define({
        name: payload.name as string, library: typeof payload.library === 'string' ? payload.library : '',
        language: payload.language as string, code: payload.code as string,
        ...(typeof payload.tests === 'string' ? { tests: payload.tests } : {}),
      });
      cmd.reply('component', componentPayload(rt.registry.info(full)));
      return;
    }
  }
}
