/**
 * Dubbo RPC throughput and tail latency at 64 calls in flight, one client process and one
 * server process (so each side has a core of this 2-core machine), the same greeting call in
 * each case: TypeMatrixService.greet(User) → User, a POJO with a long beyond 2^53, an enum,
 * a list of POJOs and a map of lists of longs.
 *   - grpc-js unary (baseline): @grpc/grpc-js client and server, the same object as JSON;
 *   - Silk → Silk: DubboReference (failfast, direct address) → DubboProvider over dubbo://
 *     with hessian2;
 *   - Java → Java: Apache Dubbo 3.3.5 consumer (64 threads) → Dubbo 3.3.5 provider
 *     (interop/java/dubbo-app bench-consumer / bench-provider), timed by the Java consumer.
 * Each run: 2 s warm-up, then DURATION_S s timed; calls/s over the timed window, p99 over
 * every timed call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { buildJavaFixture, freePort, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { DubboConsumer, staticProviders, type DubboReference } from '@silk/platform-sdk/dubbo';
import { percentile, type Benchmark, type Figures } from '../harness.js';
import { benchService, sampleJsonUser, sampleUser, type JsonUser } from './dubbo-rpc-shared.js';

const IN_FLIGHT = 64;
const DURATION_S = 6;
const WARMUP_S = 2;
const childFile = join(import.meta.dirname, 'dubbo-rpc-child.ts');

async function startChild(mode: 'silk' | 'grpc'): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', childFile, mode, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (/READY \d+/.test(out)) resolve();
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code}): ${out}`)));
  });
  return { child, port };
}

function stopChild(c: ChildProcess | undefined): void {
  if (c && c.exitCode === null) c.kill('SIGKILL');
}

/** `IN_FLIGHT` loops calling `call` for warm-up, then for the timed window. */
async function closedLoop(call: () => Promise<unknown>): Promise<Figures> {
  const loop = async (until: number, lat: number[] | undefined) => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await call();
      lat?.push(performance.now() - t0);
    }
  };
  const warmEnd = performance.now() + WARMUP_S * 1000;
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => loop(warmEnd, undefined)));
  const lat: number[] = [];
  const start = performance.now();
  const end = start + DURATION_S * 1000;
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => loop(end, lat)));
  const secs = (performance.now() - start) / 1000;
  return { 'calls/s': lat.length / secs, 'p50 ms': percentile(lat, 50), 'p99 ms': percentile(lat, 99) };
}

let grpcServer: ChildProcess | undefined;
let grpcClient: grpc.Client | undefined;
let silkServer: ChildProcess | undefined;
let consumer: DubboConsumer | undefined;
let silkRef: DubboReference | undefined;
let jar = '';
let javaProvider: JavaProcess | undefined;
let javaPort = 0;

const json = {
  serialize: (v: JsonUser) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString()) as JsonUser,
};

const bench: Benchmark = {
  name: 'dubbo-rpc',
  description:
    `Calls per second and latency at ${IN_FLIGHT} calls in flight, client and server in separate ` +
    `processes, the same greet(User) → User call: grpc-js unary (JSON body) beside Silk → Silk ` +
    `over dubbo:// + hessian2 and Apache Dubbo 3.3.5 Java → Java. ${WARMUP_S} s warm-up, ` +
    `${DURATION_S} s timed per run.`,
  runs: 3,
  better: { 'calls/s': 'higher', 'p50 ms': 'lower', 'p99 ms': 'lower' },
  targets: [
    'Silk → Silk ≥ 4× grpc-js calls/s, with p99 ≤ ¼ of grpc-js p99',
    'Silk → Silk ≥ 0.7× Java Dubbo → Java Dubbo calls/s',
  ],
  cases: [
    {
      name: 'grpc-js unary',
      baseline: true,
      async setup() {
        const s = await startChild('grpc');
        grpcServer = s.child;
        grpcClient = new grpc.Client(`127.0.0.1:${s.port}`, grpc.credentials.createInsecure());
      },
      run() {
        const client = grpcClient!;
        return closedLoop(
          () =>
            new Promise((resolve, reject) =>
              client.makeUnaryRequest(
                '/silk.bench.TypeMatrixService/Greet',
                json.serialize,
                json.deserialize,
                sampleJsonUser,
                (e, v) => (e ? reject(e) : resolve(v)),
              ),
            ),
        );
      },
      teardown() {
        grpcClient?.close();
        stopChild(grpcServer);
      },
    },
    {
      name: 'Silk → Silk (dubbo + hessian2)',
      async setup() {
        const s = await startChild('silk');
        silkServer = s.child;
        consumer = new DubboConsumer({
          discovery: staticProviders([`127.0.0.1:${s.port}`]),
          heartbeat: 0,
          timeout: 5000,
          cluster: 'failfast',
        });
        silkRef = consumer.reference(benchService);
      },
      run() {
        const ref = silkRef!;
        return closedLoop(() => ref.invoke('greet', [sampleUser]));
      },
      async teardown() {
        await consumer?.stop();
        stopChild(silkServer);
      },
    },
    {
      name: 'Java Dubbo 3.3.5 → Java Dubbo 3.3.5',
      async setup() {
        jar = buildJavaFixture('dubbo-app', 'dubbo-app.jar');
        javaPort = await freePort();
        javaProvider = spawnJava(jar, ['bench-provider', String(javaPort)]);
        await javaProvider.waitForOutput(/READY \d+/, 120_000);
      },
      async run() {
        const c = spawnJava(jar, ['bench-consumer', String(javaPort), String(DURATION_S), String(IN_FLIGHT)]);
        const m = await c.waitForOutput(
          /BENCH calls=\d+ seconds=[\d.]+ rate=([\d.]+) p50=([\d.]+) p99=([\d.]+)/,
          120_000,
        );
        await c.stop(5000);
        return { 'calls/s': Number(m[1]), 'p50 ms': Number(m[2]), 'p99 ms': Number(m[3]) };
      },
      async teardown() {
        await javaProvider?.stop(5000);
      },
    },
  ],
};

export default bench;
