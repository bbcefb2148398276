/**
 * Requests per second and p99 through the Silk gateway beside what it competes with, all
 * against the same upstream (a node:http server answering a small JSON body), each in its own
 * process, loaded by `wrk -t1 -c50` for 5 s per run:
 *
 * - direct: wrk straight to the upstream;
 * - bare proxy (baseline): node:http + one undici Pool, the least a Node proxy can do;
 * - silk gateway: Fastify + the gateway, one `lb://` route with three filters (StripPrefix,
 *   AddRequestHeader, AddResponseHeader) and one Sentinel gateway flow rule; simple requests
 *   read off the socket by the raw front (gateway/src/front/raw-front.ts);
 * - silk gateway, node:http parsing: the same with the raw front off (`front: 'node'`), which
 *   shows what the front saves in the same run;
 * - nginx: `proxy_pass` to the upstream with keep-alive upstream connections, one worker.
 *
 * `RSS MB` is the gateway process' VmRSS right after a run. Needs `wrk` and `nginx` on PATH
 * (`apt-get install wrk nginx-light`); the Node processes run TypeScript through tsx.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@silk/stack/config';
import type { Benchmark, Figures } from '../harness.js';

const child = join(repoRoot, 'gateway', 'src', 'bench-child.ts');
const DURATION = '5s';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function startChild(args: string[]): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
    cwd: join(repoRoot, 'gateway'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${args[0]} did not start in 30 s`)), 30_000);
    p.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) {
        clearTimeout(t);
        resolve(p);
      }
    });
    p.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

/** Runs wrk against `url`; returns req/s and p99 ms from its --latency report. */
export function wrk(url: string): Figures {
  const r = spawnSync('wrk', ['-t1', '-c50', `-d${DURATION}`, '--latency', url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed (is it installed? apt-get install wrk): ${r.stderr || String(r.error)}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1];
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(r.stdout);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1];
  const total = /(\d+) requests in/.exec(r.stdout)?.[1];
  if (rps === undefined || p99 === null) throw new Error(`cannot read wrk's output:\n${r.stdout}`);
  if (errors !== undefined) throw new Error(`${errors} failed responses from ${url}`);
  return { 'req/s': Number(rps), 'p99 ms': Number(p99[1]) * UNIT_MS[p99[2]!]!, requests: Number(total) };
}

/** CPU time (user + system) a process has used, in microseconds, from /proc/<pid>/stat. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks.
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
}

/**
 * wrk figures plus the proxy process' CPU microseconds per request: on a machine shared with
 * other work, req/s swings with the neighbours, CPU per request much less.
 */
function measured(url: string, pid: number): Figures {
  const before = cpuMicros(pid);
  const { requests, ...figures } = wrk(url);
  return { ...figures, 'CPU µs/req': (cpuMicros(pid) - before) / requests! };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const withoutCount = ({ requests: _n, ...f }: Figures): Figures => f;

const procs: ChildProcess[] = [];
let upstreamPort = 0;
let barePort = 0;
let gatewayPort = 0;
let gatewayPid = 0;
let barePid = 0;
let gatewayHttpPort = 0;
let gatewayHttpPid = 0;
let nginxPort = 0;
let nginxDir = '';

function nginxConf(dir: string): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${nginxPort};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

async function startAll(): Promise<void> {
  if (upstreamPort !== 0) return;
  upstreamPort = await freePort();
  procs.push(await startChild(['upstream', String(upstreamPort)]));
  barePort = await freePort();
  const bare = await startChild(['bare', String(barePort), String(upstreamPort)]);
  barePid = bare.pid!;
  procs.push(bare);
  gatewayPort = await freePort();
  const gw = await startChild(['gateway', String(gatewayPort), String(upstreamPort)]);
  gatewayPid = gw.pid!;
  procs.push(gw);
  gatewayHttpPort = await freePort();
  const gwHttp = await startChild(['gateway-node', String(gatewayHttpPort), String(upstreamPort)]);
  gatewayHttpPid = gwHttp.pid!;
  procs.push(gwHttp);
  nginxPort = await freePort();
  nginxDir = mkdtempSync(join(tmpdir(), 'silk-bench-nginx-'));
  writeFileSync(join(nginxDir, 'nginx.conf'), nginxConf(nginxDir));
  const nginx = spawn('nginx', ['-c', join(nginxDir, 'nginx.conf'), '-p', nginxDir], { stdio: 'ignore' });
  procs.push(nginx);
  await new Promise((r) => setTimeout(r, 500));
  if (nginx.exitCode !== null) throw new Error(`nginx exited (${nginx.exitCode}); see ${nginxDir}/error.log`);
}

function stopAll(): void {
  for (const p of procs.splice(0)) p.kill('SIGTERM');
  upstreamPort = 0;
}

const bench: Benchmark = {
  name: 'gateway-throughput',
  description:
    'wrk -t1 -c50 -d5s against one upstream (node:http, small JSON body): direct; a bare node:http + undici ' +
    'Pool proxy (baseline); the Silk gateway on Fastify with one lb:// route, three filters and one Sentinel ' +
    'gateway rule (simple requests read by its raw front; once more with the front off); nginx proxy_pass ' +
    'with keep-alive upstreams (1 worker). Each server is its own process; Node ones run under tsx. CPU µs/req: user+system CPU of the proxy process per request (steadier than req/s on a ' +
    'shared machine). RSS MB: the gateway process after its run.',
  runs: 3,
  better: { 'req/s': 'higher', 'p99 ms': 'lower', 'CPU µs/req': 'lower', 'RSS MB': 'lower' },
  targets: [
    'silk gateway ≥ 1.3× the bare proxy in req/s, and p99 no worse than the bare proxy',
    "silk gateway ≥ 40% of nginx's req/s",
    'gateway RSS ≤ 150 MB under load',
  ],
  cases: [
    { name: 'bare node:http + undici Pool', baseline: true, setup: startAll, run: () => measured(`http://127.0.0.1:${barePort}/hello`, barePid) },
    {
      name: 'silk gateway',
      setup: startAll,
      run: () => ({ ...measured(`http://127.0.0.1:${gatewayPort}/svc/hello`, gatewayPid), 'RSS MB': rssMb(gatewayPid) }),
    },
    {
      name: 'silk gateway, node:http parsing (no raw front)',
      setup: startAll,
      run: () => ({ ...measured(`http://127.0.0.1:${gatewayHttpPort}/svc/hello`, gatewayHttpPid), 'RSS MB': rssMb(gatewayHttpPid) }),
    },
    { name: 'nginx proxy_pass', setup: startAll, run: () => withoutCount(wrk(`http://127.0.0.1:${nginxPort}/hello`)) },
    { name: 'direct to upstream', setup: startAll, teardown: stopAll, run: () => withoutCount(wrk(`http://127.0.0.1:${upstreamPort}/hello`)) },
  ],
};

export default bench;
