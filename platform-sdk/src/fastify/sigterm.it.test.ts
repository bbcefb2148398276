/**
 * SIGTERM to a real Silk process: the instance leaves Nacos before the process stops
 * accepting connections, and the request in flight when the signal came still succeeds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { afterAll, describe, expect, it } from 'vitest';

const serverAddr = `127.0.0.1:${nacos.port}`;
const base = `http://${serverAddr}${nacos.contextPath}`;
const name = `silk-sigterm-it-${process.pid}`;
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

async function listed(port: number): Promise<boolean> {
  const q = new URLSearchParams({
    serviceName: name,
    groupName: 'DEFAULT_GROUP',
    accessToken: await nacosLogin(),
  });
  const res = await fetch(`${base}/v1/ns/instance/list?${q.toString()}`);
  return ((await res.json()) as { hosts: { port: number }[] }).hosts.some((h) => h.port === port);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('SIGTERM', () => {
  it(
    'deregisters before it stops accepting, and finishes the request in flight',
    { timeout: 90_000 },
    async () => {
      await nacosLogin(); // fails with "run pnpm stack up" when Nacos is down
      const script = join(import.meta.dirname, 'fixtures', 'sigterm-service.ts');
      child = spawn(
        process.execPath,
        ['--import', 'tsx', script, name, serverAddr, nacos.username, nacos.password],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child!.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /READY (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child!.once('exit', (code) => reject(new Error(`service exited with ${code} before READY`)));
      });
      await expect.poll(() => listed(port), { timeout: 15_000 }).toBe(true);

      const inFlight = fetch(`http://127.0.0.1:${port}/slow`);
      await new Promise((r) => setTimeout(r, 200));
      const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
      child.kill('SIGTERM');

      // Watch both: when Nacos stops listing us, and when new connections are refused.
      let deregisteredAt: number | undefined;
      let refusedAt: number | undefined;
      const start = Date.now();
      while ((deregisteredAt === undefined || refusedAt === undefined) && Date.now() - start < 20_000) {
        if (deregisteredAt === undefined && !(await listed(port))) deregisteredAt = Date.now();
        if (refusedAt === undefined && !(await accepts(port))) refusedAt = Date.now();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(deregisteredAt).toBeDefined();
      expect(refusedAt).toBeDefined();
      expect(deregisteredAt!).toBeLessThan(refusedAt!);

      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('slow-done');
      expect(await exited).toBe(0);
    },
  );
});
