/**
 * The processes `bench/src/benchmarks/gateway-throughput.bench.ts` measures, one per mode, each
 * printing `listening <port>` when ready (it lives here so it resolves the gateway's own
 * dependencies):
 *
 *   upstream <port>            node:http answering a small JSON body
 *   bare <port> <upstream>     node:http + one undici Pool, piping each request to the upstream
 *   gateway <port> <upstream>  the Silk gateway on Fastify: one lb:// route (discovery answers
 *                              the upstream from memory, as NacosDiscovery does from its cache),
 *                              three filters and one Sentinel gateway rule; simple requests
 *                              read by the raw front (front/raw-front.ts)
 *   gateway-node <port> <up>   the same with the raw front off: node:http parses every request
 */
import { createServer } from 'node:http';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { Gateway } from './gateway.js';
import { registerGateway } from './fastify-adapter.js';

const [mode, portText, upstreamText] = process.argv.slice(2);
const port = Number(portText);
const upstreamPort = Number(upstreamText);
const body = JSON.stringify({ service: 'bench-upstream', ok: true });

// A normal exit on SIGINT/SIGTERM, so `--cpu-prof` can write its profile.
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

function listening(): void {
  console.log(`listening ${port}`);
}

if (mode === 'upstream') {
  createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }).listen(port, '127.0.0.1', listening);
} else if (mode === 'bare') {
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { connections: 128 });
  createServer((req, res) => {
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    pool.stream({ path: req.url ?? '/', method: 'GET', headers }, ({ statusCode, headers: h }) => {
      res.writeHead(statusCode, h as Record<string, string>);
      return res;
    }).catch(() => res.destroy());
  }).listen(port, '127.0.0.1', listening);
} else if (mode === 'gateway' || mode === 'gateway-node') {
  const instance = {
    instanceId: 'bench',
    serviceName: 'bench-upstream',
    ip: '127.0.0.1',
    port: upstreamPort,
    weight: 1,
    healthy: true,
    enabled: true,
    clusterName: 'DEFAULT',
    metadata: {},
  };
  const gateway = new Gateway({ discovery: { choose: () => Promise.resolve(instance) } });
  gateway.load(`
spring.cloud.gateway.routes:
  - id: bench
    uri: lb://bench-upstream
    predicates:
      - Path=/svc/**
    filters:
      - StripPrefix=1
      - AddRequestHeader=X-Silk-Gateway, bench
      - AddResponseHeader=X-Route, bench
`);
  gateway.flow.loadRules([{ resource: 'bench', count: 1_000_000_000 }]);
  const app = Fastify({ logger: false });
  await registerGateway(app, gateway, { front: mode === 'gateway' ? 'raw' : 'node' });
  await app.listen({ port, host: '127.0.0.1' });
  listening();
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
