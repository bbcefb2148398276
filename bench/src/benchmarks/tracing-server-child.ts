/**
 * The server side of the tracing-overhead benchmark, in its own process so the load generator
 * does not share its event loop: a Fastify app with one trivial route, observed by Silk's HTTP
 * server instrumentation (`observeHttpServer`, the hooks `createService` installs).
 *
 *   mode `bare`: no Silk instrumentation at all
 *   mode `off`:  request context + metrics, `management.tracing.enabled=false`
 *   mode `on`:   the same with tracing on, 100 % sampled, batched to Zipkin at argv[3]
 *
 * Prints `LISTENING <port>` when ready; answers any IPC message with its `process.cpuUsage()`.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MeterRegistry, Tracing, observeHttpServer } from '@silk/platform-sdk/observability';
import { repoRoot } from '@silk/stack/config';

type App = Parameters<typeof observeHttpServer>[0];

const [mode = 'on', zipkin = ''] = process.argv.slice(2);
// The bench package does not depend on fastify itself; take the very copy Silk uses.
const fastifyPath = createRequire(join(repoRoot, 'platform-sdk', 'package.json')).resolve('fastify');
const { default: Fastify } = (await import(pathToFileURL(fastifyPath).href)) as {
  default: (opts: { logger: boolean }) => App;
};
const app = Fastify({ logger: false });
if (mode !== 'bare') {
  const tracing = new Tracing({
    serviceName: 'bench-tracing',
    enabled: mode === 'on',
    samplingProbability: 1,
    ...(zipkin ? { zipkinEndpoint: zipkin } : {}),
  });
  observeHttpServer(app, { tracing, meters: new MeterRegistry({ application: 'bench-tracing' }) });
}
app.get('/orders/:id', (req) => ({ id: (req.params as { id: string }).id, status: 'PAID' }));
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
console.log(`LISTENING ${typeof addr === 'object' && addr ? addr.port : 0}`);
// The bench asks for this process's CPU time over IPC: µs of CPU per request is steadier than
// req/s on a machine shared with other work.
process.on('message', () => process.send?.(process.cpuUsage()));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
