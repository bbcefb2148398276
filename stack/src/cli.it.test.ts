import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './config.js';
import { allServers } from './servers/index.js';

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run('pnpm', ['--silent', 'stack', ...args], { cwd: repoRoot, timeout: 120_000 }).catch(
    (err: { stdout?: string; stderr?: string; code?: number }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
      code: err.code,
    }),
  );

describe('pnpm stack', () => {
  it('status reports every server up with its version and ports', async () => {
    const { stdout } = await cli('status');
    for (const server of allServers) {
      const line = stdout.split('\n').find((l) => l.includes(` ${server.name} `));
      expect(line, `no status line for ${server.name}:\n${stdout}`).toBeDefined();
      expect(line).toMatch(/^UP /);
      expect(line).not.toMatch(/ unknown /);
      for (const port of Object.values(server.ports)) expect(line).toContain(`=${port}`);
    }
  });

  it('a second up is a no-op', async () => {
    const { stdout } = await cli('up');
    for (const server of allServers) expect(stdout).toContain(`${server.name}: already running`);
    expect(stdout).not.toMatch(/: started in/);
  });

  it('names the unknown server and the known ones', async () => {
    const res = await cli('status', 'no-such-server');
    expect('code' in res ? res.code : 0).toBe(1);
    expect(res.stderr).toMatch(/unknown server no-such-server; known: mariadb/);
  });
});
