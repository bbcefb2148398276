/**
 * The child process of the `silk-service-idle` benchmark: `node --import tsx idle-service-child.ts
 * <silk|bare> <name> <port>`, or compiled: `node --conditions=silk-dist bench/dist/idle-service-child.js
 * silk <name> <port>`, where `@silk/platform-sdk` resolves to its tsc build (platform-sdk/dist).
 * So that the compiled form needs no TypeScript of its own, it imports nothing from the
 * workspace but the SDK and takes the Nacos address and user from the environment
 * (SILK_BENCH_NACOS_ADDR, SILK_BENCH_NACOS_USERNAME, SILK_BENCH_NACOS_PASSWORD).
 *
 * - `silk`: a minimal Silk service through `createService` — Nacos config (typed, live) and
 *   registration on, pino logging at info to stdout, one route — exactly what a service's
 *   `main.ts` does. Stops (deregistering first) on SIGTERM through the starter's own handler.
 * - `bare`: the same route on a bare Fastify app with its logger off, printing `LISTENING` once
 *   it listens; the baseline.
 */
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigSchema } from '@silk/platform-sdk/config';

// bench/src or bench/dist, two levels below the repository root either way.
const repoRoot = join(import.meta.dirname, '..', '..');

const [mode, name = 'silk-bench-idle', portArg = '0'] = process.argv.slice(2);
const port = Number(portArg);

/** Any content is fine: the benchmark measures the machinery, not a schema library. */
const anyConfig: ConfigSchema<Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'silk-bench',
    validate: (value) => ({ value: value as Record<string, unknown> }),
  },
};

// Loaded only in the Silk child, so the bare child carries none of it.
if (mode === 'silk') {
  const { createService } = await import('@silk/platform-sdk/fastify');
  const env = (k: string) => {
    const v = process.env[k];
    if (v === undefined) throw new Error(`idle-service-child: ${k} is not set (the benchmark sets it)`);
    return v;
  };
  const svc = createService({
    name,
    configSchema: anyConfig,
    cwd: mkdtempSync(join(tmpdir(), 'silk-bench-idle-')),
    bootstrap: {
      port,
      host: '127.0.0.1',
      logLevel: 'info',
      nacos: {
        serverAddr: env('SILK_BENCH_NACOS_ADDR'),
        username: env('SILK_BENCH_NACOS_USERNAME'),
        password: env('SILK_BENCH_NACOS_PASSWORD'),
      },
      config: { fileExtension: 'yaml' },
      discovery: { ip: '127.0.0.1' },
    },
    routes: (app, ctx) => {
      app.get('/hello', () => ({ greeting: ctx.config().greeting ?? 'hello' }));
    },
  });
  await svc.start();
} else if (mode === 'bare') {
  // The bench package does not depend on fastify itself; take the very copy Silk uses.
  const fastifyPath = createRequire(join(repoRoot, 'platform-sdk', 'package.json')).resolve('fastify');
  const mod = (await import(pathToFileURL(fastifyPath).href)) as {
    default: (opts: { logger: boolean }) => {
      get(path: string, handler: () => unknown): unknown;
      listen(opts: { port: number; host: string }): Promise<string>;
      close(): Promise<void>;
    };
  };
  const app = mod.default({ logger: false });
  app.get('/hello', () => ({ greeting: 'hello' }));
  await app.listen({ port, host: '127.0.0.1' });
  console.log('LISTENING');
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else {
  console.error('usage: idle-service-child.ts <silk|bare> <name> <port>');
  process.exit(2);
}
