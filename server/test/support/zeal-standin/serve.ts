// Runs the Zeal stand-in as its own process (for benchmarks, or to try the bridge by hand):
//   node server/test/support/zeal-standin/serve.ts [workflowId ...]
// Prints one JSON line `{"restUrl": …, "zipUrl": …}` once listening; stops on SIGINT or SIGTERM.
import { ZealStandIn } from './standin.ts';

const ids = process.argv.slice(2);
const zeal = await ZealStandIn.start((ids.length ? ids : ['wf-demo']).map((id) => ({ id, name: id })));
process.stdout.write(`${JSON.stringify({ restUrl: zeal.restUrl, zipUrl: zeal.zipUrl })}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void zeal.close().then(() => process.exit(0)));
