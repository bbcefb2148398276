/**
 * The Sentinel dashboard, an optional server of the local stack: not started by a plain
 * `pnpm stack up` (no test needs it), but by `pnpm stack up sentinel-dashboard` and by the
 * demo estate through `startSentinelDashboard()`.
 *
 * It is com.alibaba.csp:sentinel-dashboard 0.1.1 from Maven Central (the newest there), a
 * Spring Boot fat jar run on the local JDK on loopback. It has no login. Silk services appear in
 * its machine list when `spring.cloud.sentinel.transport.dashboard` names it.
 *
 * Layout under `.stack/sentinel-dashboard/`: `start.out` (the JVM's stdout), `dashboard.log`
 * (its own log file), `dashboard.pid`.
 */
import { join } from 'node:path';
import { host, sentinelDashboard, stateDir } from '../config.js';
import { javaBin, javaPomDir, resolveClasspath } from '../java.js';
import { assertPortsFree, livePid, spawnDetached, stopPid, waitFor } from '../process.js';
import { StackError, type ServerStatus, type StackServer } from '../server.js';

const NAME = 'sentinel-dashboard';
const home = join(stateDir, NAME);
const logFile = join(home, 'start.out');
const serverLog = join(home, 'dashboard.log');
const pidFile = join(home, 'dashboard.pid');
const ports = { http: sentinelDashboard.port };

export const sentinelDashboardUrl = `http://${host}:${sentinelDashboard.port}`;

async function jar(): Promise<string> {
  const cp = await resolveClasspath(NAME, javaPomDir(NAME));
  const path = cp.split(':').find((p) => p.endsWith(`sentinel-dashboard-${sentinelDashboard.version}.jar`));
  if (path === undefined) throw new StackError(NAME, `Maven resolved no sentinel-dashboard jar: ${cp}`);
  return path;
}

/** Healthy = the app list answers with the dashboard's Result JSON, `{"code":0,...}`. */
async function probe(): Promise<void> {
  const res = await fetch(`${sentinelDashboardUrl}/app/briefinfos.json`, { signal: AbortSignal.timeout(3000) });
  const text = await res.text();
  if (res.status !== 200 || !/^\{"code":0\b/.test(text)) throw new Error(`app list answered HTTP ${res.status}: ${text.slice(0, 200)}`);
}

const healthy = (): Promise<boolean> =>
  probe().then(
    () => true,
    () => false,
  );

export const sentinelDashboardServer: StackServer = {
  name: NAME,
  ports,

  async install() {
    await jar();
  },

  async start() {
    if (await healthy()) return;
    let pid = livePid(pidFile);
    if (pid === undefined) {
      await assertPortsFree(NAME, ports);
      const java = await javaBin(NAME);
      pid = spawnDetached({
        server: NAME,
        command: java,
        args: [
          '-Xms32m',
          `-Xmx${sentinelDashboard.heapMb}m`,
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          // Spring Boot 2.1's reflection into java.lang is refused on JDK 17 without it.
          '--add-opens',
          'java.base/java.lang=ALL-UNNAMED',
          `-Dserver.port=${sentinelDashboard.port}`,
          `-Dserver.address=${host}`,
          // Its own default is ~/logs/csp/sentinel-dashboard.log; keep it with the stack's state.
          `-Dlogging.file=${serverLog}`,
          '-jar',
          await jar(),
        ],
        cwd: home,
        env: { MALLOC_ARENA_MAX: '2' },
        logFile,
        pidFile,
      });
    }
    await waitFor(healthy, {
      server: NAME,
      what: `the dashboard to answer on ${sentinelDashboard.port}`,
      timeoutMs: 120_000,
      intervalMs: 500,
      logFile,
      pid,
    });
  },

  async stop() {
    if (livePid(pidFile) !== undefined) await stopPid(pidFile, 15_000);
  },

  async status(): Promise<ServerStatus> {
    const pid = livePid(pidFile);
    const up = await probe().then(
      () => undefined,
      (err: unknown) => (err as Error).message,
    );
    return {
      healthy: up === undefined,
      version: sentinelDashboard.version,
      ports,
      ownedByStack: pid !== undefined,
      detail:
        up !== undefined
          ? `${up}${pid !== undefined ? ` (pid ${pid}, log ${logFile})` : ''}`
          : pid !== undefined
            ? `pid ${pid}, ${sentinelDashboardUrl}/ (no login)`
            : 'external server (not started by the stack)',
    };
  },

  logFiles: () => [logFile, serverLog],
};

/** Starts the dashboard unless it already answers (resolving the jar first); for the estate. */
export async function startSentinelDashboard(): Promise<string> {
  await sentinelDashboardServer.install();
  await sentinelDashboardServer.start();
  return sentinelDashboardUrl;
}
