/**
 * `pnpm estate start [--no-java] [--no-dashboard]`: starts the demo estate on the README's ports
 * and stays in the foreground; Ctrl-C (or `pnpm estate stop` from another shell) stops all of it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { startEstate, type Estate } from './estate.js';
import { repoRoot } from './processes.js';

const pidFile = join(repoRoot, '.stack', 'estate', 'estate.pid');
const [cmd = 'start', ...flags] = process.argv.slice(2);

async function stopRunning(): Promise<void> {
  if (!existsSync(pidFile)) return console.log('estate: not running');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    rmSync(pidFile, { force: true });
    return console.log('estate: not running (stale pid file removed)');
  }
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 500));
    try {
      process.kill(pid, 0);
    } catch {
      return console.log('estate: stopped');
    }
  }
  console.log(`estate: pid ${pid} is still stopping`);
}

async function start(): Promise<void> {
  const dashboard = !flags.includes('--no-dashboard');
  if (dashboard) {
    // The dashboard is a stack server that only the estate asks for.
    const up = spawnSync('pnpm', ['--silent', 'stack', 'up', 'sentinel-dashboard'], { cwd: repoRoot, stdio: 'inherit' });
    if (up.status !== 0) console.log('estate: the Sentinel dashboard did not start; the services run without it');
  }
  const t0 = Date.now();
  let estate: Estate | undefined;
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nestate: stopping (services deregister from Nacos, then drain)…');
    void (estate?.stop() ?? Promise.resolve()).finally(() => {
      rmSync(pidFile, { force: true });
      console.log('estate: stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  mkdirSync(join(repoRoot, '.stack', 'estate'), { recursive: true });
  writeFileSync(pidFile, String(process.pid));
  try {
    estate = await startEstate({ dashboard, java: !flags.includes('--no-java'), onStep: (m) => console.log(`estate: ${m}`) });
  } catch (err) {
    rmSync(pidFile, { force: true });
    console.error(`estate: failed to start: ${(err as Error).message}`);
    process.exit(1);
  }
  const e = estate;
  console.log(`
Silk shop estate is up and healthy (${((Date.now() - t0) / 1000).toFixed(1)} s).
  Gateway           ${e.url('gateway')}/api/...
  Nacos console     http://127.0.0.1:8080/   (user ${nacos.username} / password ${nacos.password})
  Sentinel dashboard ${dashboard ? 'http://127.0.0.1:8858/' : '(not started)'}
  Coordinator admin ${e.url('tcAdmin', '/admin/transactions')}
  Services          order ${e.url('order')}  storage ${e.url('storage')}  account ${e.url('account')}  notification ${e.url('notification')}  portal (Java) ${e.url('portal')}
  Logs              ${e.logDir}

Place an order through the gateway:
  curl -s -X POST ${e.url('gateway')}/api/orders -H 'content-type: application/json' \\
       -d '{"userId":"U1001","commodityCode":"P1001","count":2}'
Then: curl -s ${e.url('gateway')}/api/products/P1001 ; curl -s ${e.url('gateway')}/api/accounts/U1001
      curl -s '${e.url('gateway')}/api/notifications?userId=U1001' ; curl -s ${e.url('gateway')}/api/portal/hello

Ctrl-C (or ./silk stop) stops everything.`);
}

if (cmd === 'stop') await stopRunning();
else if (cmd === 'start') await start();
else {
  console.error('usage: pnpm estate start [--no-java] [--no-dashboard] | stop');
  process.exit(2);
}
