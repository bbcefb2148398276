/**
 * What an idle Silk service costs and how fast it comes up: a child process running a minimal
 * service through `createService` (Nacos config + registration, pino logging) beside a bare
 * Fastify app with the same route, each in its own child Node process (bench/src/idle-service-child.ts).
 *
 * - `start ms`: from spawn to ready — for Silk, until the Nacos instance list (polled every
 *   50 ms over the Open API, as a caller would discover it) shows the child's port; for the bare
 *   app, until it prints that it listens (there is nothing to register).
 * - `RSS MB`: the child's VmRSS from /proc/<pid>/status after it has sat idle 5 s past ready.
 *
 * Both children run TypeScript through tsx's loader (`node --import tsx`), because the SDK ships
 * its sources; the loader's own share (a hooks thread with its own V8 heap, transpiled sources)
 * is in both figures, so the difference between them is Silk's, while the absolute RSS is above
 * what a compiled build would show. A third case runs the bare app as plain JavaScript with no
 * loader, to show that share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@silk/stack/config';
import type { Benchmark, Figures } from '../harness.js';
import { deleteConfig, instancePorts, publishConfig } from '../nacos-open-api.js';

const IDLE_MS = 5000;
const READY_TIMEOUT_MS = 60_000;
const childFile = join(import.meta.dirname, '..', 'idle-service-child.ts');
const service = `silk-bench-idle-${process.pid}`;
const dataId = `${service}.yaml`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = addr && typeof addr === 'object' ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM'); // Silk deregisters from Nacos first, then drains and exits
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Spawns one child, waits until `ready` says so, idles, and reads its RSS. */
async function measure(
  mode: 'silk' | 'bare' | 'bare-js',
  ready: (child: ChildProcess, port: number) => Promise<void>,
): Promise<Figures> {
  const port = await freePort();
  const t0 = performance.now();
  const args =
    mode === 'bare-js'
      ? ['--input-type=module', '-e', bareJs(port)]
      : ['--import', 'tsx', childFile, mode, service, String(port)];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`${mode} child exited (${code}) before ready; stderr: ${stderr}`)),
      ),
    );
    const timeout = sleep(READY_TIMEOUT_MS).then(() => {
      throw new Error(`${mode} child not ready within ${READY_TIMEOUT_MS} ms; stderr: ${stderr}`);
    });
    await Promise.race([ready(child, port), exited, timeout]);
    const startMs = performance.now() - t0;
    await sleep(IDLE_MS);
    return { 'RSS MB': rssMb(child.pid!), 'start ms': startMs };
  } finally {
    await stopChild(child);
  }
}

/** The bare app as plain JavaScript, no loader: shows what tsx itself adds to the figures. */
function bareJs(port: number): string {
  const fastify = pathToFileURL(
    createRequire(join(repoRoot, 'platform-sdk', 'package.json')).resolve('fastify'),
  ).href;
  return [
    `const { default: Fastify } = await import(${JSON.stringify(fastify)});`,
    `const app = Fastify({ logger: false });`,
    `app.get('/hello', () => ({ greeting: 'hello' }));`,
    `await app.listen({ port: ${port}, host: '127.0.0.1' });`,
    `console.log('LISTENING');`,
    `process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));`,
  ].join('\n');
}

async function registered(_child: ChildProcess, port: number): Promise<void> {
  while (!(await instancePorts(service)).includes(port)) await sleep(50);
}

function printsListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('LISTENING\n')) resolve();
    });
  });
}

const bench: Benchmark = {
  name: 'silk-service-idle',
  description:
    'An idle Silk service (createService: Nacos config from a live dataId + Nacos registration + pino ' +
    'logging at info) beside a bare Fastify app with the same route, each in its own child Node process ' +
    'run through tsx. `start ms`: spawn → listed in Nacos (Silk; polled every 50 ms) or spawn → listening ' +
    `(bare Fastify). The plain-JS bare case runs without tsx and shows the loader's share of the ` +
    'tsx cases (Silk ships TypeScript sources, so its service runs under tsx until there is a build). ' +
    `\`RSS MB\`: VmRSS after ${IDLE_MS / 1000} s idle past ready. Prometheus metrics are ` +
    'not built yet, so the Silk figure is without them.',
  runs: 5,
  better: { 'RSS MB': 'lower', 'start ms': 'lower' },
  cases: [
    {
      name: 'bare Fastify (listening)',
      baseline: true,
      run: () => measure('bare', (child) => printsListening(child)),
    },
    {
      // Not a comparison target: the loader's share, to read the tsx cases against.
      name: 'bare Fastify, plain JS without tsx (listening)',
      run: () => measure('bare-js', (child) => printsListening(child)),
    },
    {
      name: 'Silk createService (registered in Nacos)',
      async setup() {
        await publishConfig(dataId, 'greeting: idle\nfeature:\n  enabled: true\n');
      },
      run: () =>
        measure('silk', (child, port) => {
          child.stdout?.resume(); // pino's lines: drained, not kept
          return registered(child, port);
        }),
      async teardown() {
        await deleteConfig(dataId);
      },
    },
  ],
  targets: [
    'Silk idle RSS ≤ 80 MB (with Nacos, logging and metrics on)',
    'start-to-registered: no fixed target',
  ],
};

export default bench;
