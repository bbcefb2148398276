/**
 * Health contributors against real servers, stopped for real. Redis and MariaDB are private,
 * throwaway instances on free ports (the shared stack's servers must not be disturbed); each is
 * killed, `/actuator/health` must turn DOWN with readiness failing, then it is restarted on the
 * same port and both must come back UP. RocketMQ is checked against the shared name server.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { host, rocketmq } from '@silk/stack/config';
import { freePort } from '@silk/stack/java-fixture';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerActuator } from '../fastify/index.js';
import { mysqlHealth, redisHealth, rocketmqHealth, type HealthIndicator } from './health.js';

const work = mkdtempSync(join(tmpdir(), 'silk-health-it-'));
let redisPort = 0;
let mariaPort = 0;
let redisProc: ChildProcess | undefined;
let mariaProc: ChildProcess | undefined;
let redis: Redis;
let pool: mysql.Pool;
let app: FastifyInstance;
let base = '';

async function waitPort(port: number, ms: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((r) => {
      const s = connect({ host, port }, () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startRedis(): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', host, '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
}

function startMaria(): ChildProcess {
  return spawn(
    'mariadbd',
    [
      '--no-defaults',
      '--user=root',
      `--datadir=${join(work, 'maria')}`,
      `--socket=${join(work, 'maria.sock')}`,
      `--port=${mariaPort}`,
      `--bind-address=${host}`,
      '--skip-grant-tables',
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      `--pid-file=${join(work, 'maria.pid')}`,
    ],
    { stdio: 'ignore' },
  );
}

async function kill(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
}

const health = async () => {
  const res = await fetch(`${base}/actuator/health`);
  return {
    code: res.status,
    body: (await res.json()) as {
      status: string;
      components: Record<string, { status: string; details?: Record<string, unknown> }>;
    },
  };
};
const readiness = async () => (await fetch(`${base}/actuator/health/readiness`)).status;

beforeAll(async () => {
  [redisPort, mariaPort] = [await freePort(), await freePort()];
  await promisify(execFile)('mariadb-install-db', [
    '--no-defaults',
    '--user=root',
    `--datadir=${join(work, 'maria')}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ]);
  redisProc = startRedis();
  mariaProc = startMaria();
  await Promise.all([waitPort(redisPort, 10_000), waitPort(mariaPort, 60_000)]);
  redis = new Redis({ host, port: redisPort, retryStrategy: () => 200 });
  redis.on('error', () => undefined); // refusals while it is killed are the point of the test
  pool = mysql.createPool({ host, port: mariaPort, user: 'root', connectionLimit: 2 });
  const indicators = new Map<string, HealthIndicator>([
    ['db', mysqlHealth(pool, 1000)],
    ['redis', redisHealth(redis, 1000)],
    ['rocketmq', rocketmqHealth({ namesrv: `${host}:${rocketmq.namesrvPort}`, timeoutMs: 2000 })],
  ]);
  app = Fastify();
  registerActuator(app, { indicators, ready: () => true, info: () => ({}) });
  await app.listen({ port: 0, host });
  base = `http://${host}:${(app.server.address() as { port: number }).port}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await pool?.end().catch(() => undefined);
  await kill(redisProc);
  await kill(mariaProc);
  rmSync(work, { recursive: true, force: true });
});

describe('health contributors against real servers', () => {
  it('is UP with Actuator-shaped details while everything runs', async () => {
    await expect.poll(async () => (await health()).code, { timeout: 10_000 }).toBe(200);
    const { body } = await health();
    expect(body.status).toBe('UP');
    expect(body.components.db).toEqual({
      status: 'UP',
      details: { database: 'MySQL', validationQuery: 'isValid()' },
    });
    expect(body.components.redis?.details?.version).toMatch(/^\d+\.\d+/);
    expect(body.components.rocketmq?.details).toMatchObject({ brokers: expect.any(Number) as number });
    expect(await readiness()).toBe(200);
  });

  it('turns DOWN and fails readiness when Redis is killed, UP again when it is back', async () => {
    await kill(redisProc);
    await expect
      .poll(async () => (await health()).body.components.redis?.status, { timeout: 10_000 })
      .toBe('DOWN');
    expect((await health()).code).toBe(503);
    expect((await health()).body.status).toBe('DOWN');
    expect(await readiness()).toBe(503);
    redisProc = startRedis();
    await waitPort(redisPort, 10_000);
    await expect.poll(async () => (await health()).code, { timeout: 15_000 }).toBe(200);
    expect(await readiness()).toBe(200);
  });

  it('turns DOWN and fails readiness when MariaDB is killed, UP again when it is back', async () => {
    await kill(mariaProc);
    await expect
      .poll(async () => (await health()).body.components.db?.status, { timeout: 10_000 })
      .toBe('DOWN');
    expect(await readiness()).toBe(503);
    mariaProc = startMaria();
    await waitPort(mariaPort, 60_000);
    await expect.poll(async () => (await health()).code, { timeout: 20_000 }).toBe(200);
    expect(await readiness()).toBe(200);
  }, 90_000);

  it('reports RocketMQ DOWN when its name server cannot be reached', async () => {
    const closed = await freePort();
    const down = await rocketmqHealth({ namesrv: `${host}:${closed}`, timeoutMs: 1000 })();
    expect(down.status).toBe('DOWN');
    expect(String(down.details?.error)).toMatch(/ECONNREFUSED/);
  });
});
