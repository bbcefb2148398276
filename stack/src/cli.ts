/**
 * `pnpm stack up | down | status | logs [server...]` — the native local cluster.
 *
 *   up      install what is missing (cached), start what is not running, wait until healthy
 *   down    stop what `up` started (servers found already running are left alone)
 *   status  every server with health, version, ports; exits 1 when one is unhealthy
 *   logs    the tail of each server's logs (`-f` to follow)
 *
 * Optional servers (the Sentinel dashboard) take part only when named: `up sentinel-dashboard`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { StackError, type StackServer } from './server.js';
import { allServers, optionalServers, serverGroups } from './servers/index.js';

function pick(names: string[]): StackServer[] {
  if (names.length === 0) return allServers;
  const known = [...allServers, ...optionalServers];
  const unknown = names.filter((n) => !known.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new StackError('stack', `unknown server ${unknown.join(', ')}; known: ${known.map((s) => s.name).join(', ')}`);
  }
  return known.filter((s) => names.includes(s.name));
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

async function up(names: string[]): Promise<void> {
  const chosen = new Set(pick(names));
  const started = Date.now();
  // Installs are independent (Maven, apt) and may overlap; starts follow the groups.
  await Promise.all([...chosen].map((s) => s.install()));
  for (const group of [...serverGroups, optionalServers]) {
    await Promise.all(
      group
        .filter((s) => chosen.has(s))
        .map(async (s) => {
          const t = Date.now();
          const before = await s.status();
          if (before.healthy) {
            console.log(`${s.name}: already running (${before.detail})`);
            return;
          }
          await s.start();
          console.log(`${s.name}: started in ${seconds(t)}`);
        }),
    );
  }
  console.log(`stack up in ${seconds(started)}`);
  await status(names);
}

async function down(names: string[]): Promise<void> {
  // A plain `down` also stops the optional servers `up <name>` started.
  const chosen = names.length === 0 ? [...allServers, ...optionalServers] : pick(names);
  for (const s of [...chosen].reverse()) {
    const st = await s.status();
    if (!st.ownedByStack) {
      console.log(`${s.name}: not started by the stack, left alone`);
      continue;
    }
    await s.stop();
    console.log(`${s.name}: stopped`);
  }
}

async function status(names: string[]): Promise<boolean> {
  const rows = await Promise.all(pick(names).map(async (s) => ({ s, st: await s.status() })));
  let allHealthy = true;
  for (const { s, st } of rows) {
    allHealthy &&= st.healthy;
    const ports = Object.entries(st.ports)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const state = st.healthy ? 'UP  ' : 'DOWN';
    console.log(`${state} ${s.name.padEnd(9)} ${st.version.padEnd(24)} ${ports.padEnd(44)} ${st.detail}`);
  }
  return allHealthy;
}

function logs(names: string[], follow: boolean): Promise<void> {
  const files = pick(names)
    .flatMap((s) => s.logFiles())
    .filter((f) => existsSync(f));
  if (files.length === 0) {
    console.log('no logs yet: run `pnpm stack up` first');
    return Promise.resolve();
  }
  const args = follow ? ['-n', '50', '-F', ...files] : ['-n', '100', ...files];
  return new Promise((resolve) => spawn('tail', args, { stdio: 'inherit' }).on('exit', () => resolve()));
}

async function main(argv: string[]): Promise<number> {
  const [cmd = '', ...rest] = argv;
  const follow = rest.includes('-f');
  const names = rest.filter((a) => !a.startsWith('-'));
  switch (cmd) {
    case 'up':
      await up(names);
      return 0;
    case 'down':
      await down(names);
      return 0;
    case 'status':
      return (await status(names)) ? 0 : 1;
    case 'logs':
      await logs(names, follow);
      return 0;
    default:
      console.error('usage: pnpm stack up|down|status|logs [server...] [-f]');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof StackError ? err.message : err);
    process.exit(1);
  },
);
