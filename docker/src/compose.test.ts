import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mariadb, nacos, redis, rocketmq } from '../../stack/src/config.js';

const run = promisify(execFile);
const dockerDir = join(import.meta.dirname, '..');
const composeFile = join(dockerDir, 'compose.yaml');

/** Runs the Compose specification's own loader (docker/validate, Go) on a file. */
async function validate(file: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await run('go', ['run', '.', file], {
      cwd: join(dockerDir, 'validate'),
      timeout: 300_000,
    });
    return { ok: true, out: stdout };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('docker/compose.yaml', () => {
  it('is valid against the Compose specification', { timeout: 300_000 }, async () => {
    const { ok, out } = await validate(composeFile);
    expect(out).toContain('valid');
    expect(ok).toBe(true);
    for (const svc of ['mysql', 'redis', 'nacos', 'rocketmq-namesrv', 'rocketmq-broker', 'silk-service']) {
      expect(out).toContain(`service ${svc}\n`);
    }
  });

  it('the validator rejects what the specification forbids', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'silk-compose-'));
    const broken = join(dir, 'compose.yaml');
    writeFileSync(broken, 'services:\n  a:\n    image: redis\n    imagee: typo\n');
    const unknownKey = await validate(broken);
    expect(unknownKey.ok).toBe(false);
    expect(unknownKey.out).toMatch(/imagee/);

    writeFileSync(broken, 'services:\n  a:\n    image: redis\n    depends_on: [nowhere]\n');
    const missingDep = await validate(broken);
    expect(missingDep.ok).toBe(false);
    expect(missingDep.out).toMatch(/nowhere/);
  });

  it('publishes the same ports as the native stack', () => {
    const doc = parse(readFileSync(composeFile, 'utf8')) as {
      services: Record<string, { ports?: string[] }>;
    };
    const published = Object.values(doc.services)
      .flatMap((s) => s.ports ?? [])
      .map((p) => Number(p.split(':')[1]));
    for (const port of [
      mariadb.port,
      redis.port,
      nacos.port,
      nacos.grpcPort,
      nacos.consolePort,
      rocketmq.namesrvPort,
      rocketmq.brokerPort,
      rocketmq.proxyGrpcPort,
      rocketmq.proxyRemotingPort,
    ]) {
      expect(published).toContain(port);
    }
  });
});
