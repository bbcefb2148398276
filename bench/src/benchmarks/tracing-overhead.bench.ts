/**
 * What tracing costs a simple HTTP route: requests per second of the same Fastify route with
 * Silk's server instrumentation, tracing off (request context and Micrometer timers only) and
 * tracing on at 100 % sampling with every span batched to a Zipkin endpoint; plus the bare
 * route with no instrumentation for scale. Each server is its own child process
 * (tracing-server-child.ts, run through tsx); the load comes from this process over 32
 * keep-alive connections (node:http Agent); the Zipkin receiver is a third process that
 * counts and discards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import type { BenchCase, Benchmark, Figures } from '../harness.js';

const LOAD_MS = 4000;
const WARMUP_MS = 1000;
const CONNECTIONS = 32;
const childFile = join(import.meta.dirname, 'tracing-server-child.ts');

// The Zipkin receiver runs in a process of its own: parsing span batches on the load
// generator's event loop would slow the load for the traced case alone.
const RECEIVER = `
const { createServer } = require('node:http');
let spans = 0;
const srv = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => { spans += JSON.parse(body || '[]').length; res.writeHead(202).end(); });
});
srv.listen(0, '127.0.0.1', () => console.log('LISTENING ' + srv.address().port));
process.on('message', () => process.send(spans));
`;
let zipkin: ChildProcess | undefined;
let zipkinUrl = '';

function waitListening(child: ChildProcess, what: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}`)));
  });
}

async function startZipkin(): Promise<void> {
  if (zipkin) return;
  zipkin = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  zipkinUrl = `http://127.0.0.1:${await waitListening(zipkin, 'zipkin receiver')}/api/v2/spans`;
}

function ask<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send('?');
  });
}

interface Target {
  port: number;
  agent: Agent;
}

function get(t: Target, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, path, agent: t.agent }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(t: Target, ms: number): Promise<number> {
  let done = 0;
  const until = performance.now() + ms;
  const worker = async () => {
    for (let i = 0; performance.now() < until; i++) {
      await get(t, `/orders/${i % 100}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return done;
}

function serverCase(name: string, mode: 'bare' | 'off' | 'on', baseline = false): BenchCase {
  let child: ChildProcess | undefined;
  let target: Target | undefined;
  return {
    name,
    baseline,
    async setup() {
      await startZipkin();
      child = spawn(process.execPath, ['--import', 'tsx', childFile, mode, zipkinUrl], {
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      const port = await waitListening(child, `${name} server`);
      target = { port, agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }) };
      await load(target, WARMUP_MS);
    },
    async run(): Promise<Figures> {
      const before = mode === 'on' ? await ask<number>(zipkin!) : 0;
      const cpu0 = await ask<NodeJS.CpuUsage>(child!);
      const started = performance.now();
      const n = await load(target!, LOAD_MS);
      const secs = (performance.now() - started) / 1000;
      const cpu1 = await ask<NodeJS.CpuUsage>(child!);
      const figures: Figures = {
        'req/s': n / secs,
        'server CPU µs/req': (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / n,
      };
      if (mode === 'on') figures['spans/req'] = ((await ask<number>(zipkin!)) - before) / n;
      return figures;
    },
    async teardown() {
      target?.agent.destroy();
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child!.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (zipkin && zipkin.exitCode === null) {
        zipkin.kill('SIGTERM');
        zipkin = undefined;
      }
    },
  };
}

const bench: Benchmark = {
  name: 'tracing-overhead',
  description:
    'Requests per second of one Fastify route (`GET /orders/:id`, JSON reply) under 32 keep-alive ' +
    `connections for ${LOAD_MS / 1000} s per run, the server in its own process (tsx): bare; Silk's ` +
    'HTTP instrumentation with tracing off (request context + http_server_requests timer); and ' +
    'the same with tracing on, sampled at 100 %, spans batched to a Zipkin endpoint in a process of its own ' +
    '(received, counted, discarded). `spans/req` counts what reached Zipkin during the run ' +
    '(batching makes it lag a little behind the requests). `server CPU µs/req` is the server ' +
    "process's CPU time (user + system) per request over the run: on a machine shared with other " +
    'work it is the steadier of the two figures.',
  runs: 5,
  better: { 'req/s': 'higher', 'server CPU µs/req': 'lower', 'spans/req': 'higher' },
  cases: [
    serverCase('tracing off (context + metrics)', 'off', true),
    serverCase('tracing on, 100 % sampled, Zipkin export', 'on'),
    serverCase('bare Fastify, no instrumentation', 'bare'),
  ],
  targets: [
    'tracing on (100 % sampled) ≥ 0.90 × the req/s of tracing off',
    'equivalently, server CPU µs/req of tracing on ≤ 1.11 × that of tracing off',
  ],
};

export default bench;
