/**
 * CPU per call of each Silk process in the dubbo-rpc benchmark's Silk → Silk case, a steadier
 * figure than calls/s on a shared machine: the consumer's (this process, process.cpuUsage)
 * and the provider's (the child, from /proc/<pid>/stat) user+system CPU over the timed window,
 * divided by the calls made in it. `PROFILE=1` also writes both processes' V8 CPU profiles
 * to /tmp/dubbo-rpc-cpu/.
 *
 *   node --import tsx bench/src/benchmarks/dubbo-rpc-cpu.ts [seconds]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@silk/stack/java-fixture';
import { DubboConsumer, staticProviders } from '@silk/platform-sdk/dubbo';
import { percentile } from '../harness.js';
import { benchService, sampleUser } from './dubbo-rpc-shared.js';

const IN_FLIGHT = 64;
const seconds = Number(process.argv[2] ?? 6);
const profileDir = process.env.PROFILE === '1' ? '/tmp/dubbo-rpc-cpu' : undefined;
const profileArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];

const port = await freePort();
// The child exits on SIGTERM through process.exit, so that a CPU profile gets written.
const child = spawn(
  process.execPath,
  [
    ...profileArgs,
    '--import',
    'tsx',
    '--eval',
    `process.on('SIGTERM', () => process.exit(0)); process.argv.splice(1, Infinity, 'dubbo-rpc-child', 'silk', '${port}'); await import(${JSON.stringify(join(import.meta.dirname, 'dubbo-rpc-child.ts'))});`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise<void>((resolve) =>
  child.stdout.on('data', (d: Buffer) => /READY/.test(String(d)) && resolve()),
);

/** The child's user+system CPU in µs (clock ticks of 10 ms). */
function childCpuUs(): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const consumer = new DubboConsumer({
  discovery: staticProviders([`127.0.0.1:${port}`]),
  heartbeat: 0,
  timeout: 5000,
  cluster: 'failfast',
});
const ref = consumer.reference(benchService);
async function loop(ms: number, lat?: number[]): Promise<void> {
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await ref.invoke('greet', [sampleUser]);
        lat?.push(performance.now() - t0);
      }
    }),
  );
}

await loop(2000);
const lat: number[] = [];
const cpu0 = process.cpuUsage();
const child0 = childCpuUs();
const t0 = performance.now();
await loop(seconds * 1000, lat);
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const childUs = childCpuUs() - child0;
const n = lat.length;
console.log(
  JSON.stringify({
    'calls/s': Math.round(n / secs),
    'p50 ms': Number(percentile(lat, 50).toFixed(2)),
    'p99 ms': Number(percentile(lat, 99).toFixed(2)),
    'consumer CPU µs/call': Number(((cpu.user + cpu.system) / n).toFixed(1)),
    'provider CPU µs/call': Number((childUs / n).toFixed(1)),
  }),
);
await consumer.stop();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
