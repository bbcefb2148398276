/**
 * The estate's processes: each a child whose output goes to its own log file, started when a
 * ready line appears (and its health endpoint answers UP), stopped with SIGTERM so it
 * deregisters and drains, and killed only if it overstays.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
// tsx's loader in the child's own node: the tsx CLI would fork a grandchild that a signal to
// the CLI might leave running.
const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface ProcessSpec {
  name: string;
  /** A TypeScript entry run with tsx's loader, or a full command (java). */
  script?: string;
  command?: [string, ...string[]];
  cwd: string;
  env?: Record<string, string>;
  /** Printed once the process serves; its capture groups are kept. */
  ready: RegExp;
  readyTimeoutMs?: number;
}

export class EstateProcess {
  readonly exited: Promise<number | null>;
  ready: string[] = [];
  #tail = '';

  constructor(
    readonly spec: ProcessSpec,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** The last few KB the process wrote, for error messages. */
  get tail(): string {
    return this.#tail;
  }

  record(chunk: string): void {
    this.#tail = (this.#tail + chunk).slice(-6000);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): Promise<number | null> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }
}

export async function startProcess(spec: ProcessSpec, logDir: string): Promise<EstateProcess> {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${spec.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const [cmd, ...args] = spec.command ?? [process.execPath, '--import', tsxLoader, spec.script ?? 'src/main.ts'];
  const child = spawn(cmd, args, { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const p = new EstateProcess(spec, child, logFile);
  const timeoutMs = spec.readyTimeoutMs ?? 60_000;
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      void p.kill();
      reject(new Error(`${spec.name} did not start within ${timeoutMs} ms (log: ${logFile}):\n${p.tail}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      const s = d.toString();
      log.write(d);
      p.record(s);
      if (p.ready.length > 0) return;
      seen = (seen + s).slice(-4000);
      const m = spec.ready.exec(seen);
      if (m) {
        clearTimeout(timer);
        p.ready = m.slice(1);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      log.end();
      reject(new Error(`${spec.name} exited (${code ?? signal}) before it was ready (log: ${logFile}):\n${p.tail}`));
    });
  });
  return p;
}

/** Polls an Actuator health URL until it says UP. */
export async function waitHealthy(name: string, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      const body = await res.text();
      if (res.status === 200 && /"status":"UP"/.test(body)) return;
      last = `${res.status} ${body.slice(0, 500)}`;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`${name} not healthy at ${url} within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
