/**
 * Process plumbing shared by the servers: detached start with a pid file and a log file,
 * liveness, stop with escalation, port probes and deadline-bound waits.
 */
import { spawn, execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './server.js';

export const execFileAsync = promisify(execFile);

export interface DetachedOptions {
  server: string;
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a long-running server that outlives this CLI; stdout and stderr go to `logFile`. */
export function spawnDetached(opts: DetachedOptions): number {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  mkdirSync(dirname(opts.pidFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) {
      throw new StackError(opts.server, `could not start ${opts.command}`, opts.logFile);
    }
    child.unref();
    writeFileSync(opts.pidFile, String(child.pid));
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid from `pidFile` when that process still runs. */
export function livePid(pidFile: string): number | undefined {
  const pid = readPid(pidFile);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/** SIGTERM the process group, then SIGKILL after `graceMs`; removes the pid file. */
export async function stopPid(pidFile: string, graceMs = 15_000): Promise<void> {
  const pid = readPid(pidFile);
  if (pid !== undefined && isAlive(pid)) {
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(200);
    if (isAlive(pid)) signal(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(100);
  }
  rmSync(pidFile, { force: true });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  // Detached children lead their own process group; signal the group so wrapper
  // scripts and their JVMs go together.
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** true when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitOptions {
  server: string;
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  logFile?: string;
  /** When given and it dies, stop waiting at once: the server exited. */
  pid?: number;
}

/** Polls `check` until it returns true; fails with a message naming what did not come up. */
export async function waitFor(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (opts.pid !== undefined && !isAlive(opts.pid)) {
      throw new StackError(opts.server, `server exited while waiting for ${opts.what}`, opts.logFile);
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new StackError(
        opts.server,
        `timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${why}`,
        opts.logFile,
      );
    }
    await sleep(opts.intervalMs ?? 500);
  }
}

/** Which command owns a listening port, for "port taken" errors. Best effort. */
export async function portOwner(port: number): Promise<string> {
  try {
    const { stdout } = await execFileAsync('ss', ['-ltnpH', `sport = :${port}`]);
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
    return m ? `${m[1]} (pid ${m[2]})` : 'another process';
  } catch {
    return 'another process';
  }
}

/** Refuses to start when a port is taken by someone else. */
export async function assertPortsFree(server: string, ports: Record<string, number>): Promise<void> {
  for (const [role, port] of Object.entries(ports)) {
    if (await portOpen(port)) {
      throw new StackError(server, `port ${port} (${role}) is taken by ${await portOwner(port)}`);
    }
  }
}

/** Resolves a command on PATH, or undefined. */
export async function which(cmd: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('bash', ['-c', `command -v ${cmd}`]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

let aptUpdated = false;
// apt holds a global lock: servers installing in parallel must take turns.
let aptQueue: Promise<unknown> = Promise.resolve();

/** Installs Debian packages when their command is missing (we run as root on these machines). */
export function aptInstall(server: string, packages: string[]): Promise<void> {
  const next = aptQueue.then(() => aptInstallNow(server, packages));
  aptQueue = next.catch(() => undefined);
  return next;
}

async function aptInstallNow(server: string, packages: string[]): Promise<void> {
  const run = async (args: string[]) => {
    try {
      await execFileAsync('apt-get', args, {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n').slice(-5).join(' ') : String(err);
      throw new StackError(server, `apt-get ${args.join(' ')} failed: ${msg}`);
    }
  };
  if (!aptUpdated) {
    await run(['update', '-q']);
    aptUpdated = true;
  }
  await run(['install', '-y', '-q', '--no-install-recommends', ...packages]);
}
