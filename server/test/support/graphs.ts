// Graph documents for tests, in Reflow's form.

type Conn = [from: string, to: string] | [data: unknown, to: string, 'iip'];

/** A Reflow graph from `node: component` pairs and `a.out -> b.in` connections. */
export function graph(
  processes: Record<string, string | { component: string; metadata: Record<string, unknown> }>,
  connections: Conn[] = [],
  ports: { inports?: Record<string, string>; outports?: Record<string, string> } = {},
  name = 'test',
): Record<string, unknown> {
  const end = (ref: string) => {
    const [nodeId, portId] = ref.split('.');
    return { portName: portId, portId, nodeId, expose: false, portType: { type: 'any' } };
  };
  const exported = (map: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(map).map(([publicName, ref]) => {
      const [nodeId, portName] = ref.split('.');
      return [publicName, { portName, portId: publicName, nodeId, expose: true, portType: { type: 'any' } }];
    }));
  return {
    caseSensitive: false,
    properties: { name },
    processes: Object.fromEntries(Object.entries(processes).map(([id, c]) => [id, typeof c === 'string' ? { id, component: c, metadata: {} } : { id, ...c }])),
    connections: connections.map((c) => (c[2] === 'iip'
      ? { from: { portName: '', portId: '', nodeId: '', expose: false, portType: { type: 'any' } }, to: end(c[1]), data: c[0] }
      : { from: end(c[0] as string), to: end(c[1]), metadata: {} })),
    inports: exported(ports.inports),
    outports: exported(ports.outports),
    groups: [],
  };
}

/** in → Upper → out: three-node shape used by most tests (in/out exported). */
export const upperGraph = () => graph({ a: 'core/Repeat', up: 'test/Upper', b: 'core/Repeat' }, [['a.out', 'up.in'], ['up.out', 'b.in']], { inports: { text: 'a.in' }, outports: { result: 'b.out' } }, 'upper');

/** A run that lasts until cancelled (or `ms`). */
export const waitGraph = (ms = 60_000) => graph({ w: { component: 'test/Wait', metadata: { ms } } }, [['go', 'w.in', 'iip']], { outports: { out: 'w.out' } }, 'wait');
